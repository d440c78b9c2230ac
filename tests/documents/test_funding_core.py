"""The funding line maths (no database)."""

from __future__ import annotations

from decimal import Decimal

from reviewtool.core.enums import FundingRule
from reviewtool.core.funding import (
    Candidate,
    Decision,
    Quota,
    Stability,
    compute_line,
    default_amount,
    sensitivity,
    totals_by_area,
)

D = Decimal


def cand(cid, score, requested, **kw):
    return Candidate(
        id=cid, score=None if score is None else D(score), requested=D(requested), order_key=f"N{cid:03d}", **kw
    )


def test_default_amount_is_requested_capped():
    assert default_amount(D("80"), D("50")) == D("50")
    assert default_amount(D("30"), D("50")) == D("30")
    assert default_amount(D("30"), None) == D("30")


def test_stop_rule_ends_the_line_at_the_first_that_does_not_fit():
    cands = [cand(1, "90", "40"), cand(2, "85", "50"), cand(3, "80", "10"), cand(4, "75", "5")]
    line = compute_line(cands, budget=D("60"), rule=FundingRule.STOP, threshold=D("70"))
    decisions = {e.candidate.id: e.decision for e in line.entries}
    assert decisions == {1: Decision.FUNDED, 2: Decision.OVER_BUDGET, 3: Decision.BELOW_LINE, 4: Decision.BELOW_LINE}
    assert line.used == D("40") and line.remaining == D("20")
    assert line.cut_rank == 1 and line.cut_score == D("90")


def test_skip_rule_continues_past_one_that_does_not_fit():
    cands = [cand(1, "90", "40"), cand(2, "85", "50"), cand(3, "80", "10"), cand(4, "75", "5")]
    line = compute_line(cands, budget=D("60"), rule=FundingRule.SKIP, threshold=D("70"))
    assert line.funded_ids == {1, 3, 4}
    assert line.used == D("55") and line.remaining == D("5")
    # the cut line is where the first application was left out
    assert line.cut_rank == 1
    assert [e.rank for e in line.entries] == [1, 2, 3, 4]


def test_cap_applies_and_explicit_recommendation_wins():
    cands = [cand(1, "90", "80"), cand(2, "85", "80", recommended=D("12.5"))]
    line = compute_line(cands, budget=D("100"), cap=D("50"))
    assert line.entry(1).amount == D("50")
    assert line.entry(2).amount == D("12.5")
    assert line.used == D("62.5")


def test_vetoed_below_threshold_excluded_and_unscored_are_never_funded():
    cands = [
        cand(1, "95", "10", vetoed=True),
        cand(2, "65", "10"),
        cand(3, "88", "10", excluded=True),
        cand(4, None, "10"),
        cand(5, "70", "10"),
    ]
    line = compute_line(cands, budget=None, threshold=D("70"))
    assert line.funded_ids == {5}
    for cid in (1, 2, 3, 4):
        assert line.entry(cid).decision is Decision.NOT_ELIGIBLE
        assert line.entry(cid).rank is None
    assert line.remaining is None


def test_ties_are_broken_by_number():
    cands = [cand(3, "80", "10"), cand(1, "80", "10"), cand(2, "80", "10")]
    line = compute_line(cands, budget=D("20"), rule=FundingRule.STOP)
    assert [e.candidate.id for e in line.entries] == [1, 2, 3]
    assert line.funded_ids == {1, 2}


def test_quota_by_count_and_amount_skips_only_that_area():
    cands = [
        cand(1, "95", "10", quota_keys=("HD-D2", "HD-I06")),
        cand(2, "90", "10", quota_keys=("HD-D2", "HD-I04")),
        cand(3, "85", "10", quota_keys=("HD-D3",)),
        cand(4, "80", "30", quota_keys=("HD-D3",)),
    ]
    quotas = [Quota("HD-D2", max_count=1), Quota("HD-D3", max_amount=D("35"))]
    line = compute_line(cands, budget=D("100"), rule=FundingRule.STOP, quotas=quotas)
    assert line.entry(2).decision is Decision.OVER_QUOTA and line.entry(2).quota_key == "HD-D2"
    assert line.entry(4).decision is Decision.OVER_QUOTA and line.entry(4).quota_key == "HD-D3"
    assert line.funded_ids == {1, 3}
    assert line.quota_use["HD-D2"] == (1, D("10"))


def test_sensitivity_marks_stable_and_borderline():
    base = [cand(1, "90", "30"), cand(2, "80", "30"), cand(3, "78", "30"), cand(4, "60", "30")]
    scores = {
        "mean": {1: D("90"), 2: D("80"), 3: D("78"), 4: D("60")},
        "trimmed_mean": {1: D("91"), 2: D("77"), 3: D("79"), 4: D("61")},
        "median": {1: D("89"), 2: D("81"), 3: D("75"), 4: D("72")},
    }
    rows = sensitivity(base, scores, budget=D("60"), rule=FundingRule.STOP, threshold=D("70"))
    assert rows[1].stability is Stability.STABLE_IN
    assert rows[2].stability is Stability.BORDERLINE and set(rows[2].funded_under) == {"mean", "median"}
    assert rows[3].stability is Stability.BORDERLINE and rows[3].funded_under == ("trimmed_mean",)
    assert rows[4].stability is Stability.STABLE_OUT
    assert Stability.BORDERLINE.label() == "临界"


def test_totals_by_area_count_money_and_share():
    cands = [cand(1, "90", "30"), cand(2, "80", "20"), cand(3, "50", "20")]
    line = compute_line(cands, budget=D("200"), threshold=D("60"))
    rows = totals_by_area(
        line,
        {1: ("HD-D1", "HD-I01"), 2: ("HD-D1",), 3: ("HD-D2",)},
        [("HD-D1", "生态", "direction"), ("HD-D2", "农业", "direction"), ("HD-I01", "修复", "industry")],
    )
    by = {r.code: r for r in rows}
    assert by["HD-D1"].count == 2 and by["HD-D1"].amount == D("50") and by["HD-D1"].share == D("0.25")
    assert by["HD-D2"].count == 0 and by["HD-D2"].amount == D("0")
    assert by["HD-I01"].amount == D("30")
