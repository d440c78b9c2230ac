"""Z-score normalisation, expert calibration and the discussion queue."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from reviewtool.core.panels.calibration import Score, calibrate, discussion_queue, normalise
from reviewtool.services.panels import assignment, calibration, draw, panel
from reviewtool.services.panels.invitations import confirm_all
from reviewtool.services.scoring import sheet_edits
from reviewtool.storage.models import Assignment, PanelResult

from .conftest import BATCH, attach_general_rubric, build_world, full_sheet

D = Decimal


def grid(rows):
    """rows: {app: {expert: total}} -> scores."""
    return [Score(e, a, D(t)) for a, by in rows.items() for e, t in by.items()]


def test_normalisation_removes_a_harsh_experts_offset():
    # Expert 1 is 20 points harsher than expert 2 on the same five applications.
    rows = {a: {1: 60 + a, 2: 80 + a} for a in range(1, 6)}
    result = normalise(grid(rows), min_sheets=5)
    values = [result.results[a].value for a in range(1, 6)]
    assert values == sorted(values)  # order kept
    # after standardising, both experts agree: each application's x' is the same for both
    assert result.results[3].value == result.batch_mean
    assert all(r.reason == "" for r in result.results.values())


def test_normalisation_with_too_few_sheets_says_why():
    rows = {a: {1: 70 + a, 2: 75} for a in range(1, 6)}
    rows[6] = {1: 80, 3: 90}  # expert 3 has a single sheet
    result = normalise(grid(rows), min_sheets=5, names={3: "王专家"})
    assert result.results[6].value is None
    assert "王专家（1 份）" in result.results[6].reason
    assert "5" in result.results[6].reason
    assert result.results[1].value is not None


def test_expert_without_spread_is_shifted_not_divided_by_zero():
    rows = {a: {1: 70, 2: 60 + 5 * a} for a in range(1, 6)}
    result = normalise(grid(rows), min_sheets=5)
    assert all(r.value is not None for r in result.results.values())


def test_normalised_values_stay_on_the_scale():
    rows = {a: {1: 0 if a < 5 else 100, 2: 50} for a in range(1, 6)}
    result = normalise(grid(rows), min_sheets=5, scale_max=D(100))
    assert all(D(0) <= r.value <= D(100) for r in result.results.values())


def test_calibration_offsets_spread_and_outside():
    rows = {1: {1: 60, 2: 80, 3: 82}, 2: {1: 62, 2: 78, 3: 80}, 3: {1: 90, 2: 70, 3: 71}}
    cal = calibrate(grid(rows))
    assert cal[1].offset == D("-6.17")  # (−21 − 17 + 19.5) / 3
    assert cal[1].outside == 3 and cal[1].compared == 3
    assert cal[2].outside == 1  # 70 on application 3 is below 71 and 90
    assert cal[3].outside == 2  # 82 and 80 are above both co-reviewers
    assert cal[1].spread == D("13.70")


def test_discussion_queue_orders_split_and_wide_first():
    scores = [
        Score(1, 1, D(90), "recommend"), Score(2, 1, D(60), "not_recommend"),
        Score(1, 2, D(85), "recommend"), Score(2, 2, D(60), "recommend"),
        Score(1, 3, D(80), "recommend"), Score(2, 3, D(78), "not_recommend"),
        Score(1, 4, D(80), "recommend"), Score(2, 4, D(79), "recommend"),
    ]  # fmt: skip
    queue = discussion_queue(
        scores, spread_threshold=D(20), opinion_labels={"recommend": "推荐", "not_recommend": "不推荐"}
    )
    assert [q.application_id for q in queue] == [1, 2, 3]
    assert queue[0].split and "推荐 1" in queue[0].reasons[1]
    assert "25" in queue[1].reasons[0]


def test_service_view_and_store(db):
    with db.session() as s:
        w = build_world(s, n_apps=8, n_experts=14)
        attach_general_rubric(s, w.batch_id)
        panel_id, _c = panel.create_panel(s, BATCH, "第一组", actor="t")
        draw.draw_panel(s, panel_id, 4, seed="cal", actor="t")
        confirm_all(s, panel_id, actor="t")  # the drawn experts accepted
        assignment.apply_assignment(s, panel_id, actor="t", mode="whole")
        pairs = sorted(s.execute(select(Assignment.application_id, Assignment.expert_id)).all())
        experts = sorted({e for _a, e in pairs})
        for a, e in pairs:
            harsh = 2 if e == experts[0] else 0
            sheet_edits.save_sheet(s, application_id=a, reviewer_id=e, data=full_sheet(12 - harsh - (a % 3)), actor="t",
                                   submit=True)  # fmt: skip
        view = calibration.calibration_view(s, BATCH)
        assert all(r.normalised is not None for r in view.results), [r.reason for r in view.results]
        harsh_row = next(r for r in view.experts if r.expert_id == experts[0])
        assert harsh_row.batch.offset < 0
        calibration.store_normalised(s, BATCH, actor="t")
        assert all(r.normalised is not None for r in s.scalars(select(PanelResult)))
        calibration.set_min_sheets(s, BATCH, 9, actor="t")
        view = calibration.calibration_view(s, BATCH)
        assert all(r.normalised is None and "9" in r.reason for r in view.results)
