"""What every window and dialog is given explicitly (no global app object)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QSettings, Signal

from reviewtool.core.users import Identity
from reviewtool.gui.tasks import TaskManager
from reviewtool.services.audit import default_actor
from reviewtool.services.changes import Changes
from reviewtool.storage.database import Database


class ChangeBus(QObject):
    """Announces once what an operation changed; each screen decides whether to redraw."""

    changed = Signal(object)  # Changes
    database_switched = Signal()

    def announce(self, changes: Changes) -> None:
        if changes.any():
            self.changed.emit(changes)


@dataclass
class GuiContext:
    database: Database
    tasks: TaskManager
    settings: QSettings
    bus: ChangeBus
    #: The operating-system account: the actor only when nobody logs in (an SQLite file without local users).
    account: str = ""

    @property
    def user(self) -> Identity | None:
        """Who logged in (``database.identity``): never a name typed anywhere."""
        return self.database.identity

    @property
    def actor(self) -> str:
        """The audit trail's actor: the logged-in user, else the system account."""
        identity = self.database.identity
        if identity is not None and identity.kind != "account":
            return identity.login
        return self.account or (identity.login if identity is not None else default_actor())

    def run_db(self, operation, on_done=None, on_error=None, **kwargs):
        """Shorthand for ``tasks.run_db`` on the current database."""
        return self.tasks.run_db(self.database, operation, on_done, on_error, **kwargs)
