"""Invitations (待确认 / 已确认 / 谢绝), the yearly cap and rotation, through the service layer."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from panels.conftest import build_world
from reviewtool.core.enums import Invitation
from reviewtool.core.errors import Refused, UserError
from reviewtool.core.panels.draw import replay
from reviewtool.services.panels import assignment, draw_rules, invitations
from reviewtool.services.panels import panel as panels
from reviewtool.services.panels.draw import draw_panel, draw_preview
from reviewtool.storage.models import AuditEvent, PanelDraw, PanelMember


@pytest.fixture
def drawn(db):
    """A world with one panel of five drawn experts, all 待确认."""
    with db.session() as s:
        world = build_world(s, n_apps=6, n_experts=14)
        draw_rules.set_draw_rules(s, actor="t", cap=None, rotation=False)
        panel_id, _c = panels.create_panel(s, world.batch_id, "网评组", actor="t")
        outcome = draw_panel(s, panel_id, 5, actor="t", seed="inv-1")
    return world, panel_id, list(outcome.result.drawn)


def test_drawn_members_wait_for_confirmation_and_assignment_waits_for_them(db, drawn):
    world, panel_id, experts = drawn
    with db.session() as s:
        state = invitations.invitation_state(s, panel_id)
        assert len(state.pending) == 5 and state.confirmed == () and state.declined == ()
        with pytest.raises(Refused) as refused:
            assignment.apply_assignment(s, panel_id, actor="t", per_application=3)
        assert "待确认" in str(refused.value) or state.pending[0] in str(refused.value)
        for expert_id in experts[:2]:
            invitations.confirm_member(s, panel_id, expert_id, actor="t", on=dt.date(2026, 11, 30), note="电话")
        with pytest.raises(Refused):  # two of three needed
            assignment.apply_assignment(s, panel_id, actor="t", per_application=3)
        invitations.confirm_member(s, panel_id, experts[2], actor="t")
        preview, _c = assignment.apply_assignment(s, panel_id, actor="t", per_application=3)
    with db.session() as s:
        member = s.scalar(select(PanelMember).where(PanelMember.expert_id == experts[0]))
        assert member.invitation is Invitation.CONFIRMED and member.answered_on == dt.date(2026, 11, 30)
        assert member.answer_note == "电话" and member.answered_by == "t"
        from reviewtool.storage.models import Assignment

        assigned = set(s.scalars(select(Assignment.expert_id).where(Assignment.panel_id == panel_id)))
        assert assigned == set(experts[:3])  # only the confirmed members are assigned


def test_a_decline_records_the_date_and_draws_a_pending_replacement(db, drawn):
    _world, panel_id, experts = drawn
    with db.session() as s:
        outcome = invitations.decline_invitation(
            s, panel_id, experts[0], "出差", actor="t", on=dt.date(2026, 12, 1), seed="re-1"
        )
        replacement = outcome.result.drawn[0]
        assert replacement not in experts
        state = invitations.invitation_state(s, panel_id)
        assert len(state.declined) == 1 and len(state.pending) == 5
        assert replacement in state.pending_ids
        declined = s.scalar(
            select(PanelMember).where(PanelMember.panel_id == panel_id, PanelMember.expert_id == experts[0])
        )
        assert declined.invitation is Invitation.DECLINED and declined.answered_on == dt.date(2026, 12, 1)
        assert s.scalar(select(PanelDraw).where(PanelDraw.is_redraw.is_(True))).seed == "re-1"


def test_answers_are_checked_audited_and_can_be_taken_back(db, drawn):
    _world, panel_id, experts = drawn
    with db.session() as s:
        with pytest.raises(UserError):
            invitations.confirm_member(s, panel_id, experts[0], actor="t", on=dt.date.today() + dt.timedelta(days=1))
        invitations.confirm_member(s, panel_id, experts[0], actor="t")
        assert invitations.confirm_member(s, panel_id, experts[0], actor="t").message == ""  # nothing new
        with pytest.raises(UserError):
            invitations.reset_answer(s, panel_id, experts[0], "  ", actor="t")
        invitations.reset_answer(s, panel_id, experts[0], "记错了", actor="t")
        assert experts[0] in invitations.invitation_state(s, panel_id).pending_ids
        changes = invitations.confirm_all(s, panel_id, actor="t")
        assert "5" in changes.message
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.action.like("panel.member.%"))))
    assert actions.count("panel.member.confirm") == 6 and actions.count("panel.member.pending") == 1


def test_the_yearly_cap_excludes_busy_experts_with_the_reason(db):
    with db.session() as s:
        world = build_world(s, n_apps=4, n_experts=12)
        draw_rules.set_draw_rules(s, actor="t", cap=1, rotation=False)
        ids = sorted(world.apps.values())
        first, _c = panels.create_panel(s, world.batch_id, "第一组", actor="t", application_ids=ids[:2])
        busy = set(draw_panel(s, first, 4, actor="t", seed="cap-1").result.drawn)
        invitations.confirm_all(s, first, actor="t")
        second, _c = panels.create_panel(s, world.batch_id, "第二组", actor="t", application_ids=ids[2:])
        view = draw_preview(s, second)
        excluded = {i: " ".join(r) for i, _n, r in view.exclusions}
        assert busy <= set(excluded)
        assert all("1" in excluded[i] for i in busy)
        assert not busy & {i for i, _n in view.eligible}
        drawn = set(draw_panel(s, second, 3, actor="t", seed="cap-2").result.drawn)
        assert not drawn & busy
        record = s.scalar(select(PanelDraw).where(PanelDraw.panel_id == second))
        assert record.rule["cap"] == 1 and record.rule["rotation"] is False


def test_rotation_prefers_experts_with_fewer_recent_reviews_and_replays(db):
    with db.session() as s:
        world = build_world(s, n_apps=4, n_experts=12)
        draw_rules.set_draw_rules(s, actor="t", cap=None, rotation=True)
        ids = sorted(world.apps.values())
        first, _c = panels.create_panel(s, world.batch_id, "第一组", actor="t", application_ids=ids[:2])
        busy = set(draw_panel(s, first, 6, actor="t", seed="rot-1").result.drawn)
        second, _c = panels.create_panel(s, world.batch_id, "第二组", actor="t", application_ids=ids[2:])
        outcome = draw_panel(s, second, 4, actor="t", seed="rot-2")
        drawn = set(outcome.result.drawn)
        assert not drawn & busy  # six with no review left: the four come from them
        record = s.scalar(select(PanelDraw).where(PanelDraw.panel_id == second))
        assert record.rule["rotation"] is True
        assert {int(k) for k in record.rule["counts"]} <= busy
        excluded = {e["expert_id"] for e in record.exclusions}
        eligible = [c for c in record.candidates if c not in excluded]
        assert replay(eligible, 4, "rot-2", record.rule) == tuple(record.result)
        assert replay(eligible, 4, "rot-2") != tuple(record.result)  # without the rule: another draw
        assert "12" in draw_rules.draw_rules(s).describe()


def test_review_counts_only_count_the_last_twelve_months_and_not_declines(db, drawn):
    _world, panel_id, experts = drawn
    with db.session() as s:
        invitations.decline_invitation(s, panel_id, experts[0], "生病", actor="t", seed="x")
        now = dt.datetime.now(dt.UTC)
        counts = draw_rules.review_counts(s, as_of=now)
        assert experts[0] not in counts and counts[experts[1]] == 1
        assert draw_rules.review_counts(s, as_of=now + dt.timedelta(days=400)) == {}


def test_draw_rules_are_validated(db):
    with db.session() as s:
        with pytest.raises(UserError):
            draw_rules.set_draw_rules(s, actor="t", cap=0)
        with pytest.raises(UserError):
            draw_rules.set_draw_rules(s, actor="t", cap=400)
        assert draw_rules.draw_rules(s) == draw_rules.DrawRules(10, True)  # the published default
        draw_rules.set_draw_rules(s, actor="t", cap=None)
        assert draw_rules.draw_rules(s).cap is None
