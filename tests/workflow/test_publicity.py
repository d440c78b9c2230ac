"""公示 and 异议 / 复审 through the service layer: the list frozen at opening, the objection
register with every step audited, an upheld objection sent to 复审 without the original
experts, and closing, which makes the decisions final."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from panels.conftest import full_sheet
from reviewtool.core.enums import ApplicationStatus, ObjectionOutcome, PublicityStatus
from reviewtool.core.errors import Refused, UserError
from reviewtool.services.funding import funding_view, set_funding_settings, set_recommended_amount
from reviewtool.services.panels import invitations
from reviewtool.services.panels import panel as panels
from reviewtool.services.publicity import notice, objections
from reviewtool.services.publicity.review import REVIEW_STAGE, original_experts, send_to_review
from reviewtool.services.scoring import sheet_edits
from reviewtool.services.stages.finalise import finalize_stage
from reviewtool.storage.models import Application, AuditEvent, PanelMember, Publicity
from stages.staged_world import REMOTE_EXPERTS, remote_stage

START, END = dt.date(2026, 11, 20), dt.date(2026, 11, 27)


@pytest.fixture
def reviewed(db):
    """Twelve applications scored and finalised in 网络评审, a budget of 150 (万元): five within the line."""
    with db.session() as s:
        world, _panel = remote_stage(s, n_apps=12)
        set_funding_settings(s, world.batch_id, actor="t", budget=Decimal("150"))
        funded = [r.number for r in funding_view(s, world.batch_id).rows if r.funded]
    assert len(funded) == 5
    return world, funded


def opened(db, world):
    with db.session() as s:
        notice.open_publicity(s, world.batch_id, starts_on=START, ends_on=END, actor="t")


def test_opening_freezes_the_published_list(db, reviewed):
    world, funded = reviewed
    with db.session() as s:
        with pytest.raises(UserError):
            notice.open_publicity(s, world.batch_id, starts_on=END, ends_on=START, actor="t")
    opened(db, world)
    with db.session() as s:
        view = notice.publicity_view(s, world.batch_id)
        assert view.is_open and [r["number"] for r in view.rows] == funded
        assert {"title", "unit", "pi_name", "category", "county"} <= set(view.rows[0])
        # The live line moves (a smaller budget) but what went out does not.
        set_funding_settings(s, world.batch_id, actor="t", budget=Decimal("60"))
        assert sum(r.funded for r in funding_view(s, world.batch_id).rows) < 5
        assert [r["number"] for r in notice.publicity_view(s, world.batch_id).rows] == funded
        with pytest.raises(Refused):
            notice.open_publicity(s, world.batch_id, starts_on=START, ends_on=END, actor="t")
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "publicity.open"))
        assert len(event.details["applications"]) == 5


def test_a_draft_review_is_not_published(db):
    from panels.conftest import build_world

    with db.session() as s:
        world = build_world(s, n_apps=3)
        with pytest.raises(Refused):
            notice.open_publicity(s, world.batch_id, starts_on=START, ends_on=END, actor="t")


def test_the_objection_register_checks_and_records_every_step(db, reviewed):
    world, funded = reviewed
    with db.session() as s, pytest.raises(Refused):  # no 公示 yet
        objections.register_objection(
            s, world.batch_id, funded[0], lodged_by="测试单位2", received_on=START, grounds="评分不公", actor="t"
        )
    opened(db, world)
    with db.session() as s:
        with pytest.raises(Refused):  # late
            objections.register_objection(
                s, world.batch_id, funded[0], lodged_by="测试单位2", received_on=END + dt.timedelta(days=1),
                grounds="评分不公", actor="t",
            )  # fmt: skip
        with pytest.raises(UserError):
            objections.register_objection(
                s, world.batch_id, funded[0], lodged_by=" ", received_on=START, grounds="x", actor="t"
            )
        oid, _c = objections.register_objection(
            s, world.batch_id, funded[0], lodged_by="测试单位2", received_on="2026-11-22", grounds="评分不公",
            contact="0972-1234567", actor="t",
        )  # fmt: skip
        objections.record_handling(s, oid, "转专家组核实", actor="t", on="2026-11-23")
        objections.record_handling(s, oid, "约谈申报单位", actor="t", on="2026-11-24")
        with pytest.raises(Refused):
            objections.close_objection(s, oid, actor="t")  # not decided
        with pytest.raises(UserError):
            objections.decide_objection(s, oid, ObjectionOutcome.REJECTED, "", actor="t")
        objections.decide_objection(s, oid, ObjectionOutcome.REJECTED, "评分程序合规", actor="t")
        with pytest.raises(Refused):
            objections.close_objection(s, oid, actor="t", decision="not_funded")  # only upheld ones change it
        objections.close_objection(s, oid, actor="t", closed_on="2026-11-26")
        with pytest.raises(Refused):
            objections.record_handling(s, oid, "再次核实", actor="t")
        (row,) = objections.objection_rows(s, world.batch_id)
        actions = list(
            s.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "objection").order_by(AuditEvent.id))
        )
    assert row.number == funded[0] and row.deadline == dt.date(2026, 12, 7)  # 15 days to answer
    assert row.handling.splitlines() == ["2026-11-23 转专家组核实", "2026-11-24 约谈申报单位"]
    assert row.outcome is ObjectionOutcome.REJECTED and row.closed_on == dt.date(2026, 11, 26)
    assert actions == ["objection.register", "objection.handle", "objection.handle", "objection.decide",
                       "objection.close"]  # fmt: skip


def test_an_upheld_objection_goes_to_review_without_the_original_experts(db, reviewed):
    world, funded = reviewed
    opened(db, world)
    target = funded[-1]
    with db.session() as s:
        oid, _c = objections.register_objection(
            s, world.batch_id, target, lodged_by="测试单位3", received_on=START, grounds="专家回避不当", actor="t"
        )
        with pytest.raises(Refused):
            send_to_review(s, oid, actor="t", size=3)  # not upheld yet
        objections.decide_objection(s, oid, ObjectionOutcome.UPHELD, "有一位专家应回避", actor="t")
        originals = set(original_experts(s, world.apps[target]))
        assert originals == {world.experts[n] for n in REMOTE_EXPERTS}
        outcome = send_to_review(s, oid, actor="t", size=3, seed="fs-1")
        assert outcome.stage == REVIEW_STAGE == "复审"
        drawn = set(outcome.draw.result.drawn)
        assert len(drawn) == 3 and not drawn & originals
        assert originals <= {e.expert_id for e in outcome.draw.result.exclusions}
        assert panels.group_application_ids(s, panels.get_panel(s, outcome.panel_id)) == [world.apps[target]]
        with pytest.raises(Refused):
            send_to_review(s, oid, actor="t", size=3)
        with pytest.raises(Refused):
            objections.decide_objection(s, oid, ObjectionOutcome.REJECTED, "改判", actor="t")
        with pytest.raises(Refused):  # the 复审 is not finalised
            objections.close_objection(s, oid, actor="t", decision="not_funded")
        with pytest.raises(Refused):  # an open objection holds the close
            notice.close_publicity(s, world.batch_id, actor="t", closed_on=END)
        # The 复审 panel answers, scores and is finalised.
        invitations.confirm_all(s, outcome.panel_id, actor="t")
        for expert_id in drawn:
            sheet_edits.save_sheet(
                s, application_id=world.apps[target], reviewer_id=expert_id, actor="t", panel_id=outcome.panel_id,
                data=full_sheet(6), submit=True,
            )  # fmt: skip
        finalize_stage(s, world.batch_id, REVIEW_STAGE, actor="t")
        objections.close_objection(s, oid, actor="t", closed_on=END, decision="not_funded")
        notice.close_publicity(s, world.batch_id, actor="t", closed_on=END + dt.timedelta(days=1))
    with db.session() as s:
        record = s.scalar(select(Publicity))
        assert record.status is PublicityStatus.CLOSED
        statuses = {a.number: a.status for a in s.scalars(select(Application))}
        assert statuses[target] is ApplicationStatus.NOT_RECOMMENDED
        assert all(statuses[n] is ApplicationStatus.FUNDED for n in funded[:-1])
        assert sum(1 for v in record.decisions.values() if v == "funded") == 4
        close = s.scalar(select(AuditEvent).where(AuditEvent.action == "publicity.close"))
        assert close.details["new"]["changed_since_published"] == [target]
        assert s.scalar(select(PanelMember).where(PanelMember.panel_id == outcome.panel_id)) is not None


def test_after_closing_a_change_needs_a_reason_and_is_recorded(db, reviewed):
    world, funded = reviewed
    opened(db, world)
    with db.session() as s:
        with pytest.raises(Refused):
            notice.amend_decision(s, world.apps[funded[0]], funded=False, reason="x", actor="t")  # not final yet
        with pytest.raises(UserError):
            notice.close_publicity(s, world.batch_id, actor="t", closed_on=START - dt.timedelta(days=1))
        notice.close_publicity(s, world.batch_id, actor="t", closed_on=END)
        with pytest.raises(Refused):
            notice.close_publicity(s, world.batch_id, actor="t")
        with pytest.raises(UserError):
            set_funding_settings(s, world.batch_id, actor="t", budget=Decimal("200"))  # no reason
        with pytest.raises(UserError):
            notice.amend_decision(s, world.apps[funded[0]], funded=False, reason=" ", actor="t")
        notice.amend_decision(s, world.apps[funded[0]], funded=False, reason="单位主动放弃", actor="t")
        assert s.get(Application, world.apps[funded[0]]).status is ApplicationStatus.NOT_RECOMMENDED
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "decision.amend"))
        assert event.details["reason"] == "单位主动放弃"
        set_recommended_amount(s, world.apps[funded[1]], Decimal("20"), reason="压减", actor="t")
        # A project the final decisions leave out gets no amount here: the decision itself is amended, with a reason.
        with pytest.raises(Refused, match="修改最终决定"):
            set_recommended_amount(s, world.apps[funded[0]], Decimal("10"), reason="补助", actor="t")
