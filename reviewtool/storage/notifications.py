"""Listening for what other workstations saved (PostgreSQL LISTEN/NOTIFY).

Migration 0010 makes the server announce, on the ``reviewtool_changes``
channel, the name of each table whose score sheets or assignments a
transaction changed, when it commits. A ``ChangeListener`` holds one
connection of its own (outside the pool, with the logged-in user's
credentials: nobody needs more to listen) that has run ``LISTEN``; its
``fileno`` becomes readable when an announcement arrives, so the GUI waits on
the socket (a ``QSocketNotifier``) instead of polling, and ``drain`` reads
what came without blocking. On SQLite there is nothing to listen to: the
only writer is this app, which announces its own changes.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

CHANNEL = "reviewtool_changes"  # as in db/versions/…_0010_live_changes.py


class ListenerLost(Exception):
    """The listening connection broke (the server restarted, the network went away)."""


class ChangeListener:
    """One listening connection; ``drain()`` returns the table names announced since the last call."""

    def __init__(self, engine: Engine) -> None:
        dialect = engine.dialect
        cargs, cparams = dialect.create_connect_args(engine.url)
        self._errors = dialect.loaded_dbapi.Error
        self._connection = dialect.loaded_dbapi.connect(*cargs, **{**cparams, "autocommit": True})
        self._connection.execute(f"LISTEN {CHANNEL}")

    def fileno(self) -> int:
        return self._connection.fileno()

    def drain(self) -> set[str]:
        """The tables announced since the last call (each once), without waiting."""
        try:
            return {note.payload for note in self._connection.notifies(timeout=0)}
        except self._errors as error:
            raise ListenerLost(str(error)) from error

    def close(self) -> None:
        self._connection.close()


def listen(engine: Engine) -> ChangeListener | None:
    """A listener on a PostgreSQL database; None on SQLite."""
    return ChangeListener(engine) if engine.dialect.name == "postgresql" else None
