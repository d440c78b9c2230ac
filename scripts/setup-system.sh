#!/usr/bin/env bash
# Install the Debian packages reviewtool needs beside its Python packages.
#   --runtime   Qt's runtime libraries (offscreen, X11 and Wayland) and a CJK font (for the GUI and the PDFs)
#   --test      the above plus poppler-utils (PDF → PNG), xvfb, libreoffice-writer (.docx → PDF) and
#               zbar-tools (reads the fingerprint's QR code back off a printed page)
#   --postgres  PostgreSQL server (for the storage tests' PostgreSQL leg)
# Skips quietly where apt-get is missing (not Debian) or we cannot become root.
set -euo pipefail
packages=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 libfontconfig1 libglib2.0-0 fonts-wqy-microhei)
# What Qt's xcb platform plugin (an X11 desktop) loads beyond the above; found with
# `ldd .../PySide6/Qt/plugins/platforms/libqxcb.so` and QT_DEBUG_PLUGINS=1 under xvfb-run.
packages+=(libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1)
# ... and its wayland plugin (a Wayland desktop; Qt falls back to xcb through XWayland).
packages+=(libwayland-client0 libwayland-cursor0 libwayland-egl1)
# 花园明朝 A/B: the fallback font for CJK Extension A/B characters (㠓 𠀀 𪚥) in PDFs and on screen.
packages+=(fonts-hanazono)
for arg in "$@"; do
  case "$arg" in
    --runtime) ;;
    --test) packages+=(poppler-utils xvfb libreoffice-writer zbar-tools) ;;  # LibreOffice reads the .docx exports back
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
