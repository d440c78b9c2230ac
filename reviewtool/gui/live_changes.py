"""The window follows what other workstations save (PostgreSQL LISTEN/NOTIFY).

When an expert submits a sheet in the meeting room, the clerk's panel page
and dashboard show it without a refresh button: the server announces the
commit (``storage.notifications``), the listener's socket becomes readable,
a ``QSocketNotifier`` wakes us — no polling loop, no timer that ticks while
nothing happens. Announcements arriving together are passed on once, a
moment later (``SETTLE_MS``), so an import of 700 sheets is one redraw. The
window's ``ChangeBus`` then does as for a change of our own: the shown page
reloads, hidden pages remember it until shown.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.live_changes import ListenerLost, changes_from, listen_for_changes

#: How long announcements are gathered before one redraw.
SETTLE_MS = 250


class LiveChanges(QObject):
    """Listens on the window's database (PostgreSQL) and announces what others changed."""

    listening = Signal()
    status_message = Signal(str)

    def __init__(self, ctx: GuiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._listener = None
        self._notifier: QSocketNotifier | None = None
        self._tables: set[str] = set()
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self._announce)
        if not ctx.database.is_sqlite:
            # Connecting is a network round trip: on the worker, never on the GUI thread.
            ctx.tasks.run(lambda _p, _c: listen_for_changes(ctx.database), self._start, self._unavailable)

    @property
    def active(self) -> bool:
        return self._notifier is not None and self._notifier.isEnabled()

    def _start(self, listener) -> None:
        if listener is None:
            return
        self._listener = listener
        self._notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._arrived)
        self.listening.emit()

    def _unavailable(self, error: BaseException) -> None:
        self.status_message.emit(_("Live updates are off: {error}").format(error=error))

    def _arrived(self, *_args) -> None:
        try:
            self._tables |= self._listener.drain()
        except ListenerLost as error:  # the server went away: stop listening, say so once
            self.stop()
            self._unavailable(error)
            return
        if self._tables and not self._settle.isActive():
            self._settle.start()

    def _announce(self) -> None:
        tables, self._tables = self._tables, set()
        self.ctx.bus.announce(changes_from(tables))

    def stop(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
