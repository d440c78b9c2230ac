"""The one background-task helper.

All database work runs on a single worker thread (so it is serialised, as
SQLite wants) and each task opens its own session there; results come back
to the GUI thread through a queued signal. A progress dialog appears only
when a task runs longer than ``PROGRESS_DELAY_MS`` and can cancel it
cooperatively through the task's ``CancelToken``.

A reload that a newer one makes pointless (a page refreshed twice, a search
typed on) names what it loads with ``supersede=``: queuing a newer task under
the same key drops the older one if it has not started, asks it to stop if it
has (its ``CancelToken``), and never delivers its result, so the one worker
is not kept busy with work nobody will look at.

Threading: create and call ``TaskManager`` on the GUI thread only.
Callbacks (``on_done``, ``on_error``) run on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from reviewtool.i18n import _
from reviewtool.services.progress import CancelToken, Progress

if TYPE_CHECKING:
    from reviewtool.storage.database import Database

PROGRESS_DELAY_MS = 600

DbOperation = Callable[..., Any]  # (session, progress, cancel) -> result


class _Task:
    def __init__(self, label: str | None, cancellable: bool) -> None:
        self.label = label
        self.cancellable = cancellable
        self.cancel = CancelToken()
        self.dialog: QProgressDialog | None = None
        self.timer: QTimer | None = None
        self.last: tuple[int, int, str] = (0, 0, "")
        self.superseded = False
        self.future: Future | None = None


class TaskManager(QObject):
    """Runs callables on one worker thread and reports back on the GUI thread."""

    _deliver = Signal(object)
    _progress = Signal(object, int, int, str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reviewtool-db")
        self._deliver.connect(self._run_on_gui_thread, Qt.ConnectionType.QueuedConnection)
        self._progress.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self._pending = 0
        self._closed = False
        self._latest: dict[object, _Task] = {}  # supersede key → its newest task

    @property
    def pending(self) -> int:
        return self._pending

    def run(
        self,
        work: Callable[[Progress, CancelToken], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        label: str | None = None,
        cancellable: bool = False,
        parent: QWidget | None = None,
        supersede: object = None,
    ) -> Future:
        """Run ``work(progress, cancel)`` in the background; ``supersede``: a key whose older task this replaces."""
        if self._closed:
            raise RuntimeError("task manager is shut down")
        task = _Task(label, cancellable)
        if supersede is not None:
            self._supersede(supersede, task)
        progress = Progress(lambda done, total, message: self._progress.emit(task, done, total, message))
        if label is not None:
            task.timer = QTimer(self)
            task.timer.setSingleShot(True)
            task.timer.timeout.connect(lambda: self._open_dialog(task, parent))
            task.timer.start(PROGRESS_DELAY_MS)
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        future = task.future = self._executor.submit(work, progress, task.cancel)
        future.add_done_callback(lambda f: self._deliver.emit(lambda: self._finish(task, f, on_done, on_error)))
        return future

    def run_db(
        self,
        database: Database,
        operation: DbOperation,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs,
    ) -> Future:
        """Run ``operation(session, progress, cancel)`` in one transaction on the worker."""

        def work(progress: Progress, cancel: CancelToken):
            with database.session() as session:
                return operation(session, progress, cancel)

        return self.run(work, on_done, on_error, **kwargs)

    def shutdown(self) -> None:
        """Wait for the running task and drop queued ones (call on window close)."""
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _supersede(self, key: object, task: _Task) -> None:
        older = self._latest.get(key)
        self._latest[key] = task
        if older is not None:
            older.superseded = True
            older.cancel.cancel()  # a running load that checks stops early
            older.future.cancel()  # a queued one never starts

    # -- GUI-thread side -------------------------------------------------

    def _run_on_gui_thread(self, closure: Callable[[], None]) -> None:
        closure()

    def _open_dialog(self, task: _Task, parent: QWidget | None) -> None:
        dialog = QProgressDialog(task.label or "", _("Cancel") if task.cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(_("Working…"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if task.cancellable:
            dialog.canceled.connect(task.cancel.cancel)
        else:
            dialog.setCancelButton(None)
        task.dialog = dialog
        self._show_progress(task, *task.last)
        dialog.show()

    def _show_progress(self, task: _Task, done: int, total: int, message: str) -> None:
        task.last = (done, total, message)
        if task.dialog is None:
            return
        task.dialog.setMaximum(max(total, 0))
        task.dialog.setValue(min(done, total) if total else 0)
        if message:
            task.dialog.setLabelText(f"{task.label}\n{message}" if task.label else message)

    def _finish(self, task: _Task, future: Future, on_done, on_error) -> None:
        if task.timer is not None:
            task.timer.stop()
        if task.dialog is not None:
            task.dialog.close()
            task.dialog.deleteLater()
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        for key, newest in list(self._latest.items()):
            if newest is task:
                del self._latest[key]
        if future.cancelled() or self._closed or task.superseded:
            # After shutdown the windows are gone; a late result has nowhere to go.
            # A superseded task's result is older than what its page now waits for.
            return
        error = future.exception()
        if error is not None:
            if on_error is not None:
                on_error(error)
            else:
                raise error
        elif on_done is not None:
            on_done(future.result())
