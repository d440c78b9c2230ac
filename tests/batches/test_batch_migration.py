"""Migration 0002 adds ``batch.min_sheets``: existing batches get 3, the
downgrade drops only that column, and nothing else of the demo data moves."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from reviewtool.services.demo import load_demo
from reviewtool.storage import migrate


def test_min_sheets_defaults_to_three_for_existing_batches(any_db):
    with any_db.session() as session:
        load_demo(session, actor="tester")
    config = migrate.alembic_config(any_db.engine)
    with any_db.engine.connect() as conn:
        before = conn.execute(text("SELECT id, name, threshold, trimmed_min_sheets FROM batch ORDER BY id")).all()
    command.downgrade(config, "0001")
    assert "min_sheets" not in {c["name"] for c in inspect(any_db.engine).get_columns("batch")}
    command.upgrade(config, "0002")
    with any_db.engine.connect() as conn:
        after = conn.execute(text("SELECT id, name, threshold, trimmed_min_sheets, min_sheets FROM batch ORDER BY id"))
        rows = after.all()
    assert [tuple(r[:4]) for r in rows] == [tuple(r) for r in before]
    assert [r[4] for r in rows] == [3] * len(before)
    command.upgrade(config, "head")
