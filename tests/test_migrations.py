"""Every migration, down and up again, on a database full of demonstration data.

A later migration's own test checks its data in detail; this one checks that
each step down and back up keeps every row of the tables that exist on both
sides (a downgrade may drop only what its upgrade added)."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, table

from reviewtool.services.demo import load_demo
from reviewtool.storage import migrate
from reviewtool.storage.database import Database


def _revisions(database: Database) -> list[str]:
    """Revisions from head down to the first, in order."""
    script = ScriptDirectory.from_config(migrate.alembic_config(database.engine))
    return [rev.revision for rev in script.walk_revisions()]


def _row_counts(database: Database) -> dict[str, int]:
    names = [n for n in inspect(database.engine).get_table_names() if n != "alembic_version"]
    with database.engine.connect() as conn:
        return {n: conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names}


@pytest.fixture
def demo_any_db(any_db: Database) -> Database:
    with any_db.session() as session:
        load_demo(session, actor="tester")
    return any_db


def test_the_chain_is_linear():
    config = migrate.alembic_config(None)
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1, "two migrations revise the same revision; chain them"


def test_each_migration_down_and_up_keeps_the_demo_data(demo_any_db: Database):
    database = demo_any_db
    config = migrate.alembic_config(database.engine)
    before = _row_counts(database)
    assert before["application"] > 0 and before["score_sheet"] > 0
    revisions = _revisions(database)
    # Down to each earlier revision in turn (so every downgrade runs on demo
    # data), then back up to head.
    for target in revisions[1:]:
        command.downgrade(config, target)
        assert migrate.current_revision(database.engine) == target
        down = _row_counts(database)
        for name, count in down.items():
            if name in before:
                assert count == before[name], f"downgrading to {target} changed {name}"
        command.upgrade(config, "head")
        assert migrate.current_revision(database.engine) == revisions[0]
        after = _row_counts(database)
        for name, count in down.items():
            assert after[name] == count, f"upgrading from {target} changed {name}"
