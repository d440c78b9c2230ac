"""Migration 0009 on the demonstration data, both engines: the upgrade adds ``review_declaration``
(one row per expert and stage) and nothing else; the downgrade drops exactly it, with the
declarations recorded, and keeps every other row; upgrading again gives an empty table."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, inspect, select, table
from sqlalchemy.exc import IntegrityError

from reviewtool.services.demo import load_demo
from reviewtool.services.my_reviews import declarations
from reviewtool.storage import migrate
from reviewtool.storage.models import Assignment, ReviewDeclaration


def _counts(database) -> dict[str, int]:
    names = [n for n in inspect(database.engine).get_table_names() if n != "alembic_version"]
    with database.engine.connect() as conn:
        return {n: conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names}


def test_0009_adds_the_declarations_and_its_downgrade_drops_only_them(any_db):
    database = any_db
    with database.session() as session:
        load_demo(session, actor="tester")
        expert_id, stage_id = session.execute(select(Assignment.expert_id, Assignment.stage_id).limit(1)).one()
        declarations.accept_declarations(
            session, stage_id, conflicts={}, confidentiality=True, actor="tester", expert_id=expert_id
        )
    config = migrate.alembic_config(database.engine)
    command.downgrade(config, "0009")  # later migrations first: this test is about 0009
    assert migrate.current_revision(database.engine) == "0009"
    before = _counts(database)
    assert before["review_declaration"] == 1
    with pytest.raises(IntegrityError):  # one declaration per expert and stage, by the database itself
        with database.session() as session:
            session.add(ReviewDeclaration(stage_id=stage_id, expert_id=expert_id, conflicts=[]))
    command.downgrade(config, "0008")
    down = _counts(database)
    assert "review_declaration" not in down
    assert down == {k: v for k, v in before.items() if k != "review_declaration"}
    command.upgrade(config, "head")
    again = _counts(database)
    assert again == {**down, "review_declaration": 0}
    columns = {c["name"] for c in inspect(database.engine).get_columns("review_declaration")}
    assert {"stage_id", "expert_id", "conflicts", "confidentiality_text", "accepted_by", "accepted_at"} <= columns
