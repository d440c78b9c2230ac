"""The PySide6 desktop GUI. The only package that imports Qt.

Start-up shows its first window (``gui/start_window.py``) before the data
layer is imported, so nothing here imports SQLAlchemy or the models: the
database is opened on the worker thread once the window is up
(``gui/app.py``). What that first window needs besides Qt is imported here,
before any Qt module: once PySide6 is loaded, every later import passes
through shiboken's import hook, which makes each module noticeably dearer to
load (the data layer pays it too, after the window is shown;
bench/bench_startup.py).
"""

import argparse  # noqa: F401 - before PySide6, see above
import concurrent.futures  # noqa: F401

import reviewtool.core.errors
import reviewtool.gui.page_specs
import reviewtool.paths
import reviewtool.services.progress  # noqa: F401
