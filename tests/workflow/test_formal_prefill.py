"""Formal review pre-filled from the data (自筹 ratio, arrival, 限项, registration, age); staff
confirm it, or override it with a reason that is stored and audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from panels.conftest import build_world
from reviewtool.core.enums import ApplicationStatus
from reviewtool.core.errors import UserError
from reviewtool.services.intake import formal_prefill
from reviewtool.services.intake.formal_limits import set_limits
from reviewtool.services.intake.formal_review import accept_suggestions, pass_all, record_review, review_of
from reviewtool.storage.models import Application, AuditEvent, Batch, FormalCheckResult

LIMITS = {"cofunding_ratio": "1:1", "pi_limit": "1", "unit_limit": "3", "registered_before": "2024-12-31",
          "pi_max_age": "56"}  # fmt: skip


@pytest.fixture
def world(db):
    with db.session() as s:
        world = build_world(s, n_apps=8)
        batch = s.get(Batch, world.batch_id)
        batch.deadline = dt.date(2026, 3, 31)
        one = s.get(Application, world.apps["HD2026-001"])
        one.self_funding = Decimal("45")  # 45 : 30 = 1.5 : 1
        one.extra_fields = {
            "提交日期": "2026/3/30",
            "单位注册日期": "2019年5月8日",
            "负责人身份证号": "63210219800101001X",
        }
        two = s.get(Application, world.apps["HD2026-002"])
        two.self_funding = Decimal("15")  # 0.5 : 1
        two.extra_fields = {"提交日期": "2026-04-02", "单位注册日期": "2025-06-01", "负责人出生日期": "1965-07-01"}
        # HD2026-007 shares unit and leader name with 001 (units repeat every six).
        s.get(Application, world.apps["HD2026-007"]).pi_name = "负责人1"
        set_limits(s, world.batch_id, LIMITS, actor="t")
    return world


def by_code(review):
    return {state.code: state for state in review.items}


def test_what_the_data_decides_is_shown_with_its_evidence(db, world):
    with db.session() as s:
        good = formal_prefill.suggestions(s, world.apps["HD2026-001"])
        bad = formal_prefill.suggestions(s, world.apps["HD2026-002"])
        blank = formal_prefill.suggestions(s, world.apps["HD2026-003"])
    assert good["cofunding_ratio"].passed is True and "1.50" in good["cofunding_ratio"].evidence
    assert good["on_time"].passed is True and "2026-03-30" in good["on_time"].evidence
    assert good["unit_registered"].passed is True and "2019-05-08" in good["unit_registered"].evidence
    assert good["pi_age"].passed is True and "46" in good["pi_age"].evidence  # born 1980, on 2026-03-31
    assert good["within_limit"].passed is False and "2" in good["within_limit"].evidence  # 负责人1 twice
    assert bad["cofunding_ratio"].passed is False and "0.50" in bad["cofunding_ratio"].evidence
    assert bad["on_time"].passed is False and bad["unit_registered"].passed is False
    assert bad["pi_age"].passed is False and "60" in bad["pi_age"].evidence
    assert bad["within_limit"].passed is True
    assert blank["cofunding_ratio"].passed is None and blank["on_time"].passed is None
    assert blank["pi_age"].passed is None


def test_limits_add_their_items_to_the_checklist_and_are_validated(db, world):
    with db.session() as s:
        codes = {state.code for state in review_of(s, world.apps["HD2026-001"], actor="t").items}
        assert {"unit_registered", "pi_age"} <= codes
        for wrong in ({"cofunding_ratio": "abc"}, {"pi_limit": "0"}, {"registered_before": "去年"},
                      {"pi_max_age": "200"}):  # fmt: skip
            with pytest.raises(UserError):
                set_limits(s, world.batch_id, wrong, actor="t")
        set_limits(s, world.batch_id, {"cofunding_ratio": "1"}, actor="t")
        codes = {state.code for state in review_of(s, world.apps["HD2026-001"], actor="t").items}
        assert "pi_age" not in codes
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.action == "formal.limits")))
    assert len(actions) == 2


def test_an_override_needs_a_reason_which_is_kept(db, world):
    app_id = world.apps["HD2026-001"]
    with db.session() as s:
        review = by_code(review_of(s, app_id, actor="t"))
        assert review["within_limit"].suggested is False and review["within_limit"].decidable
        everything = {state.item_id: (True, "") for state in review.values()}
        with pytest.raises(UserError) as refused:
            record_review(s, app_id, everything, actor="t")
        assert "HD2026-001" in str(refused.value)
        with pytest.raises(UserError, match="HD2026-001"):  # "pass all" does not pass over the data
            pass_all(s, [app_id], actor="t")
        everything[review["within_limit"].item_id] = (True, "HD2026-007 已撤回")
        record_review(s, app_id, everything, actor="t")
        stored = s.scalar(select(FormalCheckResult).where(FormalCheckResult.item_id == review["within_limit"].item_id,
                                                          FormalCheckResult.application_id == app_id))  # fmt: skip
        assert stored.suggested is False and stored.override_reason == "HD2026-007 已撤回"
        assert s.get(Application, app_id).status is ApplicationStatus.FORMAL_PASSED
        event = s.scalar(select(AuditEvent).where(AuditEvent.action.like("formal.%"), AuditEvent.entity_type == "application",
                                               AuditEvent.entity_id == app_id))  # fmt: skip
        assert event.details["overrides"]["within_limit"]["reason"] == "HD2026-007 已撤回"


def test_accepting_the_suggestions_fails_with_the_evidence_as_reason(db, world):
    app_id = world.apps["HD2026-002"]
    with db.session() as s:
        accept_suggestions(s, app_id, actor="t", pass_others=True)
        application = s.get(Application, app_id)
        assert application.status is ApplicationStatus.FORMAL_FAILED
        assert "0.50" in application.status_reason
        results = list(s.scalars(select(FormalCheckResult).where(FormalCheckResult.application_id == app_id)))
    assert all(r.override_reason is None for r in results)
    assert sum(1 for r in results if not r.passed) == 4  # ratio, arrival, registration, age


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03-10", dt.date(2026, 3, 10)), ("2026/3/1", dt.date(2026, 3, 1)), ("2026年3月10日", dt.date(2026, 3, 10)),
     ("20260310", dt.date(2026, 3, 10)), ("2026-03", dt.date(2026, 3, 1)), ("1975", dt.date(1975, 1, 1)),
     ("2026-02-30", None), ("下周", None)],
)  # fmt: skip
def test_dates_are_read_as_clerks_type_them(text, expected):
    assert formal_prefill.parse_date(text) == expected
