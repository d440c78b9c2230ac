"""An expert's own assignments, per review stage, and one application's summary.

Blind review: everything here is the expert's own. The rows carry no other
expert's name, score or opinion, and the queries never read another
expert's sheet (on PostgreSQL row-level security would hide them anyway).

Whose workspace: a logged-in 评审专家 / 专家组长 sees their own
(``identity.expert_id``); an unrestricted identity (an SQLite file without
local users, the PostgreSQL owner) may name the expert, as the CLI's
``--expert`` does; staff without an expert record have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, SheetStatus
from reviewtool.core.errors import NotFound, Refused
from reviewtool.core.users import Permission
from reviewtool.i18n import _
from reviewtool.services.stages.reach import current_stage
from reviewtool.services.users.permissions import current
from reviewtool.storage.models import (
    Application,
    Assignment,
    Attachment,
    Batch,
    Expert,
    ReviewDeclaration,
    ScoreSheet,
    Stage,
    Unit,
)

#: ``batch.settings`` key: the attachment kinds experts may open (absent: every kind).
EXPERT_ATTACHMENTS_KEY = "expert_attachment_kinds"


@dataclass(frozen=True)
class MyAssignment:
    """One application assigned to the expert in one stage, with the expert's own sheet."""

    application_id: int
    number: str
    title: str
    unit: str
    status: AssignmentStatus  # active, or conflict declared (回避)
    sheet_status: SheetStatus | None  # None: not started
    total: Decimal | None  # the expert's own total
    locked: bool

    @property
    def state(self) -> str:
        if self.status is AssignmentStatus.CONFLICT_DECLARED:
            return _("Avoided (conflict declared)")
        if self.sheet_status is None:
            return _("Not started")
        if self.locked:
            return _("Locked")
        return self.sheet_status.label()

    def as_json(self) -> dict:
        return {
            "application_id": self.application_id,
            "number": self.number,
            "title": self.title,
            "unit": self.unit,
            "assignment": self.status.value,
            "sheet": self.sheet_status.value if self.sheet_status else None,
            "total": None if self.total is None else str(self.total),
            "locked": self.locked,
            "state": self.state,
        }


@dataclass(frozen=True)
class MyStage:
    """A review stage in which the expert has assignments."""

    stage_id: int
    stage_name: str
    batch_id: int
    batch_name: str
    current: bool  # the batch's current stage (services.stages)
    finalised: bool
    declared: bool  # 回避 and 保密 accepted for this stage
    assignments: tuple[MyAssignment, ...]

    @property
    def title(self) -> str:
        return f"{self.batch_name} · {self.stage_name}"

    def as_json(self) -> dict:
        return {
            "stage_id": self.stage_id,
            "stage": self.stage_name,
            "batch_id": self.batch_id,
            "batch": self.batch_name,
            "current": self.current,
            "finalised": self.finalised,
            "declared": self.declared,
            "assignments": [a.as_json() for a in self.assignments],
        }


def my_expert_id(session: Session, expert_id: int | None = None) -> int:
    """The expert whose workspace this is (see the module's note); refuses anyone else's."""
    identity = current(session)
    if identity is not None and not identity.unrestricted:
        if not identity.can(Permission.SCORE_OWN) or identity.expert_id is None:
            raise Refused(
                _("{user} is not linked to an expert record, so has no reviews of their own.").format(
                    user=identity.login
                )
            )
        if expert_id is not None and expert_id != identity.expert_id:
            raise Refused(_("{user} may only see their own reviews.").format(user=identity.login))
        expert_id = identity.expert_id
    if expert_id is None:
        raise Refused(_("Name the expert whose reviews to show (--expert ID)."))
    if session.get(Expert, expert_id) is None:
        raise NotFound(_("No expert with id {id}.").format(id=expert_id))
    return expert_id


def my_stages(session: Session, expert_id: int | None = None) -> list[MyStage]:
    """The expert's assignments (not removed ones), grouped by stage: batches newest first, stages in order."""
    expert_id = my_expert_id(session, expert_id)
    rows = session.execute(
        select(Assignment, Application.number, Application.title, Unit.name, Stage, Batch.name)
        .join(Application, Assignment.application_id == Application.id)
        .outerjoin(Unit, Application.unit_id == Unit.id)
        .join(Stage, Assignment.stage_id == Stage.id)
        .join(Batch, Stage.batch_id == Batch.id)
        .where(Assignment.expert_id == expert_id, Assignment.status != AssignmentStatus.REMOVED)
        .order_by(Batch.id.desc(), Stage.position, Application.number)
    ).all()
    sheets = {
        (s.stage_id, s.application_id): s
        for s in session.scalars(select(ScoreSheet).where(ScoreSheet.reviewer_id == expert_id))
    }
    declared = set(session.scalars(select(ReviewDeclaration.stage_id).where(ReviewDeclaration.expert_id == expert_id)))
    grouped: dict[int, tuple[Stage, str, list[MyAssignment]]] = {}
    for assignment, number, title, unit, stage, batch_name in rows:
        sheet = sheets.get((stage.id, assignment.application_id))
        entry = grouped.setdefault(stage.id, (stage, batch_name, []))
        entry[2].append(
            MyAssignment(
                application_id=assignment.application_id,
                number=number,
                title=title,
                unit=unit or "",
                status=assignment.status,
                sheet_status=sheet.status if sheet else None,
                total=sheet.total if sheet else None,
                locked=bool(sheet and sheet.locked),
            )
        )
    currents: dict[int, int] = {}
    out = []
    for stage, batch_name, items in grouped.values():
        if stage.batch_id not in currents:
            currents[stage.batch_id] = current_stage(session, stage.batch_id).id
        out.append(
            MyStage(
                stage_id=stage.id,
                stage_name=stage.name,
                batch_id=stage.batch_id,
                batch_name=batch_name,
                current=currents[stage.batch_id] == stage.id,
                finalised=stage.finalized_at is not None or stage.status.value == "finalised",
                declared=stage.id in declared,
                assignments=tuple(items),
            )
        )
    return out


@dataclass(frozen=True)
class Summary:
    """What the expert reads of an application assigned to them."""

    application_id: int
    number: str
    title: str
    unit: str
    category: str
    requested_amount: Decimal | None
    abstract: str
    attachments: tuple[tuple[int, str, str], ...]  # id, kind, filename: those the batch allows

    def as_json(self) -> dict:
        return {
            "application_id": self.application_id,
            "number": self.number,
            "title": self.title,
            "unit": self.unit,
            "category": self.category,
            "requested_amount": None if self.requested_amount is None else str(self.requested_amount),
            "abstract": self.abstract,
            "attachments": [{"id": i, "kind": k, "filename": f} for i, k, f in self.attachments],
        }


def allowed_attachment_kinds(batch: Batch) -> frozenset[str] | None:
    """The attachment kinds the batch shows experts; None: every kind."""
    kinds = (batch.settings or {}).get(EXPERT_ATTACHMENTS_KEY)
    return None if kinds is None else frozenset(str(k) for k in kinds)


def my_assignment(session: Session, stage_id: int, application_id: int, expert_id: int) -> Assignment:
    item = session.scalar(
        select(Assignment).where(
            Assignment.stage_id == stage_id,
            Assignment.application_id == application_id,
            Assignment.expert_id == expert_id,
            Assignment.status != AssignmentStatus.REMOVED,
        )
    )
    if item is None:
        raise NotFound(_("That application is not assigned to you in this stage."))
    return item


def summary(session: Session, stage_id: int, application_id: int, expert_id: int | None = None) -> Summary:
    """An assigned application's summary (refused for one not assigned to the expert)."""
    expert_id = my_expert_id(session, expert_id)
    my_assignment(session, stage_id, application_id, expert_id)
    application = session.get(Application, application_id)
    kinds = allowed_attachment_kinds(application.batch)
    attachments = [
        (a, k, f)
        for a, k, f in session.execute(
            select(Attachment.id, Attachment.kind, Attachment.filename)
            .where(Attachment.application_id == application_id)
            .order_by(Attachment.id)
        )
        if kinds is None or k in kinds
    ]
    return Summary(
        application_id=application.id,
        number=application.number,
        title=application.title,
        unit=application.unit.name if application.unit else "",
        category=application.category or "",
        requested_amount=application.requested_amount,
        abstract=application.abstract or "",
        attachments=tuple(attachments),
    )
