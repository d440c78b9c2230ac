"""A consistent copy of the SQLite database, taken while the app is open.

SQLite's online backup API (``sqlite3.Connection.backup``) copies every page of
one read snapshot of the source: committed transactions (including those still
in the ``-wal`` file) are in the copy, a transaction another connection has not
committed yet is not, and writers are not blocked (in WAL mode) while it runs.
The whole database is copied in one step, so the copy never restarts because
someone wrote in the meantime.

The copy is written to a temporary file in the target folder, switched to the
single-file rollback journal (a backup needs no ``-wal`` beside it), checked with
``PRAGMA integrity_check``, flushed to disk and only then renamed to the target
name, so the target is either the complete, checked copy or untouched.

PostgreSQL is refused with the ``pg_dump`` command to use instead.

No Qt, no session: this works on the database file. Threading: call it from any
thread; it opens and closes its own ``sqlite3`` connections.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.i18n import _
from reviewtool.storage.database import resolve_url

SQLITE_HEADER = b"SQLite format 3\x00"
#: How long to wait for a lock held by the running app (seconds).
BUSY_TIMEOUT = 30.0


@dataclass(frozen=True)
class BackupResult:
    source: Path
    path: Path
    size: int
    integrity_check: str
    schema_revision: str | None

    @property
    def ok(self) -> bool:
        return self.integrity_check == "ok"

    def as_json(self) -> dict:
        return {
            "source": str(self.source),
            "path": str(self.path),
            "size": self.size,
            "integrity_check": self.integrity_check,
            "ok": self.ok,
            "schema_revision": self.schema_revision,
        }


def pg_dump_command(url: str, target: Path) -> str:
    """The ``pg_dump`` command that backs up the PostgreSQL database at ``url``
    (the password left out: pg_dump asks for it or reads ``PGPASSWORD``)."""
    parsed = make_url(url)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    ).render_as_string(hide_password=False)
    return f'pg_dump --format=custom --file="{target}" "{plain}"'


def sqlite_path(url: str | None, target: Path | None = None) -> Path:
    """The database file behind ``url`` (``--db`` / ``$REVIEWTOOL_DB`` / the default file).

    Raises ``Refused`` for a database that is not an SQLite file; for PostgreSQL the
    message gives the ``pg_dump`` command (writing next to ``target``)."""
    resolved = resolve_url(url)
    parsed = make_url(resolved)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        raise Refused(
            _(
                "reviewtool-cli backup copies SQLite files only; back up a PostgreSQL database with pg_dump: {command}"
            ).format(command=pg_dump_command(resolved, Path(target or "reviewtool").with_suffix(".dump")))
        )
    if backend != "sqlite":
        raise Refused(
            _("reviewtool-cli backup copies SQLite files only; use the backup tool of your {engine} server.").format(
                engine=backend
            )
        )
    database = parsed.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        raise Refused(_("This database is not a file that can be copied: {url}").format(url=resolved))
    return Path(database)


def _check_source(path: Path) -> None:
    if not path.is_file():
        raise NotFound(_("There is no database file at {path}").format(path=path))
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise UserError(_("{path} is not an SQLite database file.").format(path=path))


def _exists(target: Path) -> Refused:
    return Refused(_("{path} already exists; choose another name, or add --force to replace it.").format(path=target))


def _check_target(target: Path, source: Path, *, force: bool) -> None:
    if not target.parent.is_dir():
        raise UserError(_("The folder for the backup does not exist: {path}").format(path=target.parent))
    if target.is_dir():
        raise UserError(_("{path} is a folder; give the name of the backup file.").format(path=target))
    in_use = [Path(f"{target}{suffix}") for suffix in ("-wal", "-journal")]
    if target.exists():
        if target.resolve() == source.resolve() or (source.exists() and os.path.samefile(target, source)):
            raise Refused(_("The backup cannot replace the database it copies: {path}").format(path=target))
        if any(path.exists() for path in in_use):
            raise Refused(
                _("{path} looks like a database in use (its journal file is beside it); choose another name.").format(
                    path=target
                )
            )
        if not force:
            raise _exists(target)


def _integrity(connection: sqlite3.Connection) -> str:
    try:
        rows = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:  # damage bad enough that the check cannot run
        return str(exc)
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _copy(source: Path, temporary: Path) -> tuple[str, str | None]:
    """Copy one snapshot of ``source`` into ``temporary``; return its integrity check and schema revision."""
    source_uri = f"{source.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(source_uri, uri=True, timeout=BUSY_TIMEOUT)) as src:
        with contextlib.closing(sqlite3.connect(temporary)) as dst:
            src.backup(dst)  # pages=-1: every page of one read snapshot, in one step
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            check = _integrity(dst)
            revision = _revision(dst)
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    return check, revision


def _install(temporary: Path, target: Path, *, force: bool) -> None:
    """Rename the finished copy to ``target`` atomically; never replace a file unless ``force``."""
    if force:
        os.replace(temporary, target)
        return
    try:
        os.link(temporary, target)  # fails if the target appeared meanwhile
    except FileExistsError as exc:
        raise _exists(target) from exc
    except OSError:
        # A file system without hard links (FAT, some network shares).
        if target.exists():
            raise _exists(target) from None
        os.replace(temporary, target)
        return
    temporary.unlink()


def backup_database(url: str | None, target: Path, *, force: bool = False) -> BackupResult:
    """Write a consistent, checked copy of the SQLite database at ``url`` to ``target``.

    Safe while the app (or anything else) has the database open, even in the middle of a
    write transaction: the copy holds what was committed when it started."""
    source = sqlite_path(url, Path(target))
    target = Path(target).expanduser().absolute()
    _check_source(source)
    _check_target(target, source, force=force)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        try:
            check, revision = _copy(source, temporary)
        except sqlite3.Error as exc:
            raise UserError(_("Could not copy {path}: {reason}").format(path=source, reason=exc)) from exc
        if check != "ok":
            raise UserError(
                _(
                    "The copy of {path} failed the integrity check ({problems}); nothing was written. "
                    "The database itself may be damaged: close the app and keep a plain copy of the file."
                ).format(path=source, problems=check)
            )
        _install(temporary, target, force=force)
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(source, target, target.stat().st_size, check, revision)
