"""Guards against a Qt binding that breaks the task helper.

PySide6 6.12.0's ``SignalInstance.emit`` returns ``True``/``False`` without
taking a reference; on Python 3.11 every emit drains the bool's refcount
until the interpreter aborts. setup.cfg excludes that release; this test
catches the next one like it.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import threading
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
app = QCoreApplication([])
class Emitter(QObject):
    progressed = Signal(object, int, int, str)
emitter = Emitter()
received = []
emitter.progressed.connect(lambda *args: received.append(args[1]), Qt.ConnectionType.QueuedConnection)
def work():
    for i in range(3000):
        emitter.progressed.emit(None, i, 3000, "")
worker = threading.Thread(target=work)
worker.start()
worker.join()
app.processEvents()
print(len(received))
"""


def test_emitting_signals_from_a_worker_thread_does_not_corrupt_python():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "3000"
