#!/usr/bin/env bash
# Install the Debian packages reviewtool needs beside its Python packages.
#   --runtime   Qt's runtime libraries and a CJK font (for the GUI and the PDFs)
#   --test      the above plus poppler-utils (PDF → PNG) and xvfb
#   --postgres  PostgreSQL server (for the storage tests' PostgreSQL leg)
# Skips quietly where apt-get is missing (not Debian) or we cannot become root.
set -euo pipefail
packages=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 libfontconfig1 libglib2.0-0 fonts-wqy-microhei)
for arg in "$@"; do
  case "$arg" in
    --runtime) ;;
    --test) packages+=(poppler-utils xvfb) ;;
    --postgres) packages+=(postgresql) ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: no apt-get here; install the equivalents of: ${packages[*]}" >&2
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup-system: please install as root: ${missing[*]}" >&2; exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
