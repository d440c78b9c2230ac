"""The per-application panel result: the counted sheets, and the panel
figures (mean, trimmed mean, median, spread, flags) recomputed into their own
row whenever the counted sheets change.
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
from reviewtool.storage.models import Application, Batch, PanelResult, ScoreSheet
from reviewtool.storage.models.base import utcnow


@dataclass(frozen=True)
class PanelResultView:
    application_id: int
    figures: PanelFigures
    normalised: Decimal | None
    locked: bool
    computed_at: dt.datetime | None


def counted_sheets(session: Session, application_id: int) -> list[ScoreSheet]:
    """Submitted, not excluded sheets of an application."""
    return list(
        session.scalars(
            select(ScoreSheet)
            .where(
                ScoreSheet.application_id == application_id,
                ScoreSheet.status == SheetStatus.SUBMITTED,
                ScoreSheet.excluded.is_(False),
            )
            .order_by(ScoreSheet.id)
        )
    )


def batch_rules(batch: Batch) -> tuple[int, Decimal]:
    return batch.trimmed_min_sheets or 5, batch.spread_threshold


def recompute_panel_result(session: Session, application_id: int, *, force: bool = False) -> PanelFigures:
    """Rewrite the application's ``panel_result`` row and ``panel_score``.

    A locked panel result is left as it is (its stored figures are returned)
    unless ``force``. The ``normalised`` column belongs to the panel feature
    and is kept."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("No application with id {id}.").format(id=application_id))
    row = session.get(PanelResult, application_id)
    if row is not None and row.locked and not force:
        return _figures_of(row)
    sheets = counted_sheets(session, application_id)
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
        row = PanelResult(application_id=application_id)
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
    if application.panel_score != figures.final_score:
        application.panel_score = figures.final_score
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


def panel_result(session: Session, application_id: int) -> PanelResultView | None:
    row = session.get(PanelResult, application_id)
    if row is None:
        return None
    return PanelResultView(application_id, _figures_of(row), row.normalised, row.locked, row.computed_at)


def recompute_batch(session: Session, batch_id: int, *, force: bool = False) -> int:
    """Recompute every application's panel result of a batch; returns how many."""
    ids = session.scalars(select(Application.id).where(Application.batch_id == batch_id)).all()
    for application_id in ids:
        recompute_panel_result(session, application_id, force=force)
    return len(ids)
