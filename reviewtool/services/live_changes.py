"""What other workstations changed, as the ``Changes`` the GUI redraws from.

The staff's view of sheet status follows the experts as they submit: the
server announces each committed change to score sheets and assignments
(``storage.notifications``), and this turns the tables named into the
flags a page reacts to. The GUI only waits on the listener's socket.
"""

from __future__ import annotations

from reviewtool.services.changes import Changes
from reviewtool.storage.database import Database
from reviewtool.storage.notifications import ChangeListener, ListenerLost, listen

__all__ = ["ChangeListener", "ListenerLost", "changes_from", "listen_for_changes"]

#: Announced table → the ``Changes`` flag its pages redraw on.
FLAGS = {"score_sheet": "sheets", "assignment": "panels"}


def listen_for_changes(database: Database) -> ChangeListener | None:
    """Start listening (PostgreSQL); None where there is nothing to hear (SQLite)."""
    return listen(database.engine)


def changes_from(tables: set[str]) -> Changes:
    """The changes the announced tables stand for; nothing for a table no page shows."""
    return Changes(**{FLAGS[t]: True for t in tables if t in FLAGS})
