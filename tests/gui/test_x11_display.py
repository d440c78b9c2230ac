"""The application starts on a real X display, not only offscreen.

Runs the app under Xvfb with Qt's ``xcb`` platform plugin, as a Linux
desktop does. The plugin needs X libraries the PySide6 wheel does not bring
(``libxcb-icccm4``, ``libxcb-keysyms1``, ``libxcb-cursor0`` …), which
``scripts/setup-system.sh --runtime`` installs; without them Qt aborts with
"Could not load the Qt platform plugin "xcb"". Skipped where Xvfb is not
installed (``scripts/setup-system.sh --test`` installs it, so CI runs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from conftest_helpers import screenshot_dir

XVFB_RUN = shutil.which("xvfb-run")
HELPER = Path(__file__).with_name("x11_launch.py")

pytestmark = pytest.mark.skipif(XVFB_RUN is None, reason="xvfb-run not installed (scripts/setup-system.sh --test)")


def test_the_demo_opens_on_an_x_display_with_the_xcb_plugin(isolated_user_dirs):
    shot = screenshot_dir() / "x11_demo_window.png"
    shot.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="xcb", QT_DEBUG_PLUGINS="1", PYTHONPATH=str(Path.cwd()))
    result = subprocess.run(
        [XVFB_RUN, "-a", "-s", "-screen 0 1366x768x24", sys.executable, str(HELPER), str(shot)],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    # Qt's plugin debug output names the library that failed to load.
    problems = [line for line in result.stderr.splitlines() if "cannot open shared object" in line or "xcb" in line]
    assert result.returncode == 0, "\n".join(problems[-8:]) or result.stderr[-2000:]
    assert "platform: xcb" in result.stdout
    assert "screen: 1366x768" in result.stdout
    rows = int(result.stdout.split("rows: ")[1].split()[0])
    assert rows == 53  # the demo's applications are listed
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1366, 768)
    # A drawn window, not a black screen: many distinct colours.
    colours = {image.pixel(x, y) for x in range(0, 1366, 7) for y in range(0, 768, 7)}
    assert len(colours) > 20
