"""An infeasible assignment names the constraint that binds (issue 11):
pairs kept because they carry sheets, not the load cap, when they are the cause."""

from __future__ import annotations

from sqlalchemy import select

from panels.conftest import BATCH, attach_general_rubric, build_world, full_sheet
from reviewtool.core.panels.assignment import balanced
from reviewtool.services.panels import assignment, draw, panel
from reviewtool.services.panels.invitations import confirm_all
from reviewtool.services.scoring import sheet_edits
from reviewtool.storage.models import Assignment


def test_fewer_reviewers_than_the_sheets_already_kept_names_the_sheets_not_the_load_cap(db):
    with db.session() as s:
        world = build_world(s, n_apps=8, n_experts=14)
        attach_general_rubric(s, world.batch_id)
        panel_id, _c = panel.create_panel(s, BATCH, "第一组", actor="t")
        draw.draw_panel(s, panel_id, 7, seed="kept", actor="t")
        confirm_all(s, panel_id, actor="t")  # the drawn experts accepted
        assignment.apply_assignment(s, panel_id, actor="t", per_application=5, max_load=8)
        for app_id, expert_id in s.execute(select(Assignment.application_id, Assignment.expert_id)).all():
            sheet_edits.save_sheet(s, application_id=app_id, reviewer_id=expert_id, data=full_sheet(), actor="t")
        preview = assignment.preview_assignment(s, panel_id, per_application=3, max_load=8)
    reasons = {sf.reason for sf in preview.plan.shortfalls}
    assert len(preview.plan.shortfalls) == 8
    assert reasons == {
        "5 位专家已有该项目的评审表，重新分配时会保留有评审表的分配：多于所要求的 3 位评审专家。请至少要求 5 位，或先删除这些评审表。"
    }
    assert not any("评审上限" in r for r in reasons)


def test_experts_held_at_the_cap_by_kept_pairs_are_named_as_such():
    apps, experts = [1, 2, 3, 4], [10, 20, 30]
    kept = [(1, 10), (2, 10), (3, 10), (1, 20), (2, 20), (3, 20)]
    plan = balanced(apps, experts, per_application=2, max_load=3, allowed=lambda a, e: True, fixed=kept)
    assert plan.pairs == []
    (short,) = plan.shortfalls
    assert short.application_id == 4
    assert "保留" in short.reason and "评审表" in short.reason  # the kept pairs, not "other applications"


def test_the_plain_load_cap_message_stays_for_a_real_load_cap_problem():
    apps, experts = [1, 2, 3, 4], [10, 20, 30]
    plan = balanced(apps, experts, per_application=2, max_load=2, allowed=lambda a, e: True)
    assert plan.shortfalls and all("3 位专家" in s.reason for s in plan.shortfalls)
