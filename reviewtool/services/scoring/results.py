"""The panel result of an application in one review stage: the counted
sheets, and the panel figures (mean, trimmed mean, median, spread, flags)
recomputed into their own row whenever the counted sheets of that stage
change. Every stage keeps its own row; ``stage_id`` defaults to the last
stage the application entered (``services.stages.reach.application_stage``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import SheetStatus
from reviewtool.core.errors import NotFound
from reviewtool.core.scoring.maths import PanelFigures, SheetFigure, panel_figures
from reviewtool.core.scoring.rubric import Rounding
from reviewtool.i18n import _
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.services.stages.reach import application_stage, expert_stages, stage_application_ids
from reviewtool.services.stages.standing import refresh_final_score
from reviewtool.storage.models import Application, Batch, PanelResult, ScoreSheet
from reviewtool.storage.models.base import utcnow


@dataclass(frozen=True)
class PanelResultView:
    application_id: int
    figures: PanelFigures
    normalised: Decimal | None
    locked: bool
    computed_at: dt.datetime | None
    stage_id: int | None = None


def stage_of(session: Session, application_id: int, stage_id: int | None) -> int:
    """The stage asked for, or the last stage the application entered."""
    return stage_id if stage_id is not None else application_stage(session, application_id).id


def counted_sheets(session: Session, application_id: int, stage_id: int | None = None) -> list[ScoreSheet]:
    """Submitted, not excluded sheets of an application in a stage."""
    stage_id = stage_of(session, application_id, stage_id)
    return list(
        session.scalars(
            select(ScoreSheet)
            .where(
                ScoreSheet.stage_id == stage_id,
                ScoreSheet.application_id == application_id,
                ScoreSheet.status == SheetStatus.SUBMITTED,
                ScoreSheet.excluded.is_(False),
            )
            .order_by(ScoreSheet.id)
        )
    )


def batch_rules(batch: Batch) -> tuple[int, Decimal]:
    return batch.trimmed_min_sheets or 5, batch.spread_threshold


def recompute_panel_result(
    session: Session, application_id: int, *, stage_id: int | None = None, force: bool = False
) -> PanelFigures:
    """Rewrite the application's ``panel_result`` row of a stage, and its
    ``panel_score`` (the final score over all stages).

    A locked panel result is left as it is (its stored figures are returned)
    unless ``force``. The ``normalised`` column belongs to the panel feature
    and is kept."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("No application with id {id}.").format(id=application_id))
    stage_id = stage_of(session, application_id, stage_id)
    row = session.get(PanelResult, (stage_id, application_id))
    if row is not None and row.locked and not force:
        return _figures_of(row)
    sheets = counted_sheets(session, application_id, stage_id)
    rounding = Rounding()
    if sheets:
        rounding = spec_of_version(sheets[-1].rubric_version).rounding
    min_trimmed, spread_threshold = batch_rules(application.batch)
    figures = panel_figures(
        [SheetFigure(s.total, s.vetoed, s.opinion) for s in sheets],
        rounding=rounding,
        min_trimmed=min_trimmed,
        spread_threshold=spread_threshold,
    )
    flags = list(figures.flags)
    if len({s.rubric_version_id for s in sheets}) > 1:
        flags.append("mixed_versions")
    if row is None:
        row = PanelResult(stage_id=stage_id, application_id=application_id)
        session.add(row)
    row.sheet_count = figures.sheet_count
    row.mean = figures.mean
    row.median = figures.median
    row.trimmed_mean = figures.trimmed_mean
    row.spread = figures.spread
    row.std_dev = figures.std_dev
    row.final_score = figures.final_score
    row.rule = figures.rule
    row.veto_count = figures.veto_count
    row.opinions = dict(figures.opinions)
    row.flags = flags
    row.computed_at = utcnow()
    session.flush()
    refresh_final_score(session, application_id)
    session.flush()
    return figures


def _figures_of(row: PanelResult) -> PanelFigures:
    return PanelFigures(
        sheet_count=row.sheet_count,
        mean=row.mean,
        median=row.median,
        trimmed_mean=row.trimmed_mean,
        spread=row.spread,
        std_dev=row.std_dev,
        final_score=row.final_score,
        rule=row.rule,
        veto_count=row.veto_count,
        opinions=dict(row.opinions or {}),
        flags=tuple(row.flags or ()),
    )


def result_row(session: Session, application_id: int, stage_id: int | None = None) -> PanelResult | None:
    """The stored ``panel_result`` row of an application in a stage (default: its last)."""
    return session.get(PanelResult, (stage_of(session, application_id, stage_id), application_id))


def panel_result(session: Session, application_id: int, stage_id: int | None = None) -> PanelResultView | None:
    stage_id = stage_of(session, application_id, stage_id)
    row = session.get(PanelResult, (stage_id, application_id))
    if row is None:
        return None
    return PanelResultView(application_id, _figures_of(row), row.normalised, row.locked, row.computed_at, stage_id)


def recompute_batch(session: Session, batch_id: int, *, force: bool = False) -> int:
    """Recompute every panel result of a batch, in every expert stage; returns how many."""
    count = 0
    for stage in expert_stages(session, batch_id):
        for application_id in stage_application_ids(session, stage):
            recompute_panel_result(session, application_id, stage_id=stage.id, force=force)
            count += 1
    return count
