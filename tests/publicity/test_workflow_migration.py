"""Migration 0008 on the demonstration data, both engines: the members who were
serving become 已确认 (a member who had declined, 已谢绝), earlier draws get an
empty rule (a plain draw, replayed as before), the formal-review results keep
every value; the 公示 and objection tables come and go, and nothing else moves."""

from __future__ import annotations

import datetime as dt

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from reviewtool.services.demo import load_demo
from reviewtool.storage import migrate

KEPT = {
    "panel_member": "id, panel_id, expert_id, draw_id, status, status_reason",
    "panel_draw": "id, panel_id, seed, size, result",
    "formal_check_result": "id, application_id, item_id, passed, reason, checked_by",
    "application": "id, number, status",
    "audit_event": "*",
}


def _rows(database, table: str, columns: str) -> list:
    with database.engine.connect() as conn:
        return conn.execute(text(f"SELECT {columns} FROM {table} ORDER BY 1")).all()


def test_members_become_confirmed_and_the_new_tables_come_and_go(any_db):
    with any_db.session() as session:
        load_demo(session, actor="tester")
    config = migrate.alembic_config(any_db.engine)
    below = ScriptDirectory.from_config(config).get_revision("0008").down_revision
    command.downgrade(config, below)
    columns = {c["name"] for c in inspect(any_db.engine).get_columns("panel_member")}
    assert "invitation" not in columns and "answered_on" not in columns
    assert "publicity" not in inspect(any_db.engine).get_table_names()
    assert "objection" not in inspect(any_db.engine).get_table_names()
    with any_db.engine.begin() as conn:
        # As the app stood before 0008: one member had declined, and a draw was recorded.
        first = conn.execute(text("SELECT id, panel_id FROM panel_member ORDER BY id")).first()
        conn.execute(text("UPDATE panel_member SET status = 'declined', status_reason = '出差' WHERE id = :id"),
                     {"id": first.id})  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO panel_draw (panel_id, seed, size, is_redraw, candidates, exclusions, result, drawn_by, "
                "drawn_at) VALUES (:panel, 'old-seed', 1, false, '[]', '[]', '[1]', 'clerk', :at)"
            ),
            {"panel": first.panel_id, "at": dt.datetime(2025, 4, 1, 9, 0)},
        )
        batch_id, app_id = conn.execute(text("SELECT batch_id, id FROM application ORDER BY id")).first()
        conn.execute(
            text("INSERT INTO formal_check_item (batch_id, code, text, position, active) "
                 "VALUES (:b, 'on_time', '在截止时间前提交', 0, true)"),
            {"b": batch_id},
        )  # fmt: skip
        item = conn.execute(text("SELECT id FROM formal_check_item WHERE code = 'on_time'")).scalar()
        conn.execute(
            text("INSERT INTO formal_check_result (application_id, item_id, passed, reason, checked_by, checked_at) "
                 "VALUES (:a, :i, false, '逾期提交', 'clerk', :at)"),
            {"a": app_id, "i": item, "at": dt.datetime(2025, 4, 2)},
        )  # fmt: skip
    before = {table: _rows(any_db, table, columns) for table, columns in KEPT.items()}
    assert len(before["panel_member"]) > 5 and before["formal_check_result"]

    command.upgrade(config, "head")
    for table, columns in KEPT.items():
        assert _rows(any_db, table, columns) == before[table], f"{table} changed"
    answers = dict(_rows(any_db, "panel_member", "id, invitation"))
    assert answers[first.id] == "declined"
    assert set(v for k, v in answers.items() if k != first.id) == {"confirmed"}
    assert _rows(any_db, "panel_member", "count(*)")[0][0] == len(answers)
    with any_db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM panel_member WHERE answered_on IS NOT NULL")).scalar() == 0
        rules = conn.execute(text("SELECT rule FROM panel_draw")).scalars().all()
    assert rules and all(rule in ({}, "{}") for rule in rules)
    assert {"publicity", "objection"} <= set(inspect(any_db.engine).get_table_names())
    suggested = _rows(any_db, "formal_check_result", "suggested, evidence, override_reason")
    assert suggested == [(None, None, None)]  # the data's verdict was never asked for these

    # With a 公示 and an objection stored, the downgrade drops them (and only them) and the upgrade restores the rest.
    with any_db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO publicity (batch_id, status, starts_on, ends_on, rows, opened_by, opened_at, decisions) "
                "VALUES (:b, 'open', :s, :e, '[]', 'clerk', :at, '{}')"
            ),
            {"b": batch_id, "s": dt.date(2026, 6, 1), "e": dt.date(2026, 6, 7), "at": dt.datetime(2026, 6, 1)},
        )
        conn.execute(
            text(
                "INSERT INTO objection (batch_id, application_id, lodged_by, received_on, grounds, deadline, "
                "handling, outcome, recorded_by, created_at) VALUES (:b, :a, '某公司', :r, '评分不公', :d, '', "
                "'pending', 'clerk', :at)"
            ),
            {"b": batch_id, "a": app_id, "r": dt.date(2026, 6, 2), "d": dt.date(2026, 6, 17),
             "at": dt.datetime(2026, 6, 2)},
        )  # fmt: skip
    command.downgrade(config, below)
    for table, columns in KEPT.items():
        assert _rows(any_db, table, columns) == before[table], f"{table} changed on the way down"
    command.upgrade(config, "head")
    assert _rows(any_db, "objection", "count(*)")[0][0] == 0
