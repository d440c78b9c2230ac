"""The first window appears before the data layer is imported (issue 16): in a
fresh interpreter, the start window is shown while neither SQLAlchemy nor the
models nor any service but the progress tokens is loaded; then the main
window takes its place. Checks imports, times nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from reviewtool.services.setup import open_database

COLD_START = r"""
import json, os, sys
from reviewtool.gui import app as gui_app
from reviewtool.gui import start_window

report = {}
shown = start_window.StartWindow.show

def first_window(self):
    shown(self)
    report["roots"] = sorted({m.split(".")[0] for m in sys.modules})
    report["data"] = sorted(m for m in sys.modules if m.startswith(("reviewtool.storage", "reviewtool.services")))
    report["gui"] = sorted(m for m in sys.modules if m.startswith("reviewtool.gui."))

start_window.StartWindow.show = first_window
opened = gui_app.Launcher._show_window

def main_window(self, database):
    opened(self, database)
    report["main"] = type(self.window).__name__ if self.window is not None and self.window.isVisible() else None
    report["start_window_left"] = self.start_window is not None
    print(json.dumps(report))
    sys.stdout.flush()
    os._exit(0)

gui_app.Launcher._show_window = main_window
sys.exit(gui_app.main(sys.argv[1:]))
"""


def test_the_start_window_shows_before_the_data_layer_loads_then_gives_way(tmp_path):
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
        [sys.executable, "-c", COLD_START, "--db", url], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "sqlalchemy" not in report["roots"]
    assert report["data"] == ["reviewtool.services", "reviewtool.services.progress"]  # the worker's cancel tokens
    assert "reviewtool.gui.main_window" not in report["gui"]
    assert report["main"] == "MainWindow" and not report["start_window_left"]


def test_the_start_up_reads_the_same_environment_variable_as_the_storage():
    """gui/app.py names REVIEWTOOL_DB itself (importing storage would load SQLAlchemy first)."""
    from reviewtool.gui import app
    from reviewtool.storage import database

    assert app.ENV_VAR == database.ENV_VAR == "REVIEWTOOL_DB"
