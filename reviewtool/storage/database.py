"""Engines and sessions.

Threading: an ``Engine`` is thread-safe; a ``Session`` is not. Each unit of
work opens its own session with ``Database.session()`` on the thread that
uses it (in the GUI, the background worker), and never hands it to widgets.

SQLite specifics:

- a writer waits up to ``BUSY_TIMEOUT_MS`` for another program's write to
  finish; after that the error is ``is_busy_error`` and the user reads
  ``BUSY_MESSAGE`` ("数据库正被另一程序写入，请稍后重试"), never a traceback;
- a SAVEPOINT always runs inside a real transaction. Python's sqlite3 driver
  starts its transaction only at the first INSERT/UPDATE/DELETE, so a
  SAVEPOINT issued before any of them *was* the transaction, and releasing it
  committed — work meant to roll back with the session stayed. Here the
  transaction is begun first, so on SQLite as on PostgreSQL nothing a session
  writes is kept unless the session commits.

Every session checks, before each flush, that each text fits its column
(``storage.lengths``), so PostgreSQL never refuses a value SQLite would keep.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from reviewtool.core.errors import UserError
from reviewtool.i18n import N_, _
from reviewtool.paths import default_database_url
from reviewtool.storage import audit_chain, versioning
from reviewtool.storage.lengths import guard_lengths

ENV_VAR = "REVIEWTOOL_DB"
#: How long an SQLite writer waits for another program's write (milliseconds);
#: ``$REVIEWTOOL_BUSY_TIMEOUT_MS`` overrides it.
BUSY_TIMEOUT_MS = 10_000
BUSY_MESSAGE = N_("The database is being written by another program; please try again shortly.")


class DatabaseURLError(UserError):
    """The user gave something that is not a usable database URL."""


class DatabaseBusy(UserError):
    """Another program kept the SQLite database locked for writing past the busy timeout."""


class PermissionRefused(UserError):
    """PostgreSQL refused the logged-in role (a GRANT or a row-level security policy is missing)."""


PERMISSION_MESSAGE = N_("The database does not allow this for your account ({login}): {reason}")


def is_permission_error(exc: BaseException) -> bool:
    """PostgreSQL's insufficient_privilege (42501): no GRANT, or a row-level security policy refused."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501"


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
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    cursor.execute("PRAGMA journal_mode")
    if cursor.fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def busy_timeout_ms() -> int:
    try:
        return max(0, int(os.environ.get("REVIEWTOOL_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)))
    except ValueError:
        return BUSY_TIMEOUT_MS


def _sqlite_savepoint_in_transaction(connection, _name) -> None:
    """Begin the transaction before the first SAVEPOINT (see the module's notes)."""
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def is_busy_error(exc: BaseException) -> bool:
    """Whether ``exc`` (a DBAPI or SQLAlchemy error) means another program holds the write lock."""
    orig = getattr(exc, "orig", exc)
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text or "database is busy" in text


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
        event.listen(engine, "savepoint", _sqlite_savepoint_in_transaction)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


class Database:
    """An engine plus a session factory for one database URL."""

    def __init__(self, url: str, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        guard_lengths(self._sessions)
        audit_chain.install(self._sessions)
        versioning.install(self._sessions)
        #: Who is logged in (``core.users.Identity``), set once at login; every session carries it
        #: in ``session.info["identity"]`` for the permission checks and the audit trail.
        self.identity = None

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error.

        Another program holding the write lock past the busy timeout raises
        ``DatabaseBusy`` (a ``UserError``: one clear line in the CLI and the GUI); a save over a
        change someone else committed meanwhile raises ``versioning.StaleEdit``, naming them."""
        try:
            with self._sessions() as session:
                session.info["identity"] = self.identity
                try:
                    with session.begin():
                        yield session
                except StaleDataError as exc:
                    raise self._stale_edit(session.info.get("versions_read", {})) from exc
        except DBAPIError as exc:
            if is_busy_error(exc):
                raise DatabaseBusy(_(BUSY_MESSAGE)) from exc
            if is_permission_error(exc):
                reason = str(exc.orig).strip().splitlines()[0]
                login = getattr(self.identity, "login", None) or make_url(self.url).username or ""
                raise PermissionRefused(_(PERMISSION_MESSAGE).format(login=login, reason=reason)) from exc
            raise

    def _stale_edit(self, versions_read) -> versioning.StaleEdit:
        with self._sessions() as fresh:
            fresh.info["identity"] = self.identity
            return versioning.stale_edit(fresh, versions_read)

    def dispose(self) -> None:
        self.engine.dispose()
