"""The panel result of an application in one review stage: the counted
sheets, and the panel figures (mean, trimmed mean, median, spread, flags)
recomputed into their own row whenever the counted sheets of that stage
change. Every stage keeps its own row; ``stage_id`` defaults to the last
stage the application entered (``services.stages.reach.application_stage``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from reviewtool.core.enums import SheetStatus
from reviewtool.core.errors import NotFound
from reviewtool.core.scoring.maths import PanelFigures, SheetFigure, panel_figures
from reviewtool.core.scoring.rubric import Rounding
from reviewtool.i18n import _
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.services.stages.reach import application_stage, expert_stages, stage_application_ids
from reviewtool.services.stages.standing import final_standing, refresh_final_score
from reviewtool.storage.locks import lock_row
from reviewtool.storage.models import Application, Batch, PanelResult, ScoreSheet
from reviewtool.storage.models.base import utcnow

CHUNK = 1000  # applications per query (IN lists)


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


def lock_for_recompute(session: Session, application_id: int) -> Application | None:
    """Hold the application's row until the transaction ends, so two recomputes of its results queue,
    and return the application as now committed.

    On PostgreSQL (READ COMMITTED) two experts submitting sheets of one application at once would
    each read the sheets without the other's uncommitted one, and the later write of the panel
    result would leave out the earlier sheet. With the lock the second waits, then reads the sheets
    as the first committed them. (SQLite: the database's write lock, taken now.)
    The lock is not an edit: the application's version is untouched, a clerk's form save only waits.
    ``FOR NO KEY UPDATE`` (not ``FOR UPDATE``): the key-share lock a first sheet's INSERT takes on
    its application (the foreign key) does not conflict with it, so upgrading never deadlocks.

    What this transaction loaded of the application before it waited (the application, its sheets
    and results) is re-read: a stale copy compared equal to a recomputed figure writes nothing, and
    the first writer's figure would stay (a concurrency test found ``panel_score`` off so)."""
    forget_loaded(session, {application_id})
    return lock_row(session, Application, application_id)


def forget_loaded(session: Session, application_ids: set[int]) -> None:
    """Flush, then expire what the session holds of these applications (the rows, their sheets and
    results), so the locked reads that follow load them as now committed. Expired rather than
    re-read over: a versioned row re-read at a newer version raises ``StaleDataError``."""
    session.flush()
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Application):
            owner = inspect(obj).dict.get("id")
        elif isinstance(obj, (ScoreSheet, PanelResult)):
            owner = inspect(obj).dict.get("application_id")
        else:
            continue
        if owner in application_ids:
            session.expire(obj)


def recompute_panel_result(
    session: Session, application_id: int, *, stage_id: int | None = None, force: bool = False
) -> PanelFigures:
    """Rewrite the application's ``panel_result`` row of a stage, and its
    ``panel_score`` (the final score over all stages).

    A locked panel result is left as it is (its stored figures are returned)
    unless ``force``. The ``normalised`` column belongs to the panel feature
    and is kept."""
    application = lock_for_recompute(session, application_id)
    if application is None:
        raise NotFound(_("No application with id {id}.").format(id=application_id))
    stage_id = stage_of(session, application_id, stage_id)
    row = session.get(PanelResult, (stage_id, application_id))
    if row is not None and row.locked and not force:
        return _figures_of(row)
    if row is None:
        row = PanelResult(stage_id=stage_id, application_id=application_id)
        session.add(row)
    figures = _store_figures(row, application, counted_sheets(session, application_id, stage_id))
    session.flush()
    refresh_final_score(session, application_id)
    session.flush()
    return figures


def recompute_panel_results(
    session: Session, application_ids: Iterable[int], *, stage_id: int, force: bool = False
) -> dict[int, PanelFigures]:
    """``recompute_panel_result`` for many applications of one stage at once (a workbook import's
    applications): the same rows and panel scores, in a few statements whatever their number — the
    results, the counted sheets and the final standing are read once for all, each rubric parsed once."""
    ids = sorted(set(application_ids))
    out: dict[int, PanelFigures] = {}
    rounding_of: dict[int, Rounding] = {}
    for chunk in (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)):
        forget_loaded(session, set(chunk))
        # Locked as ``lock_for_recompute`` locks one, all at once and in id order (two imports queue).
        applications = {
            a.id: a
            for a in session.scalars(
                select(Application)
                .where(Application.id.in_(chunk))
                .order_by(Application.id)
                .with_for_update(key_share=True)
            )
        }
        missing = [a for a in chunk if a not in applications]
        if missing:
            raise NotFound(_("No application with id {id}.").format(id=missing[0]))
        rows = {
            r.application_id: r
            for r in session.scalars(
                select(PanelResult).where(PanelResult.stage_id == stage_id, PanelResult.application_id.in_(chunk))
            )
        }
        counted: dict[int, list[ScoreSheet]] = defaultdict(list)
        for sheet in session.scalars(
            select(ScoreSheet)
            .where(
                ScoreSheet.stage_id == stage_id,
                ScoreSheet.application_id.in_(chunk),
                ScoreSheet.status == SheetStatus.SUBMITTED,
                ScoreSheet.excluded.is_(False),
            )
            .order_by(ScoreSheet.id)
        ):
            counted[sheet.application_id].append(sheet)
        refreshed: dict[int, list[int]] = defaultdict(list)  # batch -> applications
        for app_id in chunk:
            row = rows.get(app_id)
            if row is not None and row.locked and not force:
                out[app_id] = _figures_of(row)
                continue
            if row is None:
                row = PanelResult(stage_id=stage_id, application_id=app_id)
                session.add(row)
            out[app_id] = _store_figures(row, applications[app_id], counted[app_id], rounding_of)
            refreshed[applications[app_id].batch_id].append(app_id)
        session.flush()
        for batch_id, app_ids in refreshed.items():
            _refresh_final_scores(session, batch_id, [applications[a] for a in app_ids])
        session.flush()
    return out


def _refresh_final_scores(session: Session, batch_id: int, applications: list[Application]) -> None:
    """``refresh_final_score`` of many applications of a batch, from one reading of the standing."""
    stages = expert_stages(session, batch_id)
    if not stages:
        return
    view = final_standing(session, batch_id, stages[-1].id, application_ids=[a.id for a in applications])
    changed: list[tuple[Application, Decimal | None]] = []
    for application in applications:
        standing = view.figures.get(application.id)
        score = standing.final_score if standing is not None else None
        if application.panel_score != score:
            changed.append((application, score))
    if not changed:
        return
    # A derived column: one UPDATE for all, without the row-version check (as storage/versioning.py
    # writes it for one application), then marked saved on the loaded objects.
    table = Application.__table__
    session.execute(
        table.update().where(table.c.id == bindparam("app_id")).values(panel_score=bindparam("score")),
        [{"app_id": a.id, "score": score} for a, score in changed],
    )
    for application, score in changed:
        set_committed_value(application, "panel_score", score)


def _store_figures(
    row: PanelResult, application: Application, sheets: list[ScoreSheet], rounding_of: dict[int, Rounding] | None = None
) -> PanelFigures:
    """Compute the figures of ``sheets`` (the counted sheets, oldest first) into ``row``."""
    rounding = Rounding()
    if sheets:
        last = sheets[-1].rubric_version
        rounding_of = {} if rounding_of is None else rounding_of  # each version parsed once for many applications
        if last.id not in rounding_of:
            rounding_of[last.id] = spec_of_version(last).rounding
        rounding = rounding_of[last.id]
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


def may_recompute(session: Session) -> bool:
    """Whether this session may write panel results: not a 评审专家 / 专家组长 on PostgreSQL, where
    row-level security lets them neither read panel results nor update ``application``."""
    from reviewtool.core.users import Permission

    identity = session.info.get("identity")
    if session.get_bind().dialect.name != "postgresql" or identity is None or identity.unrestricted:
        return True
    return identity.can(Permission.TRANSCRIBE_SHEETS)


def stale_results(session: Session, batch_id: int) -> list[tuple[int, int]]:
    """(stage id, application id) of the results a submitted sheet changed after (or never computed):
    what an expert's own submit on PostgreSQL leaves for staff to recompute (``refresh_stale_results``)."""
    newest = (
        select(ScoreSheet.stage_id, ScoreSheet.application_id, func.max(ScoreSheet.updated_at).label("at"))
        .join(Application, ScoreSheet.application_id == Application.id)
        .where(Application.batch_id == batch_id, ScoreSheet.status == SheetStatus.SUBMITTED)
        .group_by(ScoreSheet.stage_id, ScoreSheet.application_id)
        .subquery()
    )
    rows = session.execute(
        select(newest.c.stage_id, newest.c.application_id)
        .outerjoin(
            PanelResult,
            (PanelResult.stage_id == newest.c.stage_id) & (PanelResult.application_id == newest.c.application_id),
        )
        .where(
            PanelResult.application_id.is_(None)
            | (PanelResult.locked.is_(False) & (PanelResult.computed_at < newest.c.at))
        )
    ).all()
    return [(r.stage_id, r.application_id) for r in rows]


def refresh_stale_results(session: Session, batch_id: int) -> int:
    """Recompute the results experts' submits left stale (staff, before showing figures); how many."""
    if not may_recompute(session):
        return 0
    stale = stale_results(session, batch_id)
    for stage_id, application_id in stale:
        recompute_panel_result(session, application_id, stage_id=stage_id)
    return len(stale)


def recompute_batch(session: Session, batch_id: int, *, force: bool = False) -> int:
    """Recompute every panel result of a batch, in every expert stage; returns how many."""
    count = 0
    for stage in expert_stages(session, batch_id):
        for application_id in stage_application_ids(session, stage):
            recompute_panel_result(session, application_id, stage_id=stage.id, force=force)
            count += 1
    return count
