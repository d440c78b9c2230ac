"""An expert's service record (staff only): panels, sheets on time or late, declines, offset."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from panels.conftest import attach_general_rubric, build_world, full_sheet
from reviewtool.core.errors import NotFound
from reviewtool.services.experts.service_record import expert_id_of, service_record
from reviewtool.services.panels import assignment, invitations
from reviewtool.services.panels import panel as panels
from reviewtool.services.panels.draw import draw_panel
from reviewtool.services.scoring import sheet_edits
from reviewtool.storage.models import Assignment, Expert, ScoreSheet
from stages.staged_world import remote_stage


def test_the_record_counts_sheets_on_time_late_declines_and_offset(db):
    with db.session() as s:
        world = build_world(s, n_apps=6, n_experts=14)
        attach_general_rubric(s, world.batch_id)
        panel_id, _c = panels.create_panel(s, world.batch_id, "网评组", actor="t", due_date=dt.date(2026, 1, 10))
        drawn = draw_panel(s, panel_id, 4, actor="t", seed="srv").result.drawn
        invitations.confirm_all(s, panel_id, actor="t")
        assignment.apply_assignment(s, panel_id, actor="t", per_application=3)
        for app_id, expert_id in s.execute(select(Assignment.application_id, Assignment.expert_id)):
            sheet_edits.save_sheet(
                s, application_id=app_id, reviewer_id=expert_id, actor="t", panel_id=panel_id,
                data=full_sheet(8 + expert_id % 4), submit=True,
            )  # fmt: skip
        expert = drawn[0]
        sheets = list(s.scalars(select(ScoreSheet).where(ScoreSheet.reviewer_id == expert).order_by(ScoreSheet.id)))
        for sheet in sheets:  # on time, but one after the due date
            sheet.submitted_at = dt.datetime(2026, 1, 9, 8, tzinfo=dt.UTC)
        sheets[0].submitted_at = dt.datetime(2026, 1, 12, 8, tzinfo=dt.UTC)
    with db.session() as s:
        record = service_record(s, expert)
    assert record.batches == 1 and record.stages == 1 and record.declines == 0
    assert (record.on_time, record.late) == (len(sheets) - 1, 1)
    assert record.offset is not None and record.compared == len(sheets)
    assert record.recent_reviews == 1 and record.cap == 10
    data = record.as_json()
    assert data["sheets_late"] == 1 and data["panels"][0]["panel"] == "网评组"
    assert data["panels"][0]["invitation"] == "confirmed"


def test_declines_are_counted_and_names_resolved(db):
    with db.session() as s:
        world, _panel = remote_stage(s, n_apps=4)
        from reviewtool.services.stages.promotion import apply_promotion

        apply_promotion(s, world.batch_id, "网络评审", actor="t", top=2)
        meeting, _c = panels.create_panel(s, world.batch_id, "会评组", actor="t")
        drawn = draw_panel(s, meeting, 3, actor="t", seed="rec").result.drawn
        invitations.decline_invitation(s, meeting, drawn[0], "出国访学", actor="t", seed="rec-2")
    with db.session() as s:
        name = s.get(Expert, drawn[0]).name
        record = service_record(s, expert_id_of(s, name))
        assert expert_id_of(s, str(drawn[0])) == drawn[0]
        with pytest.raises(NotFound):
            expert_id_of(s, "没有这个人")
    assert record.declines == 1
    line = next(x for x in record.lines if x.declined)
    assert line.reason == "出国访学" and line.stage == "会议评审" and line.answered_on == dt.date.today()
