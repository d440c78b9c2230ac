"""Opening, creating and upgrading a database."""

from __future__ import annotations

from dataclasses import dataclass

from reviewtool.services.taxonomy import sync_shipped_editions
from reviewtool.storage import migrate
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
    if upgrade:
        init_database(database)
    return database


def init_database(database: Database) -> InitResult:
    before = migrate.current_revision(database.engine)
    migrate.upgrade(database.engine)
    with database.session() as session:
        loaded = sync_shipped_editions(session)
    return InitResult(database.display_url, before, migrate.current_revision(database.engine), loaded)
