"""The batch dashboard (批次进度) and the reminder list, counted through the service layer."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from panels.conftest import attach_general_rubric, build_world, full_sheet
from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services.dashboard.progress import dashboard
from reviewtool.services.dashboard.reminders import export_call_list, reminders
from reviewtool.services.intake.formal_review import pass_all
from reviewtool.services.panels import assignment, draw_rules, invitations
from reviewtool.services.panels import panel as panels
from reviewtool.services.panels.draw import draw_panel
from reviewtool.services.scoring import sheet_edits
from reviewtool.storage.models import Assignment, AuditEvent, Expert

DUE = dt.date(2026, 11, 20)


def steps(board) -> dict:
    return {s.key: s for s in board.steps}


@pytest.fixture
def running(db):
    """Eight applications, six passed formal review; a panel of five drawn, four confirmed, one
    pending; assigned three per application; two experts have submitted everything."""
    with db.session() as s:
        world = build_world(s, n_apps=8, n_experts=14)
        attach_general_rubric(s, world.batch_id)
        draw_rules.set_draw_rules(s, actor="t", cap=None, rotation=False)
        ids = [world.apps[f"HD2026-{i:03d}"] for i in range(1, 9)]
        pass_all(s, ids[:6], actor="t")
        panel_id, _c = panels.create_panel(s, world.batch_id, "网评组", actor="t", due_date=DUE)
        drawn = list(draw_panel(s, panel_id, 5, actor="t", seed="dash").result.drawn)
        for expert_id in drawn[:4]:
            invitations.confirm_member(s, panel_id, expert_id, actor="t")
        s.get(Expert, drawn[0]).phone = "13900000001"
        assignment.apply_assignment(s, panel_id, actor="t", per_application=3)
        pairs = list(s.execute(select(Assignment.application_id, Assignment.expert_id)))
        finished = drawn[:2]
        for app_id, expert_id in pairs:
            if expert_id in finished:
                sheet_edits.save_sheet(
                    s, application_id=app_id, reviewer_id=expert_id, actor="t", panel_id=panel_id,
                    data=full_sheet(10), submit=True,
                )  # fmt: skip
    return world, panel_id, drawn, pairs


def test_every_step_is_counted_with_what_to_do_next(db, running):
    world, _panel_id, drawn, pairs = running
    with db.session() as s:
        board = dashboard(s, world.batch_id, today=DUE + dt.timedelta(days=1))
    by_key = steps(board)
    assert board.received == 8 and by_key["received"].state == "done"
    assert board.formal == {"passed": 6, "failed": 0, "pending": 2, "withdrawn": 0}
    assert by_key["formal"].state == "todo" and "2" in by_key["formal"].next
    remote = board.stages[0]
    assert (remote.panels, remote.panels_drawn) == (1, 1)
    assert (remote.members_confirmed, remote.members_pending, remote.members_declined) == (4, 1, 0)
    finished = sum(1 for _a, e in pairs if e in drawn[:2])
    assert remote.sheets_due == len(pairs) and remote.sheets_submitted == finished
    assert remote.sheets_overdue == len(pairs) - finished  # past the due date
    stage_step = by_key[f"stage:{remote.id}"]
    assert stage_step.state == "doing" and stage_step.page == "panels" and "1" in stage_step.next
    assert by_key["publicity"].state == "waiting" and by_key["objections"].state == "waiting"
    data = board.as_json()
    assert data["stages"][0]["members_pending"] == 1 and data["received"] == 8


def test_before_the_due_date_nothing_is_overdue(db, running):
    world, *_ = running
    with db.session() as s:
        board = dashboard(s, world.batch_id, today=DUE)
    assert board.stages[0].sheets_overdue == 0


def test_once_every_member_answered_the_next_step_is_collecting_sheets(db, running):
    world, panel_id, drawn, _pairs = running
    with db.session() as s:
        invitations.confirm_member(s, panel_id, drawn[4], actor="t")
        step = steps(dashboard(s, world.batch_id, today=DUE + dt.timedelta(days=1)))[f"stage:{_stage_id(s, panel_id)}"]
    assert step.page == "dashboard" and step.state == "doing"
    assert step.counts["sheets_due"] - step.counts["sheets_submitted"] > 0


def _stage_id(s, panel_id):
    return panels.get_panel(s, panel_id).stage_id


def test_the_reminder_list_names_each_late_expert_with_phone_and_missing_sheets(db, running, tmp_path):
    world, _panel_id, drawn, pairs = running
    with db.session() as s:
        rows = reminders(s, world.batch_id, today=DUE + dt.timedelta(days=1))
    late = {r.expert_id for r in rows}
    expected = {e for _a, e in pairs if e not in drawn[:2]}
    assert late == expected and all(r.overdue for r in rows)
    for r in rows:
        assert set(r.missing) == {n for n, i in world.apps.items() if (i, r.expert_id) in set(pairs)}
    with db.session() as s:
        s.get(Expert, rows[0].expert_id).phone = "13912345678"
    with db.session() as s:
        export_call_list(s, world.batch_id, tmp_path / "催交.xlsx", actor="t", today=DUE + dt.timedelta(days=1))
        recorded = s.scalar(select(AuditEvent).where(AuditEvent.action == "list.export"))
        assert recorded.details["confidential"] is True
    sheet = load_workbook(tmp_path / "催交.xlsx").active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "13912345678" in values
    assert sum(1 for v in values if v in {r.name for r in rows}) == len(rows)
    with db.session() as s, pytest.raises(UserError):
        export_call_list(s, world.batch_id, tmp_path / "催交.csv", actor="t")


def test_a_finalised_stage_needs_no_reminders(db, running):
    world, panel_id, drawn, pairs = running
    with db.session() as s:
        invitations.confirm_member(s, panel_id, drawn[4], actor="t")
        for app_id, expert_id in pairs:
            if expert_id not in drawn[:2]:
                sheet_edits.save_sheet(
                    s, application_id=app_id, reviewer_id=expert_id, actor="t", panel_id=panel_id,
                    data=full_sheet(10), submit=True,
                )  # fmt: skip
        assert reminders(s, world.batch_id) == []
        board = dashboard(s, world.batch_id)
    remote = board.stages[0]
    assert remote.sheets_submitted == remote.sheets_due
    assert steps(board)[f"stage:{remote.id}"].next == _("Every sheet is in: finalise the stage.")
