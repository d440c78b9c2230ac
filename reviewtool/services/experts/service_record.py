"""An expert's service record (专家履职记录), for staff: every panel they were
drawn or added to — batch, stage, panel, the invitation's answer — with the
sheets they submitted on time or late (against the panel's due date), the
sheets still missing, conflicts declared, declines, the reviews that count
toward the yearly cap, and their calibration offset (how far their totals sit
from their co-reviewers', over every batch).

Staff only: the record reads as a judgement of the expert. Reads only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, Invitation, MemberStatus, SheetStatus
from reviewtool.core.errors import NotFound, UserError
from reviewtool.core.panels.calibration import Score, calibrate
from reviewtool.core.users import Permission
from reviewtool.i18n import _
from reviewtool.services.panels.draw_rules import draw_rules, review_counts
from reviewtool.services.users.permissions import require
from reviewtool.storage.models import (
    Application,
    Assignment,
    Batch,
    Expert,
    Panel,
    PanelDraw,
    PanelMember,
    ScoreSheet,
    Unit,
)


@dataclass(frozen=True)
class ServiceLine:
    """One panel the expert was on."""

    batch: str
    stage: str
    panel: str
    drawn_on: dt.date | None
    invitation: Invitation
    answered_on: dt.date | None
    declined: bool
    reason: str
    assigned: int
    on_time: int
    late: int
    missing: int
    conflicts: int
    due_date: dt.date | None

    def as_json(self) -> dict:
        return {
            "batch": self.batch,
            "stage": self.stage,
            "panel": self.panel,
            "drawn_on": self.drawn_on.isoformat() if self.drawn_on else None,
            "invitation": self.invitation.value,
            "answered_on": self.answered_on.isoformat() if self.answered_on else None,
            "declined": self.declined,
            "reason": self.reason,
            "assigned": self.assigned,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "conflicts": self.conflicts,
            "due_date": self.due_date.isoformat() if self.due_date else None,
        }


@dataclass(frozen=True)
class ServiceRecord:
    expert_id: int
    name: str
    unit: str
    lines: tuple[ServiceLine, ...]
    recent_reviews: int  # panels in the last 12 months (the yearly cap counts these)
    cap: int | None
    offset: Decimal | None  # mean of (own total − co-reviewers' mean), all batches
    compared: int  # sheets that had co-reviewers

    @property
    def batches(self) -> int:
        return len({line.batch for line in self.lines})

    @property
    def stages(self) -> int:
        return len({(line.batch, line.stage) for line in self.lines if not line.declined})

    @property
    def declines(self) -> int:
        return sum(1 for line in self.lines if line.declined)

    @property
    def on_time(self) -> int:
        return sum(line.on_time for line in self.lines)

    @property
    def late(self) -> int:
        return sum(line.late for line in self.lines)

    def summary(self) -> str:
        text = _(
            "{batches} batches, {stages} stages; {on_time} sheets on time, {late} late; {declines} declined; "
            "{recent} reviews in the last 12 months"
        ).format(
            batches=self.batches, stages=self.stages, on_time=self.on_time, late=self.late, declines=self.declines,
            recent=self.recent_reviews,
        )  # fmt: skip
        if self.cap is not None:
            text += _(" (cap {cap})").format(cap=self.cap)
        if self.offset is not None:
            text += _("; calibration offset {offset:+} points over {count} sheets").format(
                offset=self.offset, count=self.compared
            )
        return text

    def as_json(self) -> dict:
        return {
            "expert_id": self.expert_id,
            "name": self.name,
            "unit": self.unit,
            "batches": self.batches,
            "stages": self.stages,
            "sheets_on_time": self.on_time,
            "sheets_late": self.late,
            "declines": self.declines,
            "recent_reviews": self.recent_reviews,
            "yearly_cap": self.cap,
            "calibration_offset": None if self.offset is None else str(self.offset),
            "calibration_compared": self.compared,
            "panels": [line.as_json() for line in self.lines],
        }


def _stage_names(session: Session) -> dict[int, str]:
    try:
        from reviewtool.storage.models.stages import Stage
    except ImportError:  # pragma: no cover - before stages
        return {}
    return dict(session.execute(select(Stage.id, Stage.name)).all())


def _date(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


def expert_id_of(session: Session, expert: str | int) -> int:
    """An expert by id or exact name (refusing an ambiguous name)."""
    if isinstance(expert, int) or str(expert).strip().isdigit():
        found = session.get(Expert, int(expert))
        if found is not None:
            return found.id
    ids = list(session.scalars(select(Expert.id).where(Expert.name == str(expert).strip())))
    if not ids:
        raise NotFound(_("No expert named “{name}”.").format(name=expert))
    if len(ids) > 1:
        raise UserError(_("Several experts are named “{name}”; give the id instead.").format(name=expert))
    return ids[0]


def service_record(session: Session, expert_id: int, *, today: dt.date | None = None) -> ServiceRecord:
    """The record of one expert (staff only)."""
    require(session, Permission.EXPERT_POOL)
    expert = session.get(Expert, expert_id)
    if expert is None:
        raise NotFound(_("No expert with id {id}.").format(id=expert_id))
    today = today or dt.date.today()
    unit = session.get(Unit, expert.unit_id).name if expert.unit_id else ""
    stages = _stage_names(session)
    sheets = list(session.scalars(select(ScoreSheet).where(ScoreSheet.reviewer_id == expert_id)))
    by_pair = {}
    for sheet in sheets:
        by_pair.setdefault((sheet.panel_id, sheet.application_id), sheet)
    assignments: dict[int, list[Assignment]] = {}
    for item in session.scalars(select(Assignment).where(Assignment.expert_id == expert_id)):
        assignments.setdefault(item.panel_id, []).append(item)
    lines = []
    stmt = (
        select(PanelMember, Panel, Batch.name, PanelDraw.drawn_at)
        .join(Panel, PanelMember.panel_id == Panel.id)
        .join(Batch, Panel.batch_id == Batch.id)
        .outerjoin(PanelDraw, PanelMember.draw_id == PanelDraw.id)
        .where(PanelMember.expert_id == expert_id)
        .order_by(Panel.created_at, Panel.id)
    )
    for member, panel, batch_name, drawn_at in session.execute(stmt):
        on_time = late = missing = conflicts = assigned = 0
        for item in assignments.get(panel.id, []):
            if item.status is AssignmentStatus.REMOVED:
                continue
            if item.status is AssignmentStatus.CONFLICT_DECLARED:
                conflicts += 1
                continue
            assigned += 1
            sheet = by_pair.get((panel.id, item.application_id)) or by_pair.get((None, item.application_id))
            if sheet is not None and sheet.status is SheetStatus.SUBMITTED:
                submitted = _date(sheet.submitted_at)
                if panel.due_date is not None and submitted is not None and submitted > panel.due_date:
                    late += 1
                else:
                    on_time += 1
            elif panel.due_date is not None and today > panel.due_date:
                missing += 1
        declined = member.status is MemberStatus.DECLINED or member.invitation is Invitation.DECLINED
        lines.append(
            ServiceLine(
                batch=batch_name,
                stage=stages.get(getattr(panel, "stage_id", None), ""),
                panel=panel.name,
                drawn_on=_date(drawn_at) or _date(panel.created_at),
                invitation=member.invitation,
                answered_on=member.answered_on,
                declined=declined,
                reason=(member.status_reason or "") if declined else "",
                assigned=assigned,
                on_time=on_time,
                late=late,
                missing=missing,
                conflicts=conflicts,
                due_date=panel.due_date,
            )
        )
    # Co-reviewers are those of the same application in the same stage (a 会评 is not compared with the 网评).
    scores = [
        Score(e, (stage, a), t, None)
        for e, stage, a, t in session.execute(
            select(ScoreSheet.reviewer_id, ScoreSheet.stage_id, ScoreSheet.application_id, ScoreSheet.total)
            .join(Application, ScoreSheet.application_id == Application.id)
            .where(
                ScoreSheet.status == SheetStatus.SUBMITTED,
                ScoreSheet.excluded.is_(False),
                ScoreSheet.vetoed.is_(False),
                ScoreSheet.total.is_not(None),
            )
        )
    ]
    calibration = calibrate(scores).get(expert_id)
    return ServiceRecord(
        expert_id=expert.id,
        name=expert.name,
        unit=unit,
        lines=tuple(lines),
        recent_reviews=review_counts(session).get(expert_id, 0),
        cap=draw_rules(session).cap,
        offset=calibration.offset if calibration else None,
        compared=calibration.compared if calibration else 0,
    )
