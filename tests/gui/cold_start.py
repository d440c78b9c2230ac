"""A cold start of the desktop app in a fresh interpreter, reporting what was imported
when the start window appeared and when the main window took its place
(tests/gui/test_start_window.py, test_lazy_pages.py). Imports only; nothing is timed."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from reviewtool.services.setup import open_database

SCRIPT = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from reviewtool.gui import app as gui_app
from reviewtool.gui import page_specs, start_window

report = {}

def modules():
    return {
        "roots": sorted({m.split(".")[0] for m in sys.modules}),
        "data": sorted(m for m in sys.modules if m.startswith(("reviewtool.storage", "reviewtool.services"))),
        "gui": sorted(m for m in sys.modules if m.startswith("reviewtool.gui.")),
    }

def finish():
    shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    main = next((w for w in shown if type(w).__name__ == "MainWindow"), None)
    report["main"] = modules()
    report["main_window"] = main is not None
    report["start_window_left"] = any(isinstance(w, start_window.StartWindow) for w in shown)
    report["built"] = [s.attribute for s in page_specs.PAGES if main and main.page_stack.built(s.attribute)]
    print(json.dumps(report))
    sys.stdout.flush()
    QApplication.instance().quit()

show, close = start_window.StartWindow.show, start_window.StartWindow.close

def start_shown(self):
    show(self)
    report["start"] = modules()

def start_closed(self):  # the main window is up and takes the start window's place
    result = close(self)
    QTimer.singleShot(0, finish)
    return result

start_window.StartWindow.show, start_window.StartWindow.close = start_shown, start_closed
sys.exit(gui_app.main(sys.argv[1:]))
"""


def cold_start(tmp_path) -> dict:
    """Start ``reviewtool`` on a fresh SQLite file with private settings; the report."""
    url = f"sqlite:///{(tmp_path / 'start.sqlite3').as_posix()}"
    open_database(url).dispose()
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, "--db", url], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
