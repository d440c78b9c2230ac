"""Opening, creating and upgrading a database."""

from __future__ import annotations

from dataclasses import dataclass

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services.taxonomy import shipped_editions_current, sync_shipped_editions
from reviewtool.storage import migrate, pg_security
from reviewtool.storage.database import Database, resolve_url


@dataclass(frozen=True)
class InitResult:
    url: str
    revision_before: str | None
    revision_after: str | None
    editions_loaded: list[str]


def open_database(url: str | None = None, *, upgrade: bool = True) -> Database:
    """Resolve ``url`` (``--db`` / ``$REVIEWTOOL_DB`` / default file), upgrade it to the
    newest schema and load the shipped plan editions. Safe to call on every start."""
    database = Database(resolve_url(url))
    if upgrade and not (database.is_sqlite and is_current(database)):
        init_database(database)
    return database


def is_current(database: Database) -> bool:
    """Nothing for ``init_database`` to do: the schema is at the head and the shipped plan
    editions are stored as shipped. Cheap (two queries, no Alembic), so every start checks it."""
    if not migrate.is_current(database.engine):
        return False
    with database.session() as session:
        return shipped_editions_current(session)


def init_database(database: Database) -> InitResult:
    """Upgrade the schema and load the plan editions; on PostgreSQL then refresh the grants and
    policies (``storage.pg_security.apply``, a no-op when current). Only the schema's owner
    migrates: any other login on an up-to-date database changes nothing here, and on an
    outdated one is told to have the owner run ``reviewtool-cli init``."""
    before = migrate.current_revision(database.engine)
    if not database.is_sqlite:
        with database.engine.connect() as connection:
            owner = pg_security.is_owner(connection)
        if not owner:
            if before != migrate.head_revision():
                raise UserError(
                    _(
                        "The database's schema is at version {current}, this program needs {head}: the database's "
                        "owner must upgrade it first (reviewtool-cli init)."
                    ).format(current=before or "—", head=migrate.head_revision())
                )
            return InitResult(database.display_url, before, before, [])
    migrate.upgrade(database.engine)
    with database.session() as session:
        loaded = sync_shipped_editions(session)
    if not database.is_sqlite:
        with database.engine.begin() as connection:
            pg_security.apply(connection)
    return InitResult(database.display_url, before, migrate.current_revision(database.engine), loaded)
