"""The panel service: assignment apply, manual changes, late conflicts,
sheet status, finalising and reopening, meeting votes."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from reviewtool.core.enums import AssignmentStatus, PanelStatus, SheetSource, VoteChoice
from reviewtool.core.errors import Refused, UserError
from reviewtool.services.panels import assignment, conflicts, draw, finalise, membership, panel, status
from reviewtool.services.panels import votes as panels_votes
from reviewtool.services.panels.invitations import confirm_all
from reviewtool.services.scoring import sheet_edits
from reviewtool.services.scoring.results import result_row
from reviewtool.storage.models import Assignment, AuditEvent, AvoidRequest, PanelResult, ScoreSheet

from .conftest import BATCH, attach_general_rubric, build_world, full_sheet


def drawn_panel(session, size=6, **kwargs):
    w = build_world(session, **kwargs)
    panel_id, _c = panel.create_panel(session, BATCH, "第一组", actor="t")
    draw.draw_panel(session, panel_id, size, seed="fixed", actor="t")
    confirm_all(session, panel_id, actor="t")  # the drawn experts accepted
    return w, panel_id


def test_balanced_assignment_preview_then_apply(db):
    with db.session() as s:
        w, panel_id = drawn_panel(s)
        preview = assignment.preview_assignment(s, panel_id, per_application=3, max_load=4)
        assert preview.plan.feasible
        assert s.scalars(select(Assignment)).all() == []  # preview writes nothing
        matrix = conflicts.panel_conflicts(s, panel.get_panel(s, panel_id))
        assert all(matrix.allowed(a, e) for a, e in preview.plan.pairs)
        assignment.apply_assignment(s, panel_id, actor="t", per_application=3, max_load=4)
        rows = s.scalars(select(Assignment).where(Assignment.status == AssignmentStatus.ACTIVE)).all()
        assert Counter(r.application_id for r in rows) == {a: 3 for a in w.apps.values()}
        assert max(Counter(r.expert_id for r in rows).values()) <= 4
        assert panel.get_panel(s, panel_id).status is PanelStatus.ASSIGNED
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "panel.assign")).details["per_application"] == 3


def test_infeasible_apply_is_refused_with_reasons(db):
    with db.session() as s:
        w, panel_id = drawn_panel(s, size=3)
        member = panel.active_member_ids(s, panel.get_panel(s, panel_id))[0]
        s.add(AvoidRequest(application_id=w.apps["HD2026-001"], expert_id=member, expert_name="x"))
        s.flush()
        with pytest.raises(Refused, match="HD2026-001.*申请人要求回避"):
            assignment.apply_assignment(s, panel_id, actor="t", per_application=3, max_load=8)
        assert s.scalars(select(Assignment)).all() == []


def test_whole_panel_mode_skips_conflicts(db):
    with db.session() as s:
        w, panel_id = drawn_panel(s, size=5)
        members = panel.active_member_ids(s, panel.get_panel(s, panel_id))
        s.add(AvoidRequest(application_id=w.apps["HD2026-004"], expert_id=members[0], expert_name="x"))
        s.flush()
        preview, _c = assignment.apply_assignment(s, panel_id, actor="t", mode="whole")
        matrix = conflicts.panel_conflicts(s, panel.get_panel(s, panel_id))
        expected = {(a, e) for a in w.apps.values() for e in members if matrix.allowed(a, e)}
        assert set(preview.plan.pairs) == expected
        assert len(preview.plan.skipped) == len(w.apps) * len(members) - len(expected) == 1
        assert (w.apps["HD2026-004"], members[0]) not in set(preview.plan.pairs)


def test_manual_add_refused_when_conflicted(db):
    with db.session() as s:
        w, panel_id = drawn_panel(s, size=6)
        assignment.apply_assignment(s, panel_id, actor="t", per_application=2, max_load=4)
        app = w.apps["HD2026-002"]
        members = panel.active_member_ids(s, panel.get_panel(s, panel_id))
        assigned = set(s.scalars(select(Assignment.expert_id).where(Assignment.application_id == app)))
        target = next(e for e in members if e not in assigned)
        s.add(AvoidRequest(application_id=app, expert_id=target, expert_name="x"))
        s.flush()
        with pytest.raises(Refused, match="申请人要求回避"):
            assignment.add_assignment(s, panel_id, app, target, actor="t")


def test_late_conflict_excludes_sheet_and_flags_replacement(db):
    with db.session() as s:
        w, panel_id = drawn_panel(s, size=6)
        attach_general_rubric(s, w.batch_id)
        assignment.apply_assignment(s, panel_id, actor="t", per_application=3, max_load=4)
        app = w.apps["HD2026-003"]
        reviewers = sorted(s.scalars(select(Assignment.expert_id).where(Assignment.application_id == app)))
        for e in reviewers:
            sheet_edits.save_sheet(s, application_id=app, reviewer_id=e, data=full_sheet(11), actor="t",
                                   panel_id=panel_id, submit=True)  # fmt: skip
        before = result_row(s, app).sheet_count
        conflicts.declare_conflict(s, panel_id, app, reviewers[0], "发现与项目负责人为师生关系", actor="t")
        sheet = s.scalar(
            select(ScoreSheet).where(ScoreSheet.application_id == app, ScoreSheet.reviewer_id == reviewers[0])
        )
        assert sheet.excluded and "师生" in sheet.excluded_reason
        assert result_row(s, app).sheet_count == before - 1
        view = status.sheet_status(s, panel_id)
        states = {(r.application_id, r.expert_id): r.state for r in view.rows}
        assert states[(app, reviewers[0])] == status.STATE_CONFLICT
        assert app in view.needs_replacement
        new, _c = conflicts.replace_reviewer(s, panel_id, app, actor="t")
        assert new not in reviewers
        assert app not in status.sheet_status(s, panel_id).needs_replacement
        again = assignment.preview_assignment(s, panel_id, per_application=3, max_load=5)
        assert (app, reviewers[0]) not in again.plan.pairs


def test_sheet_status_missing_late_submitted(db):
    with db.session() as s:
        w, panel_id = drawn_panel(s, size=6)
        attach_general_rubric(s, w.batch_id)
        assignment.apply_assignment(s, panel_id, actor="t", per_application=3, max_load=4)
        app = w.apps["HD2026-001"]
        first = s.scalars(select(Assignment.expert_id).where(Assignment.application_id == app)).first()
        sheet_edits.save_sheet(s, application_id=app, reviewer_id=first, data=full_sheet(), actor="t", submit=True)
        view = status.sheet_status(s, panel_id)
        assert view.counts[status.STATE_SUBMITTED] == 1
        assert view.counts[status.STATE_MISSING] == len(w.apps) * 3 - 1
        panel.get_panel(s, panel_id).due_date = dt.date(2026, 1, 1)
        late = status.sheet_status(s, panel_id, today=dt.date(2026, 1, 2))
        assert late.counts[status.STATE_LATE] == len(w.apps) * 3 - 1
        assert late.counts[status.STATE_SUBMITTED] == 1


def test_finalise_locks_sheets_and_reopen_needs_reason(db):
    with db.session() as s:
        w, panel_id = drawn_panel(s, size=6)
        attach_general_rubric(s, w.batch_id)
        assignment.apply_assignment(s, panel_id, actor="t", per_application=3, max_load=4)
        pairs = s.execute(select(Assignment.application_id, Assignment.expert_id)).all()
        for a, e in pairs[:-1]:
            sheet_edits.save_sheet(s, application_id=a, reviewer_id=e, data=full_sheet(10), actor="t",
                                   source=SheetSource.PAPER, submit=True)  # fmt: skip
        with pytest.raises(Refused, match="未提交"):
            finalise.finalize_panel(s, panel_id, actor="t")
        a, e = pairs[-1]
        sheet_edits.save_sheet(s, application_id=a, reviewer_id=e, data=full_sheet(12), actor="t", submit=True)
        finalise.finalize_panel(s, panel_id, actor="chief")
        assert all(sheet.locked for sheet in s.scalars(select(ScoreSheet)))
        assert all(r.locked for r in s.scalars(select(PanelResult)))
        frozen = {r.application_id: r.mean for r in s.scalars(select(PanelResult))}
        with pytest.raises(Refused):
            sheet_edits.save_sheet(s, application_id=a, reviewer_id=e, data=full_sheet(13), actor="t")
        with pytest.raises(Refused):
            assignment.add_assignment(s, panel_id, a, e, actor="t")
        assert {r.application_id: r.mean for r in s.scalars(select(PanelResult))} == frozen
        with pytest.raises(UserError, match="原因"):
            finalise.reopen_panel(s, panel_id, "  ", actor="t")
        finalise.reopen_panel(s, panel_id, "专家补充意见", actor="chief")
        assert not any(sheet.locked for sheet in s.scalars(select(ScoreSheet)))
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "panel.reopen"))
        assert event.details["reason"] == "专家补充意见" and event.details["finalized_by"] == "chief"


@pytest.mark.parametrize(
    ("rule", "votes", "passed"),
    [
        ("simple", ["for", "for", "against", "abstain", "abstain"], True),
        ("simple", ["for", "against"], False),
        ("absolute", ["for", "for", "against", "abstain", "abstain"], False),
        ("absolute", ["for", "for", "for", "against"], True),
        ("two_thirds", ["for", "for", "for", "against", "abstain"], False),
        ("two_thirds", ["for", "for", "for", "for", "against"], True),
    ],
)
def test_meeting_votes_majority_rules(db, rule, votes, passed):
    with db.session() as s:
        w = build_world(s)
        panel_id, _c = panel.create_panel(s, BATCH, "会评组", actor="t")
        for name in ("专家07", "专家08", "专家09", "专家10", "专家11"):
            membership.add_member(s, panel_id, w.experts[name], "会议评审", actor="t")
        panel.update_settings(s, panel_id, {"majority": rule}, actor="t")
        app = w.apps["HD2026-005"]
        matrix = conflicts.panel_conflicts(s, panel.get_panel(s, panel_id))
        voters = [e for e in panel.active_member_ids(s, panel.get_panel(s, panel_id)) if matrix.allowed(app, e)]
        for expert_id, choice in zip(voters, votes, strict=False):
            panels_votes.record_vote(s, panel_id, app, expert_id, VoteChoice(choice), actor="t")
        outcome = next(o for o in panels_votes.vote_outcomes(s, panel_id) if o.application_id == app)
        assert outcome.eligible == len(voters) == 5
        assert outcome.passed is passed
        from reviewtool.services.panels import calibration

        row = next(r for r in calibration.calibration_view(s, BATCH).results if r.application_id == app)
        assert row.vote.startswith("通过" if passed else "未通过")


def test_conflicted_member_cannot_vote(db):
    with db.session() as s:
        w, panel_id = drawn_panel(s, size=6)
        membership.add_member(s, panel_id, w.experts["专家01"], "熟悉该领域", actor="t")
        with pytest.raises(Refused, match="回避"):
            panels_votes.record_vote(s, panel_id, w.apps["HD2026-001"], w.experts["专家01"], VoteChoice.FOR, actor="t")
        panels_votes.record_vote(s, panel_id, w.apps["HD2026-002"], w.experts["专家01"], VoteChoice.FOR, actor="t")
