"""Live sheet status: PostgreSQL announces committed changes to score sheets and
assignments (migration 0010), once per transaction, and a listener with the
user's own connection hears them without polling; SQLite has nothing to hear."""

from __future__ import annotations

import select

import pytest
from sqlalchemy import select as sql_select

from reviewtool.services.demo import load_demo
from reviewtool.services.live_changes import changes_from, listen_for_changes
from reviewtool.services.scoring import sheet_edits
from reviewtool.storage.database import Database
from reviewtool.storage.models import Batch, ScoreSheet


def _arrived(listener, seconds: float = 10.0) -> set[str]:
    """Wait on the listener's socket (as the GUI's QSocketNotifier does) until something arrives."""
    readable, _w, _x = select.select([listener.fileno()], [], [], seconds)
    return listener.drain() if readable else set()


def test_sqlite_has_nothing_to_listen_to(sqlite_db):
    assert listen_for_changes(sqlite_db) is None


@pytest.mark.pg
def test_another_workstation_saving_sheets_is_heard_once_per_commit(pg_db):
    with pg_db.session() as s:
        load_demo(s, actor="tester")
    listener = listen_for_changes(pg_db)
    other = Database(pg_db.url)  # a second workstation
    try:
        with other.session() as s:
            s.scalar(sql_select(Batch)).name += "（修订）"  # not a table anyone listens for
        with other.session() as s:
            sheets = s.scalars(sql_select(ScoreSheet.id).order_by(ScoreSheet.id).limit(3)).all()
            for sheet_id in sheets:  # three UPDATEs in one transaction
                sheet_edits.set_sheet_locked(s, sheet_id, True, actor="chief", reason="专家组定稿")
        assert _arrived(listener) == {"score_sheet"}
        assert listener.drain() == set()  # one announcement for the one transaction, none for the batch
        changes = changes_from({"score_sheet", "application"})
        assert changes.sheets and not changes.applications and not changes.panels
    finally:
        listener.close()
        other.dispose()


@pytest.mark.pg
def test_migration_0010_adds_the_announcements_and_its_downgrade_removes_them(pg_db):
    from alembic import command
    from sqlalchemy import text

    from reviewtool.storage import migrate

    def triggers() -> set[str]:
        with pg_db.engine.connect() as conn:
            return set(conn.scalars(text("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'rt_announce_%'")))

    assert triggers() == {"rt_announce_score_sheet", "rt_announce_assignment"}
    config = migrate.alembic_config(pg_db.engine)
    command.downgrade(config, "0009")
    assert triggers() == set()
    command.upgrade(config, "head")
    assert triggers() == {"rt_announce_score_sheet", "rt_announce_assignment"}
