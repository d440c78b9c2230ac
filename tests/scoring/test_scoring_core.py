"""The scoring maths without Qt or a database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reviewtool.core.enums import Opinion
from reviewtool.core.scoring.maths import (
    FLAG_FEW,
    FLAG_SPREAD,
    FLAG_VETO,
    RULE_MEAN,
    RULE_TRIMMED,
    RankInput,
    ScoreRefused,
    SheetFigure,
    SheetInput,
    band_for,
    check_points,
    comment_reason,
    evaluate_sheet,
    panel_figures,
    rank,
    sheet_total,
)
from reviewtool.core.scoring.rubric import Rounding
from reviewtool.core.scoring.rubric_check import parse_rubric


@pytest.fixture
def spec(small_doc):
    return parse_rubric(small_doc())


def full(points_a="12", points_b="7", **kw) -> SheetInput:
    base = dict(
        points={"A": Decimal(points_a), "B": Decimal(points_b)},
        comments={},
        vetoes={"V1": False},
        opinion=Opinion.RECOMMEND,
        written_opinion="项目总体可行。",
    )
    base.update(kw)
    return SheetInput(**base)


def test_bands(spec):
    a = spec.criterion("A")
    assert band_for(a, Decimal(15)).label == "优"
    assert band_for(a, Decimal(13)).label == "优"
    assert band_for(a, Decimal(12)).label == "良"
    assert band_for(a, Decimal(0)).label == "差"
    assert band_for(a, None) is None


def test_points_out_of_range_refused_with_reason(spec):
    a = spec.criterion("A")
    with pytest.raises(ScoreRefused, match="0–15"):
        check_points(a, "16")
    with pytest.raises(ScoreRefused, match="0–15"):
        check_points(a, "-1")
    with pytest.raises(ScoreRefused, match="abc"):
        check_points(a, "abc")
    with pytest.raises(ScoreRefused, match="1"):
        check_points(a, "12.5")  # step 1
    assert check_points(a, "12.5", Decimal("0.5")) == Decimal("12.5")
    assert check_points(a, " ") is None
    assert check_points(a, 15) == Decimal(15)


def test_comment_rules(spec):
    a, b = spec.criterion("A"), spec.criterion("B")
    assert comment_reason(a, Decimal(15))  # full score
    assert comment_reason(a, Decimal(3))  # lowest band 差
    assert comment_reason(a, Decimal(10)) is None
    assert comment_reason(b, Decimal(0)) is None  # no rule on B
    sheet = full(points_a="15")
    ev = evaluate_sheet(spec, sheet)
    assert not ev.complete and ev.problems[0].where == "A"
    sheet.comments["A"] = "创新点突出，达到国内领先。"
    assert evaluate_sheet(spec, sheet).complete


def test_total_and_completeness(spec):
    ev = evaluate_sheet(spec, full())
    assert ev.complete and ev.total == Decimal("19.00") and not ev.vetoed
    assert ev.bands == {"A": "良", "B": "好"}
    partial = full()
    partial.points["B"] = None
    ev = evaluate_sheet(spec, partial)
    assert not ev.complete and ev.total is None and ev.running_total == Decimal("12.00")
    missing = full(opinion=None, written_opinion=" ")
    wheres = {p.where for p in evaluate_sheet(spec, missing).problems}
    assert wheres == {"opinion", "written_opinion"}
    unanswered = full(vetoes={})
    assert {p.where for p in evaluate_sheet(spec, unanswered).problems} == {"V1"}


def test_veto_marks_sheet_whatever_the_points(spec):
    ev = evaluate_sheet(spec, full(points_a="15", comments={"A": "好"}, vetoes={"V1": True}))
    assert ev.vetoed and ev.complete and ev.total == Decimal("22.00")
    # A vetoed sheet may leave points out; it then has no total.
    ev = evaluate_sheet(spec, full(points={"A": None, "B": None}, vetoes={"V1": True}))
    assert ev.vetoed and ev.complete and ev.total is None


def test_weights_scale_each_criterion(small_doc):
    doc = small_doc()
    doc["total_points"] = 100
    doc["criteria"][0]["weight"] = 4  # 15*4 = 60
    doc["criteria"][1]["weight"] = 4  # 10*4 = 40
    spec = parse_rubric(doc)
    assert sheet_total(spec, {"A": Decimal(12), "B": Decimal(7)}) == Decimal("76.00")


def test_rounding_is_exact_and_stated(small_doc):
    doc = small_doc()
    doc["total_points"] = 10
    doc["step"] = "0.5"
    doc["criteria"] = [
        {"id": "A", "title": "甲", "max_points": 5, "weight": "1.01", "bands": []},
        {"id": "B", "title": "乙", "max_points": 5, "weight": "0.99", "bands": []},
    ]
    spec = parse_rubric(doc)
    # 0.5 × 1.01 = 0.505 exactly, which rounds half up to 0.51 (half even: 0.50).
    assert sheet_total(spec, {"A": Decimal("0.5"), "B": Decimal(0)}) == Decimal("0.51")
    half_even = parse_rubric({**doc, "rounding": {"places": 2, "mode": "half_even"}})
    assert sheet_total(half_even, {"A": Decimal("0.5"), "B": Decimal(0)}) == Decimal("0.50")
    assert Rounding(1, "half_up").apply(Decimal("2.25")) == Decimal("2.3")
    assert Rounding(1, "half_even").apply(Decimal("2.25")) == Decimal("2.2")
    assert Rounding(1, "down").apply(Decimal("2.29")) == Decimal("2.2")
    assert Rounding(0).apply(Decimal("84.5")) == Decimal("85")


def figures(*totals, **kw):
    return panel_figures([SheetFigure(Decimal(t)) for t in totals], **kw)


def test_two_sheets_use_the_mean():
    f = figures("80", "71")
    assert f.sheet_count == 2
    assert f.mean == Decimal("75.50") and f.median == Decimal("75.50")
    assert f.trimmed_mean is None and f.rule == RULE_MEAN and f.final_score == Decimal("75.50")
    assert f.spread == Decimal("9.00") and f.std_dev == Decimal("4.50")
    assert FLAG_FEW in f.flags


def test_four_sheets_below_the_default_minimum():
    f = figures("60", "70", "80", "95")
    assert f.rule == RULE_MEAN and f.trimmed_mean is None
    assert f.mean == Decimal("76.25") and f.median == Decimal("75.00")
    # With the minimum lowered to 4, one highest and one lowest are dropped.
    g = figures("60", "70", "80", "95", min_trimmed=4)
    assert g.rule == RULE_TRIMMED and g.trimmed_mean == Decimal("75.00") and g.final_score == Decimal("75.00")


def test_five_sheets_drop_highest_and_lowest():
    f = figures("60", "70", "80", "90", "99")
    assert f.rule == RULE_TRIMMED
    assert f.trimmed_mean == Decimal("80.00")
    assert f.mean == Decimal("79.80") and f.final_score == Decimal("80.00")
    # Only one of several equal highest scores is dropped.
    g = figures("90", "90", "70", "80", "60")
    assert g.trimmed_mean == Decimal("80.00")


def test_minimum_never_below_three():
    f = figures("60", "90", min_trimmed=1)
    assert f.rule == RULE_MEAN


def test_trimmed_mean_rounding():
    f = figures("70", "71", "71", "72", "80")  # trimmed (71+71+72)/3 = 71.333…
    assert f.trimmed_mean == Decimal("71.33")
    f = figures("70", "70", "70", "71", "80", rounding=Rounding(1))
    assert f.trimmed_mean == Decimal("70.3")


def test_spread_flag_and_std_dev():
    f = figures("50", "75", "80", spread_threshold=Decimal(20))
    assert f.spread == Decimal("30.00") and FLAG_SPREAD in f.flags
    assert f.std_dev == Decimal("13.12")  # population sd of 50, 75, 80
    assert FLAG_SPREAD not in figures("70", "80", "85", spread_threshold=Decimal(20)).flags
    assert FLAG_SPREAD not in figures("60", "80", spread_threshold=Decimal(20)).flags  # equal is not above


def test_vetoes_and_opinions_tallied():
    f = panel_figures(
        [
            SheetFigure(Decimal(80), False, Opinion.RECOMMEND),
            SheetFigure(Decimal(60), True, Opinion.NOT_RECOMMEND),
            SheetFigure(None, True, Opinion.NOT_RECOMMEND),
            SheetFigure(Decimal(75), False, Opinion.RECOMMEND_AFTER_REVISION),
        ]
    )
    assert f.veto_count == 2 and FLAG_VETO in f.flags
    assert f.sheet_count == 3  # the vetoed sheet without points has no total
    assert f.opinions == {"recommend": 1, "revise": 1, "not_recommend": 2}


def test_no_sheets():
    f = panel_figures([])
    assert f.sheet_count == 0 and f.final_score is None and f.rule == "none"


def test_ranking_with_ties_threshold_and_veto():
    items = [
        RankInput(1, "HD-003", Decimal("80.00"), recommend_count=3, median=Decimal(80), spread=Decimal(10)),
        RankInput(2, "HD-001", Decimal("80.00"), recommend_count=4, median=Decimal(78), spread=Decimal(10)),
        RankInput(3, "HD-002", Decimal("85.00"), recommend_count=1, median=Decimal(85), spread=Decimal(5)),
        RankInput(4, "HD-004", Decimal("69.99"), recommend_count=0),
        RankInput(5, "HD-005", Decimal("95.00"), recommend_count=5, vetoed=True),
        RankInput(6, "HD-006", None),
        RankInput(7, "HD-007", Decimal("80.00"), recommend_count=3, median=Decimal(80), spread=Decimal(10)),
        RankInput(8, "HD-008", Decimal("80.00"), recommend_count=3, median=Decimal(81), spread=Decimal(10)),
        RankInput(9, "HD-009", Decimal("80.00"), recommend_count=3, median=Decimal(81), spread=Decimal(4)),
    ]
    out = rank(items, threshold=Decimal(70))
    order = [p.application_id for p in out]
    assert order == [3, 2, 9, 8, 1, 7, 4, 5, 6]
    by_id = {p.application_id: p for p in out}
    assert by_id[3].position == 1 and by_id[3].tie_broken_by is None
    assert by_id[9].tie_broken_by  # more 推荐 put 2 first; 9 after 2 by recommend count
    assert by_id[9].tie_broken_by != by_id[8].tie_broken_by  # 9 vs 2: 推荐 count; 8 vs 9: spread
    assert by_id[7].tied_with_previous and not by_id[1].tied_with_previous
    assert by_id[4].recommended is False  # 69.99 below 70
    assert by_id[2].recommended
    assert by_id[5].recommended is False and by_id[5].position == 8  # vetoed: after all others
    assert by_id[6].position is None and not by_id[6].recommended
