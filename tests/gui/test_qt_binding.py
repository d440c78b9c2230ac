"""Guards against a Qt binding that breaks the task helper.

PySide6 6.12.0's ``SignalInstance.emit`` returns ``True``/``False`` without
taking a reference; on Python 3.11 every emit drains the bool's refcount
until the interpreter aborts. setup.cfg excludes that release; this test
catches the next one like it.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import time
from PySide6.QtWidgets import QApplication
from reviewtool.gui.tasks import TaskManager
app = QApplication([])
tasks = TaskManager()
done = []
def work(progress, _cancel):  # each update crosses from the worker to the GUI thread as a queued signal
    for i in range(3000):
        progress.update(i, 3000, "")
    return 3000
tasks.run(work, done.append, label="progress")
deadline = time.monotonic() + 60
while not done and time.monotonic() < deadline:
    app.processEvents()
tasks.shutdown()
print(done[0] if done else "no result")
"""


def test_progress_from_a_worker_thread_does_not_corrupt_python():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "3000"
