"""Score sheets (专家评审表): draft saving, submission, transcription,
locking, exclusion, audit, and the per-application panel result.

Rules:
- One sheet per reviewer per application per rubric version.
- ``save_sheet`` validates every typed value first (range and step); a bad
  value raises ``ScoreRefused`` and nothing is written. Drafts may be
  incomplete; a submitted sheet must stay complete (``SheetIncomplete``).
- A locked sheet refuses every change until ``reopen_sheet`` records a reason.
- Excluded sheets stay stored but are left out of the panel result.
- Every change is audited with the old and new values; ``recompute_panel_result``
  runs whenever a submitted sheet changes (or a sheet leaves/enters the count).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reviewtool.core.enums import Opinion, SheetSource, SheetStatus, TagSource
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.core.rubric import Rounding, RubricSpec, figure_text, points_text
from reviewtool.core.scoring import (
    PanelFigures,
    SheetEvaluation,
    SheetFigure,
    SheetInput,
    SheetProblem,
    check_points,
    evaluate_sheet,
    panel_figures,
)
from reviewtool.core.scoring import (
    comment_reason as comment_reason_of,
)
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.rubrics import load_version_spec, select_rubric_version, spec_of_version
from reviewtool.storage.models import (
    Application,
    ApplicationArea,
    Attachment,
    Batch,
    CriterionScore,
    Expert,
    PanelResult,
    PriorityArea,
    RubricVersion,
    ScoreSheet,
    VetoAnswer,
)
from reviewtool.storage.models.base import utcnow


class SheetIncomplete(UserError):
    """Submitting (or editing a submitted sheet) with something missing."""

    def __init__(self, problems: list[SheetProblem]) -> None:
        self.problems = problems
        text = str(problems[0])
        if len(problems) > 1:
            text = _("{problem} (and {count} more problems)").format(problem=text, count=len(problems) - 1)
        super().__init__(_("The sheet is not complete: {detail}").format(detail=text))


# --------------------------------------------------------------------------- read models


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
    internal_note: str
    vetoed: bool
    total: Decimal | None
    locked: bool
    excluded: bool
    excluded_reason: str | None
    workbook_hash: str | None
    submitted_at: dt.datetime | None
    updated_at: dt.datetime | None

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "application": self.application_number,
            "reviewer": self.reviewer_name,
            "reviewer_is_staff": self.reviewer_is_staff,
            "rubric": self.rubric_code,
            "rubric_version": self.rubric_version,
            "panel_id": self.panel_id,
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
class SaveResult:
    sheet_id: int
    status: SheetStatus
    total: Decimal | None
    running_total: Decimal
    vetoed: bool
    problems: tuple[SheetProblem, ...]  # what still blocks submission (empty when complete)
    changed: dict[str, tuple[object, object]]  # field -> (old, new)
    panel: PanelFigures | None
    changes: Changes


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


@dataclass(frozen=True)
class PanelResultView:
    application_id: int
    figures: PanelFigures
    normalised: Decimal | None
    locked: bool
    computed_at: dt.datetime | None


# --------------------------------------------------------------------------- helpers


def _sheet_input(sheet: ScoreSheet) -> SheetInput:
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
        data=_sheet_input(sheet),
        internal_note=sheet.internal_note or "",
        vetoed=sheet.vetoed,
        total=sheet.total,
        locked=sheet.locked,
        excluded=sheet.excluded,
        excluded_reason=sheet.excluded_reason,
        workbook_hash=sheet.workbook_hash,
        submitted_at=sheet.submitted_at,
        updated_at=sheet.updated_at,
    )


def _load_sheet(session: Session, sheet_id: int) -> ScoreSheet:
    sheet = session.get(ScoreSheet, sheet_id)
    if sheet is None:
        raise NotFound(_("No score sheet with id {id}.").format(id=sheet_id))
    return sheet


def get_sheet(session: Session, sheet_id: int) -> SheetView:
    return sheet_view(session, _load_sheet(session, sheet_id))


def find_sheet(
    session: Session, application_id: int, reviewer_id: int, rubric_version_id: int | None = None
) -> ScoreSheet | None:
    """The reviewer's sheet for an application (for a version, or the newest)."""
    stmt = select(ScoreSheet).where(ScoreSheet.application_id == application_id, ScoreSheet.reviewer_id == reviewer_id)
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
) -> list[SheetView]:
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


def _sheet_target(
    session: Session, application_id: int, reviewer_id: int, rubric_version_id: int | None
) -> tuple[Application, Expert, ScoreSheet | None, RubricVersion]:
    """The application, reviewer, existing sheet (if any) and the rubric version a sheet uses:
    the existing sheet's, the one asked for, or the one the batch's rules select."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("No application with id {id}.").format(id=application_id))
    reviewer = session.get(Expert, reviewer_id)
    if reviewer is None:
        raise NotFound(_("No expert with id {id}.").format(id=reviewer_id))
    sheet = find_sheet(session, application_id, reviewer_id, rubric_version_id)
    if sheet is not None:
        version = sheet.rubric_version
    elif rubric_version_id is not None:
        version = session.get(RubricVersion, rubric_version_id)
        if version is None:
            raise NotFound(_("No rubric version with id {id}.").format(id=rubric_version_id))
    else:
        version = select_rubric_version(session, application_id)
    return application, reviewer, sheet, version


def scoring_context(
    session: Session, application_id: int, reviewer_id: int, *, rubric_version_id: int | None = None
) -> ScoringContext:
    """What the score-entry window needs; reads only, creates nothing."""
    application, reviewer, sheet, version = _sheet_target(session, application_id, reviewer_id, rubric_version_id)
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
    )


def _snapshot(sheet_input: SheetInput, note: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in sheet_input.points.items():
        out[f"points.{key}"] = value
    for key, value in sheet_input.comments.items():
        out[f"comment.{key}"] = value or ""
    for key, value in sheet_input.vetoes.items():
        out[f"veto.{key}"] = value
    out["opinion"] = sheet_input.opinion.value if sheet_input.opinion else None
    out["written_opinion"] = sheet_input.written_opinion or ""
    out["internal_note"] = note or ""
    return out


def _json_value(value: object) -> object:
    return points_text(value) if isinstance(value, Decimal) else value


# --------------------------------------------------------------------------- writing


def save_sheet(
    session: Session,
    *,
    application_id: int,
    reviewer_id: int,
    data: SheetInput,
    actor: str,
    rubric_version_id: int | None = None,
    internal_note: str | None = None,
    source: SheetSource = SheetSource.SCREEN,
    entered_by: str | None = None,
    panel_id: int | None = None,
    workbook_hash: str | None = None,
    submit: bool = False,
) -> SaveResult:
    """Create or update a reviewer's sheet (a draft, or submitted with ``submit=True``).

    ``data`` may hold only some criteria (missing keys keep their stored
    values). ``entered_by`` records who typed it (defaults to ``actor``);
    use ``source=SheetSource.PAPER`` for staff transcription and
    ``SheetSource.WORKBOOK`` (with ``workbook_hash``) for offline workbooks.
    Raises ``ScoreRefused`` / ``UserError`` on bad values, ``Refused`` on a
    locked sheet, ``SheetIncomplete`` when a submitted sheet would be incomplete.
    """
    application, reviewer, sheet, version = _sheet_target(session, application_id, reviewer_id, rubric_version_id)
    spec = spec_of_version(version)
    if sheet is not None and sheet.locked:
        raise Refused(
            _("The sheet of {reviewer} for {number} is locked; reopen it with a reason before changing it.").format(
                reviewer=reviewer.name, number=application.number
            )
        )

    # Validate everything before touching the database.
    criteria_keys = {c.key for c in spec.criteria}
    veto_keys = {v.key for v in spec.veto_items}
    for key in list(data.points) + list(data.comments):
        if key not in criteria_keys:
            raise UserError(_("The rubric {code} has no criterion “{key}”.").format(code=spec.code, key=key))
    for key in data.vetoes:
        if key not in veto_keys:
            raise UserError(_("The rubric {code} has no veto item “{key}”.").format(code=spec.code, key=key))
    checked = {key: check_points(spec.criterion(key), value, spec.step) for key, value in data.points.items()}

    old_input = _sheet_input(sheet) if sheet is not None else None
    new_input = SheetInput(
        points=dict(old_input.points) if old_input else {c.key: None for c in spec.criteria},
        comments=dict(old_input.comments) if old_input else {c.key: "" for c in spec.criteria},
        vetoes=dict(old_input.vetoes) if old_input else {v.key: None for v in spec.veto_items},
        opinion=data.opinion,
        written_opinion=data.written_opinion or "",
    )
    new_input.points.update(checked)
    new_input.comments.update({k: v or "" for k, v in data.comments.items()})
    new_input.vetoes.update(data.vetoes)
    evaluation: SheetEvaluation = evaluate_sheet(spec, new_input)
    was_submitted = sheet is not None and sheet.status == SheetStatus.SUBMITTED
    if (submit or was_submitted) and not evaluation.complete:
        raise SheetIncomplete(list(evaluation.problems))

    created = sheet is None
    old_note = sheet.internal_note if sheet is not None else ""
    new_note = internal_note if internal_note is not None else (old_note or "")
    if sheet is None:
        sheet = ScoreSheet(
            application_id=application_id,
            reviewer_id=reviewer_id,
            rubric_version_id=version.id,
            status=SheetStatus.DRAFT,
        )
        session.add(sheet)
        session.flush()
    before = _snapshot(old_input, old_note) if old_input else {}
    after = _snapshot(new_input, new_note)
    changed = {
        k: (before.get(k), v) for k, v in after.items() if before.get(k) != v and not (created and v in (None, ""))
    }
    old_status = sheet.status

    # Write the values.
    crit_ids = {c.key: c.id for c in version.criteria}
    veto_ids = {v.key: v.id for v in version.veto_items}
    scores = {s.criterion_id: s for s in sheet.scores}
    for key in criteria_keys:
        points, comment = new_input.points.get(key), new_input.comments.get(key) or ""
        row = scores.get(crit_ids[key])
        if row is None:
            if points is None and not comment:
                continue
            row = CriterionScore(criterion_id=crit_ids[key])
            sheet.scores.append(row)
        row.points = points
        row.comment = comment
    answers = {a.veto_item_id: a for a in sheet.veto_answers}
    for key in veto_keys:
        value = new_input.vetoes.get(key)
        row = answers.get(veto_ids[key])
        if row is None:
            if value is None:
                continue
            row = VetoAnswer(veto_item_id=veto_ids[key])
            sheet.veto_answers.append(row)
        row.answer = value
    sheet.opinion = new_input.opinion
    sheet.written_opinion = new_input.written_opinion
    sheet.internal_note = new_note
    sheet.vetoed = evaluation.vetoed
    sheet.total = evaluation.total if evaluation.total is not None else None
    if created or source != SheetSource.SCREEN or entered_by is not None:
        if sheet.source != source and not created:
            changed["source"] = (sheet.source.value, source.value)
        sheet.source = source
    typed_by = entered_by or actor
    if sheet.entered_by != typed_by:
        if not created:
            changed["entered_by"] = (sheet.entered_by, typed_by)
        sheet.entered_by = typed_by
    if panel_id is not None:
        sheet.panel_id = panel_id
    if workbook_hash is not None:
        sheet.workbook_hash = workbook_hash
    if submit and sheet.status != SheetStatus.SUBMITTED:
        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = utcnow()
        changed["status"] = (old_status.value, SheetStatus.SUBMITTED.value)
    session.flush()

    if changed or created:
        action = "sheet.create" if created else ("sheet.edit_submitted" if was_submitted else "sheet.save")
        if submit and not was_submitted:
            action = "sheet.submit" if not created else "sheet.create_submit"
        audit.record(
            session,
            actor=actor,
            action=action,
            entity_type="score_sheet",
            entity_id=sheet.id,
            batch_id=application.batch_id,
            summary=_("Sheet of {reviewer} for {number}").format(reviewer=reviewer.name, number=application.number),
            details={
                "application": application.number,
                "reviewer": reviewer.name,
                "entered_by": sheet.entered_by,
                "source": sheet.source.value,
                "changes": {k: {"old": _json_value(o), "new": _json_value(n)} for k, (o, n) in changed.items()},
            },
        )
    panel = None
    if sheet.status == SheetStatus.SUBMITTED and (changed or created):
        panel = recompute_panel_result(session, application_id)
    return SaveResult(
        sheet_id=sheet.id,
        status=sheet.status,
        total=sheet.total,
        running_total=evaluation.running_total,
        vetoed=sheet.vetoed,
        problems=evaluation.problems,
        changed=changed,
        panel=panel,
        changes=Changes(sheets=bool(changed or created), applications=panel is not None),
    )


def submit_sheet(session: Session, sheet_id: int, *, actor: str) -> SaveResult:
    """Submit a draft after the completeness check (``SheetIncomplete`` otherwise)."""
    sheet = _load_sheet(session, sheet_id)
    current = _sheet_input(sheet)
    return save_sheet(
        session,
        application_id=sheet.application_id,
        reviewer_id=sheet.reviewer_id,
        rubric_version_id=sheet.rubric_version_id,
        data=SheetInput(opinion=current.opinion, written_opinion=current.written_opinion),
        actor=actor,
        source=sheet.source,
        entered_by=sheet.entered_by or actor,
        submit=True,
    )


def reopen_sheet(session: Session, sheet_id: int, *, actor: str, reason: str, to_draft: bool = False) -> Changes:
    """Unlock a sheet (and optionally return it to draft), recording why."""
    if not reason or not reason.strip():
        raise UserError(_("Give a reason for reopening the sheet."))
    sheet = _load_sheet(session, sheet_id)
    old = {"locked": sheet.locked, "status": sheet.status.value}
    sheet.locked = False
    if to_draft:
        sheet.status = SheetStatus.DRAFT
        sheet.submitted_at = None
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="sheet.reopen",
        entity_type="score_sheet",
        entity_id=sheet.id,
        batch_id=session.get(Application, sheet.application_id).batch_id,
        summary=reason.strip(),
        details={"reason": reason.strip(), "old": old, "new": {"locked": False, "status": sheet.status.value}},
    )
    if to_draft:
        recompute_panel_result(session, sheet.application_id)
    return Changes(sheets=True, applications=to_draft)


def set_sheet_locked(session: Session, sheet_id: int, locked: bool, *, actor: str, reason: str = "") -> Changes:
    """Lock or unlock one sheet (the panel feature locks all on finalise)."""
    sheet = _load_sheet(session, sheet_id)
    if sheet.locked == locked:
        return Changes()
    if not locked:
        return reopen_sheet(session, sheet_id, actor=actor, reason=reason)
    sheet.locked = True
    audit.record(
        session,
        actor=actor,
        action="sheet.lock",
        entity_type="score_sheet",
        entity_id=sheet.id,
        summary=reason,
        details={"old": {"locked": False}, "new": {"locked": True}, "reason": reason},
    )
    return Changes(sheets=True)


def set_sheet_excluded(session: Session, sheet_id: int, excluded: bool, *, actor: str, reason: str = "") -> Changes:
    """Leave a sheet out of (or back into) the panel result, with a reason."""
    sheet = _load_sheet(session, sheet_id)
    if excluded and not reason.strip():
        raise UserError(_("Give a reason for excluding the sheet."))
    if sheet.excluded == excluded:
        return Changes()
    old = {"excluded": sheet.excluded, "excluded_reason": sheet.excluded_reason}
    sheet.excluded = excluded
    sheet.excluded_reason = reason.strip() if excluded else None
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="sheet.exclude" if excluded else "sheet.include",
        entity_type="score_sheet",
        entity_id=sheet.id,
        batch_id=session.get(Application, sheet.application_id).batch_id,
        summary=reason,
        details={"old": old, "new": {"excluded": excluded, "excluded_reason": sheet.excluded_reason}},
    )
    recompute_panel_result(session, sheet.application_id)
    return Changes(sheets=True, applications=True)


def sheet_history(session: Session, sheet_id: int) -> list[dict]:
    """The audit events of a sheet, oldest first, as plain dicts."""
    return [
        {"at": e.at, "actor": e.actor, "action": e.action, "summary": e.summary, "details": e.details}
        for e in audit.events_for(session, "score_sheet", sheet_id)
    ]


# --------------------------------------------------------------------------- panel result


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


__all__ = [
    "PanelResultView",
    "SaveResult",
    "ScoringContext",
    "SheetIncomplete",
    "SheetInput",
    "SheetView",
    "get_sheet",
    "list_sheets",
    "load_version_spec",
    "recompute_panel_result",
    "reopen_sheet",
    "save_sheet",
    "scoring_context",
    "set_sheet_excluded",
    "set_sheet_locked",
    "submit_sheet",
]


# --------------------------------------------------------------------------- demonstration sheets

_DEMO_STRENGTHS = {
    "high": [
        "项目紧扣海东市“十四五”重点产业，立项依据充分，研究目标明确",
        "技术路线清晰可行，前期研究基础扎实，团队结构合理",
        "考核指标具体、可量化，预期经济社会效益明显，示范推广前景好",
    ],
    "mid": [
        "项目选题符合地方产业发展需要，具有一定的应用价值",
        "研究内容基本合理，承担单位具备一定的实施条件",
        "预期成果对相关产业有一定带动作用",
    ],
    "low": [
        "项目选题有一定现实意义",
        "申报材料基本齐全",
    ],
}
_DEMO_WEAKNESSES = {
    "high": ["建议进一步细化年度进度安排，加强与县区推广单位的衔接"],
    "mid": [
        "创新点提炼不够，与已有技术的区别需进一步说明",
        "部分考核指标偏笼统，建议量化并明确检测方法",
        "经费预算中设备购置比例偏高，建议压缩并提高自筹比例",
    ],
    "low": [
        "研究内容较为笼统，技术路线缺少关键环节的论证",
        "创新性不足，主要为现有技术的简单应用",
        "预算编制依据不充分，自筹经费落实情况不明",
    ],
}
_DEMO_CONCLUSION = {
    Opinion.RECOMMEND: "建议予以立项支持。",
    Opinion.RECOMMEND_AFTER_REVISION: "建议修改完善后予以支持。",
    Opinion.NOT_RECOMMEND: "建议暂不予支持。",
}


def _demo_comment(band_label: str | None, title: str) -> str:
    if band_label in ("优",):
        return f"{title}方面表现突出，依据充分。"
    if band_label in ("差",):
        return f"{title}方面明显不足，需重新论证。"
    return f"{title}方面基本符合要求。"


def create_demo_sheets(session: Session, batch_id: int, *, actor: str, seed: str = "haidong-2025") -> int:
    """Submitted sheets from several demo experts for most applications of a batch.

    Deterministic: each application gets a quality level from a seeded random
    generator, each expert a leniency, each criterion some noise. About one
    application in eight stays unscored; one gets a veto, one a wide spread.
    Experts never score an application of their own unit or one that asked
    to avoid them. Returns the number of sheets written."""
    import random

    from reviewtool.storage.models import AvoidRequest

    rng = random.Random(seed)
    applications = list(
        session.scalars(select(Application).where(Application.batch_id == batch_id).order_by(Application.number))
    )
    pool = list(session.scalars(select(Expert).where(Expert.is_staff.is_(False)).order_by(Expert.id)))
    if not applications or len(pool) < 3:
        return 0
    leniency = {e.id: rng.uniform(-5, 5) for e in pool}
    avoid = {(a.application_id, a.expert_id) for a in session.scalars(select(AvoidRequest)) if a.expert_id}
    specs: dict[int, RubricSpec] = {}
    count = 0
    for index, application in enumerate(applications):
        quality = rng.uniform(52, 93)
        if index % 8 == 7:
            continue  # not yet reviewed
        eligible = [e for e in pool if e.unit_id != application.unit_id and (application.id, e.id) not in avoid]
        size = 5 if index % 3 else 3
        panel = rng.sample(eligible, min(size, len(eligible)))
        version = select_rubric_version(session, application.id)
        spec = specs.get(version.id) or specs.setdefault(version.id, spec_of_version(version))
        crit_ids = {c.key: c.id for c in version.criteria}
        veto_ids = {v.key: v.id for v in version.veto_items}
        for position, expert in enumerate(panel):
            level = quality + leniency[expert.id] + rng.uniform(-4, 4)
            if index == 10 and position == 0:
                level -= 30  # one expert far from the others: a wide spread
            level = max(20.0, min(98.0, level))
            data = SheetInput()
            for c in spec.criteria:
                ratio = Decimal(str(round(max(0.0, min(1.0, level / 100 + rng.uniform(-0.08, 0.08))), 3)))
                points = (c.max_points * ratio / spec.step).to_integral_value() * spec.step
                data.points[c.key] = min(points, c.max_points)
            vetoed = index == 5 and position == 1
            data.vetoes = {v.key: (vetoed and i == 0) for i, v in enumerate(spec.veto_items)}
            for c in spec.criteria:
                points = data.points[c.key]
                if comment_reason_of(c, points):
                    band = c.band_for(points)
                    data.comments[c.key] = _demo_comment(band.label if band else None, c.title)
            total = evaluate_sheet(spec, SheetInput(points=data.points), require_written_opinion=False).running_total
            share = total / spec.total_points * 100
            tier = "high" if share >= 80 else ("mid" if share >= 65 else "low")
            data.opinion = (
                Opinion.NOT_RECOMMEND
                if vetoed or share < 62
                else Opinion.RECOMMEND
                if share >= 78
                else Opinion.RECOMMEND_AFTER_REVISION
            )
            strengths = rng.sample(_DEMO_STRENGTHS[tier], min(2, len(_DEMO_STRENGTHS[tier])))
            weakness = rng.choice(_DEMO_WEAKNESSES[tier])
            text = "该项目{}；{}。但{}。{}".format(
                strengths[0], strengths[-1] if len(strengths) > 1 else "", weakness, _DEMO_CONCLUSION[data.opinion]
            ).replace("；。", "。")
            if vetoed:
                text = "经核查，申报材料中部分前期成果与已发表文献高度重复，存在学术不端嫌疑，一票否决。"
            data.written_opinion = text
            evaluation = evaluate_sheet(spec, data)
            sheet = ScoreSheet(
                application_id=application.id,
                reviewer_id=expert.id,
                rubric_version_id=version.id,
                status=SheetStatus.SUBMITTED if evaluation.complete else SheetStatus.DRAFT,
                source=SheetSource.PAPER if position == 0 and index % 4 == 0 else SheetSource.SCREEN,
                entered_by=actor if position == 0 and index % 4 == 0 else expert.name,
                opinion=data.opinion,
                written_opinion=data.written_opinion,
                vetoed=evaluation.vetoed,
                total=evaluation.total,
                submitted_at=utcnow() if evaluation.complete else None,
            )
            sheet.scores = [
                CriterionScore(criterion_id=crit_ids[k], points=p, comment=data.comments.get(k, ""))
                for k, p in data.points.items()
            ]
            sheet.veto_answers = [VetoAnswer(veto_item_id=veto_ids[k], answer=v) for k, v in data.vetoes.items()]
            session.add(sheet)
            count += 1
        session.flush()
        recompute_panel_result(session, application.id)
    audit.record(
        session,
        actor=actor,
        action="demo.sheets",
        entity_type="batch",
        entity_id=batch_id,
        batch_id=batch_id,
        summary=_("Created the demonstration score sheets"),
        details={"sheets": count, "seed": seed},
    )
    return count


@dataclass(frozen=True)
class ReviewerChoice:
    expert_id: int
    name: str
    unit: str
    is_staff: bool
    sheet_status: SheetStatus | None  # of the reviewer's sheet for the application, if any
    assigned: bool


def reviewer_choices(session: Session, application_id: int) -> list[ReviewerChoice]:
    """Experts who may fill a sheet for an application: assigned ones and those
    with a sheet first, then the rest of the active pool and bureau staff."""
    from reviewtool.core.enums import AssignmentStatus, ExpertStatus
    from reviewtool.storage.models import Assignment, Unit

    sheets = {
        r.reviewer_id: r.status
        for r in session.scalars(select(ScoreSheet).where(ScoreSheet.application_id == application_id))
    }
    assigned = set(
        session.scalars(
            select(Assignment.expert_id).where(
                Assignment.application_id == application_id, Assignment.status == AssignmentStatus.ACTIVE
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
