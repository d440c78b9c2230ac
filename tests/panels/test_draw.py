"""The panel draw: every 回避 rule excludes with its reason, the seed
reproduces the draw, too few eligible experts are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from reviewtool.core.enums import ExpertStatus, MemberStatus, PanelStatus, RelationKind
from reviewtool.core.errors import Refused
from reviewtool.core.panels.draw import replay
from reviewtool.services.experts import pool
from reviewtool.services.panels import conflicts, draw, membership, panel
from reviewtool.storage.models import AuditEvent, AvoidRequest, Expert, PanelDraw, PanelMember

from .conftest import BATCH, build_world


def conflicted_world(session):
    """Group = applications 001 (单位1, 负责人1) and 002 (单位2). Experts 01–09
    each hit one rule; 10–12 are eligible."""
    w = build_world(session)
    for expert in session.scalars(select(Expert)):
        expert.unit_id = None
    e = w.experts
    a = w.apps
    session.get(Expert, e["专家01"]).unit_id = w.units["测试单位1"]  # same unit as 001
    pool.add_relation(session, e["专家02"], RelationKind.UNIT, "测试单位2", actor="t")
    pool.add_relation(session, e["专家03"], RelationKind.PERSON, "负责人 1", actor="t")  # spaces ignored
    pool.add_relation(session, e["专家04"], RelationKind.OWN_APPLICATION, "HD2026-001", actor="t")
    pool.add_relation(session, e["专家05"], RelationKind.OWN_APPLICATION, "HD2026-007", actor="t")
    session.add(AvoidRequest(application_id=a["HD2026-002"], expert_id=e["专家06"], expert_name="专家06"))
    session.add(AvoidRequest(application_id=a["HD2026-002"], expert_id=None, expert_name="专家 07"))
    session.get(Expert, e["专家09"]).status = ExpertStatus.SUSPENDED
    panel_id, _c = panel.create_panel(
        session, BATCH, "第一组", actor="t", application_ids=[a["HD2026-001"], a["HD2026-002"]]
    )
    conflicts.exclude_expert(session, panel_id, e["专家08"], "近期与申报单位有合作", actor="t")
    session.flush()
    return w, panel_id


EXPECTED_RULES = {
    "专家01": "与申报单位同单位",
    "专家02": "申报单位",
    "专家03": "项目负责人",
    "专家04": "本人申报的项目",
    "专家05": "同组中有本人的竞争性申报",
    "专家06": "申请人要求回避",
    "专家07": "申请人要求回避",
    "专家08": "近期与申报单位有合作",
    "专家09": "专家库中已暂停",
}


def test_every_conflict_rule_excludes_with_its_reason(db):
    with db.session() as s:
        w, panel_id = conflicted_world(s)
        view = draw.draw_preview(s, panel_id)
    reasons = {name: " / ".join(r) for _i, name, r in view.exclusions}
    for name, expected in EXPECTED_RULES.items():
        assert expected in reasons[name], (name, reasons.get(name))
    assert [n for _i, n in view.eligible] == ["专家10", "专家11", "专家12"]
    # 专家04's own application is in the group: both the pair rule and the competition rule apply
    assert "同组中有本人的竞争性申报" in reasons["专家04"]


def test_draw_is_recorded_and_reproducible_from_its_seed(db):
    with db.session() as s:
        w, panel_id = conflicted_world(s)
        outcome = draw.draw_panel(s, panel_id, 2, seed="haidong-2026", actor="clerk")
        drawn = outcome.result.drawn
    with db.session() as s:
        record = s.scalar(select(PanelDraw).where(PanelDraw.panel_id == panel_id))
        assert record.seed == "haidong-2026"
        assert tuple(record.result) == drawn
        assert len(record.exclusions) == 9
        assert {x["name"] for x in record.exclusions} == set(EXPECTED_RULES)
        # replaying the stored candidates minus exclusions gives the same experts
        eligible = sorted(set(record.candidates) - {x["expert_id"] for x in record.exclusions})
        assert replay(eligible, 2, record.seed) == drawn
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "panel.draw"))
        assert event.details["seed"] == "haidong-2026"
        assert event.details["drawn"] == list(drawn)
        assert s.get(type(record), record.id) is not None
        members = s.scalars(select(PanelMember.expert_id).where(PanelMember.panel_id == panel_id)).all()
        assert sorted(members) == sorted(drawn)
        assert panel.get_panel(s, panel_id).status is PanelStatus.DRAWN


def test_same_seed_same_draw_in_another_database(db, sqlite_template, tmp_path):
    import shutil

    from reviewtool.storage.database import Database

    shutil.copyfile(sqlite_template, tmp_path / "other.sqlite3")
    other = Database(f"sqlite:///{(tmp_path / 'other.sqlite3').as_posix()}")
    results = []
    for database in (db, other):
        with database.session() as s:
            _w, panel_id = conflicted_world(s)
            results.append(draw.draw_panel(s, panel_id, 2, seed="s-42", actor="t").result.drawn)
    other.dispose()
    assert results[0] == results[1]


def test_too_few_eligible_is_refused_and_nothing_is_drawn(db):
    with db.session() as s:
        _w, panel_id = conflicted_world(s)
    with pytest.raises(Refused, match="只有 3 位"):
        with db.session() as s:
            draw.draw_panel(s, panel_id, 4, seed="x", actor="t")
    with db.session() as s:
        assert s.scalars(select(PanelDraw)).all() == []
        assert s.scalars(select(PanelMember)).all() == []


def test_field_match_filter(db):
    with db.session() as s:
        _w, panel_id = conflicted_world(s)
        view = draw.draw_preview(s, panel_id, field_match=True)
    # group areas: HD-I01 and HD-I02; experts 10 (HD-I02), 11 (HD-I03), 12 (HD-I04)
    assert [n for _i, n in view.eligible] == ["专家10"]
    reasons = {n: r for _i, n, r in view.exclusions}
    assert any("专业领域" in r for r in reasons["专家11"])


def test_decline_is_a_recorded_redraw(db):
    with db.session() as s:
        w, panel_id = conflicted_world(s)
        first = draw.draw_panel(s, panel_id, 2, seed="a", actor="t").result.drawn
        outcome = membership.decline_member(s, panel_id, first[0], "出差无法参加", actor="t", seed="b")
        new = outcome.result.drawn[0]
        assert new not in first
        rows = {m.expert_id: m for m in membership.members(s, panel_id)}
        assert rows[first[0]].status is MemberStatus.DECLINED
        assert rows[first[0]].replaced_by == s.get(Expert, new).name
        draws = draw.draws(s, panel_id)
        assert [d.is_redraw for d in draws] == [False, True]
        declined = next(x for x in draws[1].exclusions if x["expert_id"] == first[0])
        assert declined["reasons"] == ["已谢绝本组"]
        # no eligible expert left after one more decline: refused, the decline itself rolled back
    with pytest.raises(Refused):
        with db.session() as s:
            membership.decline_member(s, panel_id, first[1], "生病", actor="t", seed="c")
    with db.session() as s:
        rows = {m.expert_id: m for m in membership.members(s, panel_id)}
        assert rows[first[1]].status is MemberStatus.ACTIVE


def test_second_draw_refused_and_manual_member_checked(db):
    with db.session() as s:
        w, panel_id = conflicted_world(s)
        draw.draw_panel(s, panel_id, 2, seed="a", actor="t")
        with pytest.raises(Refused):
            draw.draw_panel(s, panel_id, 1, seed="a", actor="t")
        with pytest.raises(Refused, match="同组中有本人的竞争性申报"):
            membership.add_member(s, panel_id, w.experts["专家05"], "会议需要", actor="t")
