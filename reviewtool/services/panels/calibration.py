"""The calibrated view of one review stage of a batch: z-score normalised
results beside the mean and trimmed mean, expert calibration (this stage and
all batches) and the discussion queue.

``store_normalised`` writes ``panel_result.normalised`` (the column the
ranking offers as the "normalised" rule) for every unlocked result of the
stage; results of finalised panels stay as they were. The stage defaults to
the batch's current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import Opinion, SheetStatus
from reviewtool.core.panels.calibration import (
    DEFAULT_MIN_SHEETS,
    ExpertCalibration,
    QueueItem,
    Score,
    calibrate,
    discussion_queue,
    normalise,
)
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.panel import find_batch
from reviewtool.services.panels.votes import vote_outcomes
from reviewtool.services.stages.reach import current_stage, get_stage, stage_application_ids
from reviewtool.storage.models import Application, Batch, Expert, Panel, PanelResult, RubricVersion, ScoreSheet

MIN_SHEETS_KEY = "zscore_min_sheets"


def min_sheets(batch: Batch) -> int:
    return int((batch.settings or {}).get(MIN_SHEETS_KEY) or DEFAULT_MIN_SHEETS)


def _scores(session: Session, batch_id: int | None, stage_id: int | None = None) -> list[Score]:
    stmt = (
        select(ScoreSheet.reviewer_id, ScoreSheet.application_id, ScoreSheet.total, ScoreSheet.opinion)
        .join(Application, ScoreSheet.application_id == Application.id)
        .where(
            ScoreSheet.status == SheetStatus.SUBMITTED,
            ScoreSheet.excluded.is_(False),
            ScoreSheet.vetoed.is_(False),
            ScoreSheet.total.is_not(None),
        )
    )
    if batch_id is not None:
        stmt = stmt.where(Application.batch_id == batch_id)
    if stage_id is not None:
        stmt = stmt.where(ScoreSheet.stage_id == stage_id)
    return [Score(e, a, t, o.value if o else None) for e, a, t, o in session.execute(stmt)]


def _scale_max(session: Session, batch_id: int, stage_id: int) -> Decimal:
    value = session.scalar(
        select(RubricVersion.total_points)
        .join(ScoreSheet, ScoreSheet.rubric_version_id == RubricVersion.id)
        .join(Application, ScoreSheet.application_id == Application.id)
        .where(Application.batch_id == batch_id, ScoreSheet.stage_id == stage_id)
        .limit(1)
    )
    return value or Decimal(100)


@dataclass(frozen=True)
class ResultRow:
    application_id: int
    number: str
    title: str
    sheets: int
    mean: Decimal | None
    trimmed_mean: Decimal | None
    normalised: Decimal | None
    reason: str  # why normalised is not shown
    locked: bool
    vote: str = ""  # the meeting vote, e.g. "通过（5/1/1）", beside the scores

    def as_json(self) -> dict:
        return {
            "application_id": self.application_id,
            "number": self.number,
            "sheets": self.sheets,
            "mean": None if self.mean is None else str(self.mean),
            "trimmed_mean": None if self.trimmed_mean is None else str(self.trimmed_mean),
            "normalised": None if self.normalised is None else str(self.normalised),
            "reason": self.reason,
            "locked": self.locked,
            "vote": self.vote,
        }


@dataclass(frozen=True)
class CalibrationRow:
    expert_id: int
    name: str
    batch: ExpertCalibration | None
    overall: ExpertCalibration | None

    def as_json(self) -> dict:
        return {
            "expert_id": self.expert_id,
            "name": self.name,
            "batch": self.batch.as_json() if self.batch else None,
            "all_batches": self.overall.as_json() if self.overall else None,
        }


@dataclass(frozen=True)
class QueueRow:
    application_id: int
    number: str
    title: str
    item: QueueItem


@dataclass
class CalibrationView:
    batch: str
    min_sheets: int
    results: list[ResultRow]
    experts: list[CalibrationRow]
    queue: list[QueueRow]
    batch_mean: Decimal | None
    batch_sd: Decimal | None
    stage: str = ""

    def as_json(self) -> dict:
        return {
            "batch": self.batch,
            "stage": self.stage,
            "min_sheets": self.min_sheets,
            "batch_mean": None if self.batch_mean is None else str(self.batch_mean),
            "batch_sd": None if self.batch_sd is None else str(self.batch_sd),
            "results": [r.as_json() for r in self.results],
            "experts": [e.as_json() for e in self.experts],
            "discussion_queue": [
                {
                    "application_id": q.application_id,
                    "number": q.number,
                    "spread": str(q.item.spread),
                    "split": q.item.split,
                    "reasons": list(q.item.reasons),
                }  # fmt: skip
                for q in self.queue
            ],
        }


def calibration_view(session: Session, batch: str | int, stage_id: int | None = None) -> CalibrationView:
    found = find_batch(session, batch)
    stage = get_stage(session, stage_id) if stage_id is not None else current_stage(session, found.id)
    scores = _scores(session, found.id, stage.id)
    names = {i: n for i, n in session.execute(select(Expert.id, Expert.name))}
    minimum = min_sheets(found)
    norm = normalise(scores, min_sheets=minimum, scale_max=_scale_max(session, found.id, stage.id), names=names)
    in_stage = stage_application_ids(session, stage)
    apps = {
        a.id: a
        for a in session.scalars(select(Application).where(Application.id.in_(in_stage)).order_by(Application.number))
    }
    stored = {
        r.application_id: r
        for r in session.scalars(
            select(PanelResult).where(PanelResult.stage_id == stage.id, PanelResult.application_id.in_(list(apps)))
        )
    }
    votes: dict[int, str] = {}
    for panel_id in session.scalars(select(Panel.id).where(Panel.batch_id == found.id, Panel.stage_id == stage.id)):
        for outcome in vote_outcomes(session, panel_id):
            if outcome.passed is not None:
                votes[outcome.application_id] = _("{result} ({votes_for}/{against}/{abstain})").format(
                    result=outcome.label, votes_for=outcome.votes_for, against=outcome.against, abstain=outcome.abstain
                )
    results = []
    for app in apps.values():
        row = stored.get(app.id)
        item = norm.results.get(app.id)
        if row is not None and row.locked:
            value, reason = (
                row.normalised,
                ("" if row.normalised is not None else _("Locked without a normalised result.")),
            )
        elif item is None:
            value, reason = None, _("No submitted sheets yet.")
        else:
            value, reason = item.value, item.reason
        results.append(
            ResultRow(
                app.id,
                app.number,
                app.title,
                row.sheet_count if row else 0,
                row.mean if row else None,
                row.trimmed_mean if row else None,
                value,
                reason,
                bool(row and row.locked),
                votes.get(app.id, ""),
            )  # fmt: skip
        )
    here = calibrate(scores)
    overall = calibrate(_scores(session, None))
    experts = [
        CalibrationRow(e, names.get(e, str(e)), here.get(e), overall.get(e))
        for e in sorted(here, key=lambda x: names.get(x, ""))
    ]
    labels = {o.value: o.label() for o in Opinion}
    queue = [
        QueueRow(q.application_id, apps[q.application_id].number, apps[q.application_id].title, q)
        for q in discussion_queue(scores, spread_threshold=found.spread_threshold, opinion_labels=labels)
    ]
    return CalibrationView(found.name, minimum, results, experts, queue, norm.batch_mean, norm.batch_sd, stage.name)


def store_normalised(session: Session, batch: str | int, *, actor: str, stage_id: int | None = None) -> Changes:
    """Write the normalised figure into every unlocked panel result of a stage (default: the current one)."""
    found = find_batch(session, batch)
    stage = get_stage(session, stage_id) if stage_id is not None else current_stage(session, found.id)
    view = calibration_view(session, found.id, stage.id)
    changed = 0
    for row in view.results:
        result = session.get(PanelResult, (stage.id, row.application_id))
        if result is None or result.locked:
            continue
        if result.normalised != row.normalised:
            result.normalised = row.normalised
            changed += 1
    if changed:
        audit.record(
            session, actor=actor, action="calibration.normalise", entity_type="batch", entity_id=found.id,
            batch_id=found.id, summary=_("Stored {count} normalised results").format(count=changed),
            details={"min_sheets": view.min_sheets, "stage": stage.name, "stage_id": stage.id},
        )  # fmt: skip
    return Changes(sheets=bool(changed), message=_("Stored {count} normalised results").format(count=changed))


def set_min_sheets(session: Session, batch: str | int, value: int, *, actor: str) -> Changes:
    found = find_batch(session, batch)
    if value < 2:
        from reviewtool.core.errors import UserError

        raise UserError(_("The minimum number of sheets for normalisation must be at least 2."))
    old = min_sheets(found)
    found.settings = {**(found.settings or {}), MIN_SHEETS_KEY: value}
    audit.record(
        session, actor=actor, action="calibration.min_sheets", entity_type="batch", entity_id=found.id,
        batch_id=found.id, summary=_("Normalisation needs {value} sheets per expert").format(value=value),
        details={"from": old, "to": value},
    )  # fmt: skip
    return Changes(batches=True)
