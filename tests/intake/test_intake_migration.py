"""Migration 0003 (column-mapping profiles) on a database full of demonstration data."""

from __future__ import annotations

from alembic import command
from sqlalchemy import func, inspect, select, table

from reviewtool.services.demo import load_demo
from reviewtool.services.intake.mapping import list_profiles, save_profile
from reviewtool.storage import migrate


def _counts(database):
    names = [n for n in inspect(database.engine).get_table_names() if n not in ("alembic_version",)]
    with database.engine.connect() as conn:
        return {n: conn.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names}


def test_0003_adds_only_the_profile_table_and_keeps_the_demo_data(any_db):
    with any_db.session() as session:
        load_demo(session, actor="tester")
        save_profile(session, "省级验收表", {"资助金额": "requested_amount"}, ["项目名称", "资助金额"], actor="t")
    before = _counts(any_db)
    assert before["intake_mapping_profile"] == 1 and before["application"] > 0
    config = migrate.alembic_config(any_db.engine)
    command.downgrade(config, "0002")
    down = _counts(any_db)
    assert "intake_mapping_profile" not in down
    assert down == {k: before[k] for k in down}  # every demo row kept (later slots may drop their own tables)
    assert {"application", "unit", "batch", "application_area", "audit_event"} <= set(down)
    command.upgrade(config, "head")
    up = _counts(any_db)
    # The tables that lived through the downgrade are as before; later slots rebuild their own
    # tables on the way up in their own way (0007 gives each batch 形式审查 and 网络评审 only).
    assert {k: up[k] for k in down} == down and up["intake_mapping_profile"] == 0
    with any_db.session() as session:
        save_profile(session, "省级验收表", {"资助金额": "requested_amount"}, ["项目名称", "资助金额"], actor="t")
        assert [p.name for p in list_profiles(session)] == ["省级验收表"]
