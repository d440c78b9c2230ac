"""Engines and sessions.

Threading: an ``Engine`` is thread-safe; a ``Session`` is not. Each unit of
work opens its own session with ``Database.session()`` on the thread that
uses it (in the GUI, the background worker), and never hands it to widgets.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.paths import default_database_url

ENV_VAR = "REVIEWTOOL_DB"


class DatabaseURLError(UserError):
    """The user gave something that is not a usable database URL."""


def resolve_url(explicit: str | None = None) -> str:
    """``--db`` wins, then ``$REVIEWTOOL_DB``, then the SQLite file in the user data directory.

    A bare file path is accepted and taken as an SQLite file.
    """
    url = explicit or os.environ.get(ENV_VAR) or default_database_url()
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve().as_posix()}"
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(_("Not a database URL: {url}").format(url=url)) from exc
    if parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; SQLAlchemy's default would be psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs) -> Engine:
    try:
        return _make_engine(url, **kwargs)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise DatabaseURLError(_("Unsupported database URL {url}: {reason}").format(url=url, reason=exc)) from exc


def _make_engine(url: str, **kwargs) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().parent
            if not folder.exists():
                raise DatabaseURLError(_("The folder for the database does not exist: {path}").format(path=folder))
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """An engine plus a session factory for one database URL."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self._sessions() as session:
            with session.begin():
                yield session

    def dispose(self) -> None:
        self.engine.dispose()
