"""A recompute that waited for another writer's commit stores what it computes.

The concurrency test once found ``application.panel_score`` off its recompute on PostgreSQL: a save
had loaded the application before it queued for the lock, recomputed the score the application
had when loaded, and so wrote nothing over the score the first writer had committed meanwhile.
Here the same interleaving is made by hand, on both engines: the second session loads the
application, a first session raises a sheet and commits, the second saves that sheet back."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from reviewtool.core.enums import SheetStatus
from reviewtool.services.demo import load_demo
from reviewtool.services.scoring import sheet_edits
from reviewtool.services.scoring.results import recompute_panel_result
from reviewtool.storage.models import Application, PanelResult, ScoreSheet


def _a_sheet_to_raise(session) -> tuple[ScoreSheet, str]:
    """A submitted sheet with a criterion below its maximum, of an application with an open result."""
    counts = (
        select(ScoreSheet.application_id)
        .where(ScoreSheet.status == SheetStatus.SUBMITTED)
        .group_by(ScoreSheet.application_id)
        .having(func.count() >= 3)
    )
    for sheet in session.scalars(
        select(ScoreSheet).where(ScoreSheet.application_id.in_(counts), ScoreSheet.status == SheetStatus.SUBMITTED)
    ):
        result = session.get(PanelResult, (sheet.stage_id, sheet.application_id))
        if result is None or result.locked:
            continue
        data = sheet_edits.sheet_input_of(sheet)
        for key, points in data.points.items():
            if points is not None and Decimal(0) < points:
                return sheet, key
    raise AssertionError("the demo has no sheet to change")


def _save(session, sheet_id: int, key: str, delta: Decimal) -> None:
    sheet = session.get(ScoreSheet, sheet_id)
    data = sheet_edits.sheet_input_of(sheet)
    points = dict(data.points)
    points[key] = points[key] + delta
    sheet_edits.save_sheet(
        session, application_id=sheet.application_id, reviewer_id=sheet.reviewer_id, stage_id=sheet.stage_id,
        data=type(data)(points=points, comments=data.comments, vetoes=data.vetoes, opinion=data.opinion,
                        written_opinion=data.written_opinion),
        actor="wangfang", submit=True,
    )  # fmt: skip


def test_a_save_that_loaded_the_application_before_another_commit_stores_its_own_recompute(any_db):
    with any_db.session() as session:
        load_demo(session, actor="tester")
    with any_db.session() as session:
        sheet, key = _a_sheet_to_raise(session)
        sheet_id, application_id, stage_id = sheet.id, sheet.application_id, sheet.stage_id
        before = session.get(Application, application_id).panel_score
    with any_db.session() as second:
        held = second.get(Application, application_id)  # loaded (and kept), then the wait
        assert held.panel_score == before
        with any_db.session() as first:
            _save(first, sheet_id, key, Decimal(-1))
        with any_db.session() as check:
            assert check.get(Application, application_id).panel_score != before  # the first write counted
        _save(second, sheet_id, key, Decimal(1))  # the sheet as the second screen holds it: as before
    with any_db.session() as session:
        stored = session.get(Application, application_id).panel_score
        result = session.get(PanelResult, (stage_id, application_id)).final_score
        recompute_panel_result(session, application_id, stage_id=stage_id)
        session.flush()
        assert (stored, result) == (
            session.get(Application, application_id).panel_score,
            session.get(PanelResult, (stage_id, application_id)).final_score,
        )
