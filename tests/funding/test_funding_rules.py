"""The funding line obeys the batch's rules: too few valid sheets is 评审未完成
(never funded, never 稳定); the pass mark set on the batch is the one used;
规划统计 counts each application once under its primary area, secondary
areas apart, and its directions sum to what is funded."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from reviewtool.core import funding as fl
from reviewtool.core.enums import AreaRole
from reviewtool.core.scoring.maths import FLAG_FEW, FLAG_INCOMPLETE, flag_label, flags_for_batch
from reviewtool.services.batches import batch as batches
from reviewtool.services.funding import funding_view
from reviewtool.services.scoring.ranking import ranked_applications
from reviewtool.storage.models import ApplicationArea, Batch


def cand(cid, score, requested, **kw):
    return fl.Candidate(id=cid, score=Decimal(score), requested=Decimal(requested), order_key=f"{cid:03d}", **kw)


def test_an_incomplete_review_is_never_funded_nor_stable():
    base = [cand(1, "95", "10", incomplete=True), cand(2, "90", "10"), cand(3, "60", "10")]
    line = fl.compute_line(base, budget=Decimal("100"), threshold=Decimal("70"))
    assert line.entry(1).decision is fl.Decision.INCOMPLETE and not line.entry(1).funded
    assert line.entry(2).funded and line.funded_count == 1
    assert line.entry(3).decision is fl.Decision.NOT_ELIGIBLE
    scores = {rule: {1: Decimal("95"), 2: Decimal("90"), 3: Decimal("60")} for rule in ("mean", "median")}
    stability = fl.sensitivity(base, scores, budget=Decimal("100"), threshold=Decimal("70"))
    assert stability[1].stability is fl.Stability.INCOMPLETE and stability[1].funded_under == ()
    assert stability[2].stability is fl.Stability.STABLE_IN
    assert fl.Decision.INCOMPLETE.label() == "评审未完成"
    # A veto is a decision of its own, even with few sheets.
    vetoed = fl.compute_line([cand(4, "99", "10", incomplete=True, vetoed=True)], budget=None)
    assert vetoed.entry(4).decision is fl.Decision.NOT_ELIGIBLE


def test_the_plan_view_counts_each_application_once_under_its_primary_area():
    base = [cand(1, "95", "40"), cand(2, "90", "30"), cand(3, "85", "20"), cand(4, "80", "10")]
    line = fl.compute_line(base, budget=Decimal("200"))
    areas = [("HD-D1", "生态", "direction"), ("HD-I01", "冷水鱼", "industry"), ("HD-D2", "农牧", "direction")]
    primary = {1: ("HD-I01", "HD-D1"), 2: ("HD-D1",), 3: ("HD-D2",), 4: ("QH-E1",)}
    secondary = {1: ("HD-D2",), 2: ("HD-I01",), 3: ("HD-D1", "HD-I01")}
    rows = {r.code: r for r in fl.totals_by_area(line, primary, areas, secondary, no_direction_title="规划方向以外")}
    assert (rows["HD-D1"].count, rows["HD-D1"].amount) == (2, Decimal("70"))
    assert (rows["HD-D2"].count, rows["HD-D2"].amount) == (1, Decimal("20"))
    assert (rows[fl.NO_DIRECTION].count, rows[fl.NO_DIRECTION].amount, rows[fl.NO_DIRECTION].title) == (
        1, Decimal("10"), "规划方向以外",
    )  # fmt: skip
    assert (rows["HD-D1"].secondary_count, rows["HD-D1"].secondary_amount) == (1, Decimal("20"))
    assert (rows["HD-D2"].secondary_count, rows["HD-D2"].secondary_amount) == (1, Decimal("40"))
    assert (rows["HD-I01"].count, rows["HD-I01"].secondary_count) == (1, 2)
    directions = [r for r in rows.values() if r.kind == "direction"]
    assert sum(r.count for r in directions) == line.funded_count == 4
    assert sum((r.amount for r in directions), Decimal(0)) == line.used == Decimal("100")
    assert sum((r.share for r in directions), Decimal(0)) == Decimal("0.5")


def test_the_demo_batch_funds_only_complete_reviews_and_its_directions_sum(demo_db):
    with demo_db.session() as s:
        batch_id = s.scalars(select(Batch.id)).one()
        assert s.scalars(select(ApplicationArea).where(ApplicationArea.role == AreaRole.SECONDARY)).first()
        view = funding_view(s, batch_id)
    few = [r for r in view.rows if r.sheet_count < 3]
    assert few, "the demo has applications with fewer than 3 sheets"
    assert all(r.decision is fl.Decision.INCOMPLETE and r.stability is fl.Stability.INCOMPLETE for r in few
               if not r.vetoed)  # fmt: skip
    assert all(r.sheet_count >= 3 for r in view.rows if r.funded)
    assert view.draft and view.as_json()["draft"] is True and view.incomplete_count == len(few)
    directions = [a for a in view.plan if a.kind == "direction"]
    assert sum(a.count for a in directions) == view.funded_count > 0
    assert sum((a.amount for a in directions), Decimal(0)) == view.used
    assert any(a.secondary_count for a in view.plan)


def test_the_pass_mark_and_minimum_set_on_the_batch_are_used_by_ranking_and_funding(demo_db):
    with demo_db.session() as s:
        batch_id = s.scalars(select(Batch.id)).one()
        before = funding_view(s, batch_id)
        ranked_before = ranked_applications(s, batch_id).recommended_count
    with demo_db.session() as s:
        batches.update_batch(s, batch_id, {"threshold": "85", "min_sheets": "5"}, actor="clerk")
    with demo_db.session() as s:
        after = funding_view(s, batch_id)
        ranked = ranked_applications(s, batch_id)
    assert after.threshold == Decimal("85") and ranked.threshold == Decimal("85") and after.min_sheets == 5
    assert all(r.score >= Decimal("85") and r.sheet_count >= 5 for r in after.rows if r.funded)
    assert all(r.sheet_count >= 5 and r.score >= Decimal("85") for r in ranked.rows if r.recommended)
    assert after.funded_count < before.funded_count and ranked.recommended_count < ranked_before


def test_the_ranking_flags_reviews_below_the_batchs_minimum_as_incomplete(demo_db):
    """The ranking's flags follow the batch's own minimum of valid sheets, not a fixed 3."""
    with demo_db.session() as s:
        batch_id = s.scalars(select(Batch.id)).one()
        batches.update_batch(s, batch_id, {"min_sheets": "5"}, actor="clerk")
    with demo_db.session() as s:
        rows = ranked_applications(s, batch_id).rows
    few = [r for r in rows if r.sheet_count < 5]
    assert few and all(FLAG_INCOMPLETE in r.flags and not r.recommended for r in few)
    assert all(FLAG_INCOMPLETE not in r.flags for r in rows if r.sheet_count >= 5)
    assert flag_label(FLAG_INCOMPLETE) == "评审未完成"
    with demo_db.session() as s:
        batches.update_batch(s, batch_id, {"min_sheets": "3"}, actor="clerk")
    with demo_db.session() as s:
        rows = ranked_applications(s, batch_id).rows
    assert not any(FLAG_INCOMPLETE in r.flags for r in rows if r.sheet_count >= 3)
    # Two sheets under a minimum of 2 are complete: the fixed "fewer than 3" gives way to the batch's rule.
    assert flags_for_batch(("spread", FLAG_FEW), 2, 2) == ("spread",)
    assert flags_for_batch((FLAG_FEW,), 2, 3) == (FLAG_INCOMPLETE,)
