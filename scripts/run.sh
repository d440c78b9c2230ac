#!/usr/bin/env bash
# Install reviewtool into .venv and open it on the demonstration database.
# Without a display (a server, CI) the window is drawn on a virtual screen and
# saved to build/demo-window.png instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh --runtime
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet .
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec .venv/bin/reviewtool --demo "$@"
fi
mkdir -p build
echo "No display found: drawing the window offscreen to build/demo-window.png"
QT_QPA_PLATFORM=offscreen .venv/bin/reviewtool --demo --screenshot build/demo-window.png "$@"
echo "Saved build/demo-window.png"
