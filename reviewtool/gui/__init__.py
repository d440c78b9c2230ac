"""The PySide6 desktop GUI. The only package that imports Qt.

The data layer is imported here, before any Qt module: once PySide6 is loaded,
every later import passes through shiboken's import hook, and loading SQLAlchemy
and the models after it costs about 0.1 s more CPU and 14 MiB more memory at
start-up (bench/bench_startup.py). The window needs them before it opens anyway.
"""

import reviewtool.storage.models  # noqa: F401 - before PySide6, see above
