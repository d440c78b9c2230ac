"""The funding recommendation services against a scored batch."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reviewtool.core.enums import FundingRule
from reviewtool.core.errors import UserError
from reviewtool.core.funding import Decision, Stability
from reviewtool.services import audit
from reviewtool.services.funding import (
    funding_view,
    parse_money,
    set_funding_settings,
    set_quota,
    set_recommended_amount,
)

D = Decimal


def view(db):
    with db.session() as s:
        return funding_view(s, db.info.batch_id)


def by_number(v):
    return {r.number: r for r in v.rows}


def test_line_ranks_caps_and_marks_sensitivity(scored_db):
    v = view(scored_db)
    rows = by_number(v)
    assert [r.number for r in v.rows] == ["HD2026-001", "HD2026-002", "HD2026-003", "HD2026-004"]
    assert rows["HD2026-001"].recommended == D("50") and rows["HD2026-001"].requested == D("80")  # capped
    assert rows["HD2026-001"].decision is Decision.FUNDED and rows["HD2026-003"].decision is Decision.FUNDED
    assert rows["HD2026-004"].decision is Decision.NOT_ELIGIBLE  # 55.33 < 70
    assert v.used == D("145") and v.remaining == D("5") and v.cut_rank == 3
    # 003: mean 76 funds it, its median 68 is below the threshold → borderline
    assert rows["HD2026-003"].stability is Stability.BORDERLINE
    assert set(rows["HD2026-003"].funded_under) == {"mean", "trimmed_mean"}
    assert rows["HD2026-001"].stability is Stability.STABLE_IN
    assert rows["HD2026-004"].stability is Stability.STABLE_OUT
    plan = {a.code: a for a in v.plan}
    assert plan["HD-D2"].count == 2 and plan["HD-D2"].amount == D("95")
    assert plan["HD-D1"].count == 1 and plan["HD-D1"].share == D("0.3333")
    assert plan["HD-I05"].amount == D("50") and plan["HD-D3"].count == 0


def test_stop_and_skip_rules_and_budget(scored_db):
    with scored_db.session() as s:
        set_funding_settings(s, scored_db.info.batch_id, budget=D("100"), actor="tester")
    rows = by_number(view(scored_db))
    assert rows["HD2026-003"].decision is Decision.OVER_BUDGET  # 50 + 45 + 50 > 100
    with scored_db.session() as s:
        set_recommended_amount(s, scored_db.info.app_ids["HD2026-003"], D("5"), reason="压减经费", actor="tester")
    v = view(scored_db)
    assert by_number(v)["HD2026-003"].decision is Decision.FUNDED and v.remaining == D("0")
    with scored_db.session() as s:
        set_recommended_amount(s, scored_db.info.app_ids["HD2026-003"], None, reason="恢复默认", actor="tester")
        set_funding_settings(s, scored_db.info.batch_id, budget=D("60"), rule=FundingRule.SKIP, actor="tester")
    v = view(scored_db)
    rows = by_number(v)
    assert rows["HD2026-002"].decision is Decision.OVER_BUDGET
    assert rows["HD2026-003"].decision is Decision.OVER_BUDGET and v.used == D("50")
    with scored_db.session() as s:
        events = audit.events_for(s, "batch", scored_db.info.batch_id)
        assert [e.action for e in events if e.action == "funding.settings"] == ["funding.settings"] * 2
        assert events[-1].details["funding_rule"] == {"old": "stop", "new": "skip"}


def test_recommended_amount_needs_a_reason_and_is_audited(scored_db):
    app_id = scored_db.info.app_ids["HD2026-002"]
    with scored_db.session() as s:
        with pytest.raises(UserError, match="理由"):
            set_recommended_amount(s, app_id, D("30"), reason="  ", actor="tester")
        with pytest.raises(UserError, match="超过申请经费"):
            set_recommended_amount(s, app_id, D("46"), reason="x", actor="tester")
        with pytest.raises(UserError, match="单项最高资助额"):
            set_recommended_amount(s, scored_db.info.app_ids["HD2026-001"], D("60"), reason="x", actor="tester")
        changes = set_recommended_amount(s, app_id, D("30.5"), reason="与同类项目持平", actor="tester")
        assert changes.applications
    row = by_number(view(scored_db))["HD2026-002"]
    assert row.recommended == D("30.5") and row.edited and row.reason == "与同类项目持平"
    with scored_db.session() as s:
        event = [e for e in audit.events_for(s, "application", app_id) if e.action == "funding.amount"][-1]
        assert event.details == {"old": None, "new": "30.5", "reason": "与同类项目持平", "old_reason": None}
        assert event.actor == "tester"


def test_quota_limits_a_direction(scored_db):
    with scored_db.session() as s:
        set_quota(s, scored_db.info.batch_id, "HD-D2", max_count=1, max_amount=None, actor="tester")
        with pytest.raises(UserError, match="HD-C1-1"):
            set_quota(s, scored_db.info.batch_id, "HD-C1-1", max_count=1, max_amount=None, actor="tester")
    v = view(scored_db)
    rows = by_number(v)
    assert rows["HD2026-002"].decision is Decision.OVER_QUOTA and rows["HD2026-002"].quota_key == "HD-D2"
    assert v.quotas[0].code == "HD-D2" and v.quotas[0].used_count == 1
    with scored_db.session() as s:
        set_quota(s, scored_db.info.batch_id, "HD-D2", max_count=None, max_amount=None, actor="tester")
    assert view(scored_db).quotas == ()


def test_parse_money_messages():
    assert parse_money("1,234.5", what="预算") == D("1234.5")
    assert parse_money("", what="预算") is None
    with pytest.raises(UserError, match="预算"):
        parse_money("abc", what="预算")
    with pytest.raises(UserError):
        parse_money("-1", what="预算")
    with pytest.raises(UserError):
        parse_money("1.0000001", what="预算")


def test_json_lists_ranked_applications_amounts_and_line(scored_db):
    data = view(scored_db).as_json()
    assert data["line"]["remaining"] == D("5") and data["line"]["cut_rank"] == 3
    assert [a["number"] for a in data["applications"]][:2] == ["HD2026-001", "HD2026-002"]
    assert data["applications"][0]["recommended"] == D("50")
