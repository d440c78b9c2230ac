"""Score sheets (专家评审表) read back: a sheet's view, finding and listing
sheets, the scoring context an entry window needs (rubric, application,
suggested plan-fit band) and the reviewers a sheet can be typed for.

One sheet per reviewer per application per rubric version per review
stage (评审阶段): ``stage_id`` defaults to the last stage the application
entered. Changing a sheet is ``sheet_edits``; the panel result is ``results``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reviewtool.core.enums import Opinion, SheetSource, SheetStatus, TagSource
from reviewtool.core.errors import NotFound, UserError
from reviewtool.core.scoring.maths import SheetInput
from reviewtool.core.scoring.rubric import RubricSpec, figure_text, points_text
from reviewtool.i18n import _
from reviewtool.services.scoring.rubric_batches import select_rubric_version
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.services.stages.reach import application_stage
from reviewtool.storage.models import (
    Application,
    ApplicationArea,
    Attachment,
    Expert,
    PriorityArea,
    RubricVersion,
    ScoreSheet,
    Stage,
)

if TYPE_CHECKING:
    from reviewtool.services.stages.visibility import EarlierSheet


@dataclass(frozen=True)
class SheetView:
    """A sheet as plain data (safe to hand to the GUI thread)."""

    id: int
    application_id: int
    application_number: str
    reviewer_id: int
    reviewer_name: str
    reviewer_is_staff: bool
    rubric_version_id: int
    rubric_code: str
    rubric_version: int
    panel_id: int | None
    status: SheetStatus
    source: SheetSource
    entered_by: str
    data: SheetInput
    stage_id: int | None
    internal_note: str
    vetoed: bool
    total: Decimal | None
    locked: bool
    excluded: bool
    excluded_reason: str | None
    workbook_hash: str | None
    submitted_at: dt.datetime | None
    updated_at: dt.datetime | None
    stage_name: str = ""
    row_version: int = 0  # passed back on save, so a save over someone else's newer one is refused

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "application": self.application_number,
            "reviewer": self.reviewer_name,
            "reviewer_is_staff": self.reviewer_is_staff,
            "rubric": self.rubric_code,
            "rubric_version": self.rubric_version,
            "panel_id": self.panel_id,
            "stage": self.stage_name,
            "status": self.status.value,
            "source": self.source.value,
            "entered_by": self.entered_by,
            "vetoed": self.vetoed,
            "vetoes": dict(self.data.vetoes),
            "points": {k: points_text(v) if v is not None else None for k, v in self.data.points.items()},
            "comments": {k: v for k, v in self.data.comments.items() if v},
            "total": figure_text(self.total),
            "opinion": self.data.opinion.value if self.data.opinion else None,
            "written_opinion": self.data.written_opinion,
            "internal_note": self.internal_note,
            "locked": self.locked,
            "excluded": self.excluded,
            "excluded_reason": self.excluded_reason,
            "submitted_at": self.submitted_at,
        }


@dataclass(frozen=True)
class AreaInfo:
    code: str
    kind: str
    title: str
    description: str
    role: str


@dataclass(frozen=True)
class ScoringContext:
    """Everything the score-entry window shows for one reviewer and application."""

    application_id: int
    number: str
    title: str
    unit: str
    category: str | None
    abstract: str
    requested_amount: Decimal
    areas: tuple[AreaInfo, ...]
    attachments: tuple[tuple[int, str, str], ...]  # id, kind, filename
    reviewer_id: int
    reviewer_name: str
    reviewer_is_staff: bool
    rubric_version_id: int
    rubric_label: str
    spec: RubricSpec
    plan_match: str  # key of PLAN_MATCH_KINDS
    suggested_band: str | None
    sheet: SheetView | None
    stage_id: int | None = None
    stage_name: str = ""
    earlier: tuple[EarlierSheet, ...] = ()  # the reviewer's own sheets of earlier stages, if the batch shows them


def sheet_input_of(sheet: ScoreSheet) -> SheetInput:
    criteria = {c.id: c.key for c in sheet.rubric_version.criteria}
    vetoes = {v.id: v.key for v in sheet.rubric_version.veto_items}
    data = SheetInput(opinion=sheet.opinion, written_opinion=sheet.written_opinion or "")
    for c in sheet.rubric_version.criteria:
        data.points[c.key] = None
        data.comments[c.key] = ""
    for v in sheet.rubric_version.veto_items:
        data.vetoes[v.key] = None
    for score in sheet.scores:
        key = criteria[score.criterion_id]
        data.points[key] = score.points
        data.comments[key] = score.comment or ""
    for answer in sheet.veto_answers:
        data.vetoes[vetoes[answer.veto_item_id]] = answer.answer
    return data


def sheet_view(session: Session, sheet: ScoreSheet) -> SheetView:
    reviewer = session.get(Expert, sheet.reviewer_id)
    application = session.get(Application, sheet.application_id)
    version = sheet.rubric_version
    stage = session.get(Stage, sheet.stage_id)
    return SheetView(
        id=sheet.id,
        application_id=sheet.application_id,
        application_number=application.number if application else "",
        reviewer_id=sheet.reviewer_id,
        reviewer_name=reviewer.name if reviewer else "",
        reviewer_is_staff=bool(reviewer and reviewer.is_staff),
        rubric_version_id=sheet.rubric_version_id,
        rubric_code=version.rubric.code,
        rubric_version=version.number,
        panel_id=sheet.panel_id,
        status=sheet.status,
        source=sheet.source,
        entered_by=sheet.entered_by or "",
        data=sheet_input_of(sheet),
        stage_id=sheet.stage_id,
        stage_name=stage.name if stage else "",
        internal_note=sheet.internal_note or "",
        vetoed=sheet.vetoed,
        total=sheet.total,
        locked=sheet.locked,
        excluded=sheet.excluded,
        excluded_reason=sheet.excluded_reason,
        workbook_hash=sheet.workbook_hash,
        submitted_at=sheet.submitted_at,
        updated_at=sheet.updated_at,
        row_version=sheet.row_version,
    )


def load_sheet(session: Session, sheet_id: int) -> ScoreSheet:
    sheet = session.get(ScoreSheet, sheet_id)
    if sheet is None:
        raise NotFound(_("No score sheet with id {id}.").format(id=sheet_id))
    return sheet


def get_sheet(session: Session, sheet_id: int) -> SheetView:
    return sheet_view(session, load_sheet(session, sheet_id))


def find_sheet(
    session: Session,
    application_id: int,
    reviewer_id: int,
    rubric_version_id: int | None = None,
    *,
    stage_id: int | None = None,
) -> ScoreSheet | None:
    """The reviewer's sheet for an application in a stage (for a version, or the newest)."""
    if stage_id is None:
        stage_id = application_stage(session, application_id).id
    stmt = select(ScoreSheet).where(
        ScoreSheet.stage_id == stage_id,
        ScoreSheet.application_id == application_id,
        ScoreSheet.reviewer_id == reviewer_id,
    )
    if rubric_version_id is not None:
        stmt = stmt.where(ScoreSheet.rubric_version_id == rubric_version_id)
    return session.scalars(stmt.order_by(ScoreSheet.id.desc()).limit(1)).first()


def list_sheets(
    session: Session,
    *,
    batch_id: int | None = None,
    application_id: int | None = None,
    reviewer_id: int | None = None,
    panel_id: int | None = None,
    stage_id: int | None = None,
) -> list[SheetView]:
    """Sheets matching every filter given (``stage_id``: of that stage only; ``None``: every stage)."""
    stmt = (
        select(ScoreSheet)
        .join(Application, ScoreSheet.application_id == Application.id)
        .options(
            selectinload(ScoreSheet.scores),
            selectinload(ScoreSheet.veto_answers),
            selectinload(ScoreSheet.rubric_version).selectinload(RubricVersion.criteria),
            selectinload(ScoreSheet.rubric_version).selectinload(RubricVersion.veto_items),
        )
        .order_by(Application.number, ScoreSheet.id)
    )
    if batch_id is not None:
        stmt = stmt.where(Application.batch_id == batch_id)
    if application_id is not None:
        stmt = stmt.where(ScoreSheet.application_id == application_id)
    if reviewer_id is not None:
        stmt = stmt.where(ScoreSheet.reviewer_id == reviewer_id)
    if panel_id is not None:
        stmt = stmt.where(ScoreSheet.panel_id == panel_id)
    if stage_id is not None:
        stmt = stmt.where(ScoreSheet.stage_id == stage_id)
    return [sheet_view(session, s) for s in session.scalars(stmt)]


def _plan_match(kinds: set[str]) -> str:
    if kinds & {"column_task", "key_task"}:
        return "column_task"
    if "industry" in kinds:
        return "key_industry"
    if kinds & {"special", "special_task"}:
        return "provincial"
    if kinds & {"direction", "support"}:
        return "direction"
    return "none"


def sheet_target(
    session: Session, application_id: int, reviewer_id: int, rubric_version_id: int | None, stage_id: int | None = None
) -> tuple[Application, Expert, ScoreSheet | None, RubricVersion]:
    """The application, reviewer, existing sheet (if any, in the stage) and the rubric version a sheet
    uses: the existing sheet's, the one asked for, or the one the batch's rules select for the stage."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("No application with id {id}.").format(id=application_id))
    reviewer = session.get(Expert, reviewer_id)
    if reviewer is None:
        raise NotFound(_("No expert with id {id}.").format(id=reviewer_id))
    sheet = find_sheet(session, application_id, reviewer_id, rubric_version_id, stage_id=stage_id)
    if sheet is not None:
        version = sheet.rubric_version
    elif rubric_version_id is not None:
        version = session.get(RubricVersion, rubric_version_id)
        if version is None:
            raise NotFound(_("No rubric version with id {id}.").format(id=rubric_version_id))
    else:
        version = select_rubric_version(session, application_id, stage_id=stage_id)
    return application, reviewer, sheet, version


def scoring_context(
    session: Session,
    application_id: int,
    reviewer_id: int,
    *,
    rubric_version_id: int | None = None,
    stage_id: int | None = None,
) -> ScoringContext:
    """What the score-entry window needs (in a stage: by default the application's last); reads only."""
    from reviewtool.services.stages.visibility import earlier_sheets

    stage = session.get(Stage, stage_id) if stage_id is not None else application_stage(session, application_id)
    application, reviewer, sheet, version = sheet_target(
        session, application_id, reviewer_id, rubric_version_id, stage.id
    )
    spec = spec_of_version(version)
    rows = session.execute(
        select(ApplicationArea.role, PriorityArea)
        .join(PriorityArea, ApplicationArea.area_id == PriorityArea.id)
        .where(ApplicationArea.application_id == application_id, ApplicationArea.source == TagSource.CONFIRMED)
        .order_by(ApplicationArea.role, PriorityArea.position)
    ).all()
    areas = tuple(AreaInfo(a.code, a.kind, a.title, a.description or "", role.value) for role, a in rows)
    match = _plan_match({a.kind for a in areas})
    suggested = None
    for c in spec.criteria:
        if c.plan_fit:
            suggested = c.suggested_bands.get(match)
    attachments = tuple(
        session.execute(
            select(Attachment.id, Attachment.kind, Attachment.filename)
            .where(Attachment.application_id == application_id)
            .order_by(Attachment.id)
        ).all()
    )
    return ScoringContext(
        application_id=application.id,
        number=application.number,
        title=application.title,
        unit=application.unit.name if application.unit else "",
        category=application.category,
        abstract=application.abstract or "",
        requested_amount=application.requested_amount,
        areas=areas,
        attachments=tuple((a, k, f) for a, k, f in attachments),
        reviewer_id=reviewer.id,
        reviewer_name=reviewer.name,
        reviewer_is_staff=reviewer.is_staff,
        rubric_version_id=version.id,
        rubric_label=f"{spec.name}（v{version.number}）",
        spec=spec,
        plan_match=match,
        suggested_band=suggested,
        sheet=sheet_view(session, sheet) if sheet is not None else None,
        stage_id=stage.id,
        stage_name=stage.name,
        earlier=tuple(earlier_sheets(session, stage, application_id, reviewer_id)),
    )


def sheet_input_from_mapping(
    points: Mapping[str, object] | None = None,
    comments: Mapping[str, str] | None = None,
    vetoes: Mapping[str, bool | None] | None = None,
    opinion: Opinion | str | None = None,
    written_opinion: str = "",
) -> SheetInput:
    """Build a ``SheetInput`` from loosely typed values (workbooks, JSON)."""
    op = None
    if isinstance(opinion, Opinion):
        op = opinion
    elif opinion:
        try:
            op = Opinion.from_label(str(opinion))
        except ValueError as exc:
            raise UserError(_("Unknown opinion “{value}”.").format(value=opinion)) from exc
    return SheetInput(
        points=dict(points or {}),  # checked (and refused with the reason) by save_sheet
        comments=dict(comments or {}),
        vetoes=dict(vetoes or {}),
        opinion=op,
        written_opinion=written_opinion,
    )


@dataclass(frozen=True)
class ReviewerChoice:
    expert_id: int
    name: str
    unit: str
    is_staff: bool
    sheet_status: SheetStatus | None  # of the reviewer's sheet for the application, if any
    assigned: bool


def reviewer_choices(session: Session, application_id: int, stage_id: int | None = None) -> list[ReviewerChoice]:
    """Experts who may fill a sheet for an application in a stage (default: its last): assigned
    ones and those with a sheet there first, then the rest of the active pool and bureau staff."""
    from reviewtool.core.enums import AssignmentStatus, ExpertStatus
    from reviewtool.storage.models import Assignment, Unit

    if stage_id is None:
        stage_id = application_stage(session, application_id).id
    sheets = {
        r.reviewer_id: r.status
        for r in session.scalars(
            select(ScoreSheet).where(ScoreSheet.application_id == application_id, ScoreSheet.stage_id == stage_id)
        )
    }
    assigned = set(
        session.scalars(
            select(Assignment.expert_id).where(
                Assignment.application_id == application_id,
                Assignment.stage_id == stage_id,
                Assignment.status == AssignmentStatus.ACTIVE,
            )
        )
    )
    rows = session.execute(
        select(Expert.id, Expert.name, Unit.name, Expert.is_staff)
        .outerjoin(Unit, Expert.unit_id == Unit.id)
        .where(Expert.status == ExpertStatus.ACTIVE)
        .order_by(Expert.is_staff, Expert.name)
    ).all()
    choices = [
        ReviewerChoice(eid, name, unit or "", staff, sheets.get(eid), eid in assigned)
        for eid, name, unit, staff in rows
    ]
    choices.sort(key=lambda c: (not (c.assigned or c.sheet_status is not None), c.is_staff))
    return choices
