"""Changing score sheets: draft saving, submission, transcription, locking,
exclusion, with the audit of every change.

Rules:
- ``save_sheet`` validates every typed value first (range and step); a bad
  value raises ``ScoreRefused`` and nothing is written. Drafts may be
  incomplete; a submitted sheet must stay complete (``SheetIncomplete``).
- A locked sheet refuses every change until ``reopen_sheet`` records a reason.
- Excluded sheets stay stored but are left out of the panel result.
- Every change is audited with the old and new values; the panel result
  (``results.recompute_panel_result``) is recomputed whenever a submitted
  sheet changes (or a sheet leaves/enters the count).
- A sheet belongs to one review stage: ``stage_id``, else the panel's stage,
  else the last stage the application entered.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reviewtool.core.enums import SheetSource, SheetStatus
from reviewtool.core.errors import Refused, UserError
from reviewtool.core.scoring.maths import (
    PanelFigures,
    SheetEvaluation,
    SheetInput,
    SheetProblem,
    check_points,
    evaluate_sheet,
)
from reviewtool.core.scoring.rubric import RubricSpec, points_text
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.my_reviews.declarations import require_declared
from reviewtool.services.scoring.results import may_recompute, recompute_panel_result
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.services.scoring.sheets import find_sheet, load_sheet, sheet_input_of, sheet_target
from reviewtool.services.stages.reach import application_stage
from reviewtool.services.users.permissions import may_transcribe, require_sheet_of
from reviewtool.storage.models import Application, CriterionScore, Panel, ScoreSheet, VetoAnswer
from reviewtool.storage.models.base import utcnow
from reviewtool.storage.versioning import check_version, refusal


class SheetIncomplete(UserError):
    """Submitting (or editing a submitted sheet) with something missing."""

    def __init__(self, problems: list[SheetProblem]) -> None:
        self.problems = problems
        text = str(problems[0])
        if len(problems) > 1:
            text = _("{problem} (and {count} more problems)").format(problem=text, count=len(problems) - 1)
        super().__init__(_("The sheet is not complete: {detail}").format(detail=text))


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
    row_version: int = 0  # the sheet's version after this save (what the next save of its screen passes)


def snapshot(sheet_input: SheetInput, note: str) -> dict[str, object]:
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


def json_value(value: object) -> object:
    return points_text(value) if isinstance(value, Decimal) else value


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
    stage_id: int | None = None,
    row_version: int | None = None,
) -> SaveResult:
    """Create or update a reviewer's sheet (a draft, or submitted with ``submit=True``).

    ``data`` may hold only some criteria (missing keys keep their stored
    values). ``entered_by`` records who typed it (defaults to ``actor``);
    use ``source=SheetSource.PAPER`` for staff transcription and
    ``SheetSource.WORKBOOK`` (with ``workbook_hash``) for offline workbooks.
    Raises ``ScoreRefused`` / ``UserError`` on bad values, ``Refused`` on a
    locked sheet, ``SheetIncomplete`` when a submitted sheet would be incomplete.

    ``row_version`` is the sheet's version when its screen was opened (``0``: there was no sheet
    yet): a save over someone else's change since, or a first save when someone else created the
    sheet meanwhile, is refused with ``StaleEdit`` ("已被 X 于 HH:MM 修改"); ``None`` checks only
    that nobody commits a change while this save runs.
    """
    require_sheet_of(session, reviewer_id)  # an expert only their own (staff: anyone's)
    if stage_id is None and panel_id is not None:
        stage_id = session.scalar(select(Panel.stage_id).where(Panel.id == panel_id))
    if stage_id is None:
        stage_id = application_stage(session, application_id).id
    if not may_transcribe(session):
        # An expert's own sheet, from any client: the stage's 回避 declaration and 保密承诺 come first.
        require_declared(session, stage_id, application_id, reviewer_id)
    application, reviewer, sheet, version = sheet_target(
        session, application_id, reviewer_id, rubric_version_id, stage_id
    )
    spec = spec_of_version(version)
    if row_version is not None and sheet is not None:
        check_version(session, sheet, row_version)  # 0: the screen saw no sheet, and now there is one
    if sheet is not None and sheet.locked:
        raise Refused(
            _("The sheet of {reviewer} for {number} is locked; reopen it with a reason before changing it.").format(
                reviewer=reviewer.name, number=application.number
            )
        )

    # Validate everything before touching the database.
    old_input, new_input, evaluation = merged_input(spec, sheet, data)
    was_submitted = sheet is not None and sheet.status == SheetStatus.SUBMITTED
    if (submit or was_submitted) and not evaluation.complete:
        raise SheetIncomplete(list(evaluation.problems))

    created = sheet is None
    old_note = sheet.internal_note if sheet is not None else ""
    new_note = internal_note if internal_note is not None else (old_note or "")
    if sheet is None:
        sheet = ScoreSheet(
            stage_id=stage_id,
            application_id=application_id,
            reviewer_id=reviewer_id,
            rubric_version_id=version.id,
            status=SheetStatus.DRAFT,
        )
        _insert_first(session, sheet)
    before = snapshot(old_input, old_note) if old_input else {}
    after = snapshot(new_input, new_note)
    changed = {
        k: (before.get(k), v) for k, v in after.items() if before.get(k) != v and not (created and v in (None, ""))
    }
    old_status = sheet.status

    # Write the values.
    crit_ids = {c.key: c.id for c in version.criteria}
    veto_ids = {v.key: v.id for v in version.veto_items}
    scores = {s.criterion_id: s for s in sheet.scores}
    for key in crit_ids:
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
    for key in veto_ids:
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

    # The panel result before the audit record: the audit trail's lock is the last one a save takes
    # (storage/audit_chain.py), so two writers never wait for each other's rows in opposite orders.
    # An expert on PostgreSQL may not write panel results (row-level security): staff recompute it,
    # finding it stale (``results.refresh_stale_results``: on finalising the panel, and in the ranking).
    panel = None
    if sheet.status == SheetStatus.SUBMITTED and (changed or created) and may_recompute(session):
        panel = recompute_panel_result(session, application_id, stage_id=sheet.stage_id)
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
                "stage_id": sheet.stage_id,
                "entered_by": sheet.entered_by,
                "source": sheet.source.value,
                "changes": {k: {"old": json_value(o), "new": json_value(n)} for k, (o, n) in changed.items()},
            },
        )
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
        row_version=sheet.row_version,
    )


def merged_input(
    spec: RubricSpec, sheet: ScoreSheet | None, data: SheetInput
) -> tuple[SheetInput | None, SheetInput, SheetEvaluation]:
    """What a save makes of a sheet: the stored values (None: no sheet yet), those overwritten by
    ``data`` (every key and number checked against the rubric), and its evaluation."""
    criteria_keys = {c.key for c in spec.criteria}
    veto_keys = {v.key for v in spec.veto_items}
    for key in list(data.points) + list(data.comments):
        if key not in criteria_keys:
            raise UserError(_("The rubric {code} has no criterion “{key}”.").format(code=spec.code, key=key))
    for key in data.vetoes:
        if key not in veto_keys:
            raise UserError(_("The rubric {code} has no veto item “{key}”.").format(code=spec.code, key=key))
    checked = {key: check_points(spec.criterion(key), value, spec.step) for key, value in data.points.items()}
    old = sheet_input_of(sheet) if sheet is not None else None
    new = SheetInput(
        points=dict(old.points) if old else {c.key: None for c in spec.criteria},
        comments=dict(old.comments) if old else {c.key: "" for c in spec.criteria},
        vetoes=dict(old.vetoes) if old else {v.key: None for v in spec.veto_items},
        opinion=data.opinion,
        written_opinion=data.written_opinion or "",
    )
    new.points.update(checked)
    new.comments.update({k: v or "" for k, v in data.comments.items()})
    new.vetoes.update(data.vetoes)
    return old, new, evaluate_sheet(spec, new)


def _insert_first(session: Session, sheet: ScoreSheet) -> None:
    """Insert a new sheet; when someone else created it meanwhile (two first saves at once), refuse
    naming them instead of a raw unique-constraint error."""
    try:
        with session.begin_nested():
            session.add(sheet)
            session.flush()
    except IntegrityError:
        other = find_sheet(
            session, sheet.application_id, sheet.reviewer_id, sheet.rubric_version_id, stage_id=sheet.stage_id
        )
        if other is None:
            raise
        raise refusal(session, "score_sheet", other.id) from None


def submit_sheet(session: Session, sheet_id: int, *, actor: str) -> SaveResult:
    """Submit a draft after the completeness check (``SheetIncomplete`` otherwise)."""
    sheet = load_sheet(session, sheet_id)
    current = sheet_input_of(sheet)
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
        stage_id=sheet.stage_id,
    )


def reopen_sheet(session: Session, sheet_id: int, *, actor: str, reason: str, to_draft: bool = False) -> Changes:
    """Unlock a sheet (and optionally return it to draft), recording why."""
    if not reason or not reason.strip():
        raise UserError(_("Give a reason for reopening the sheet."))
    sheet = load_sheet(session, sheet_id)
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
        recompute_panel_result(session, sheet.application_id, stage_id=sheet.stage_id)
    return Changes(sheets=True, applications=to_draft)


def set_sheet_locked(session: Session, sheet_id: int, locked: bool, *, actor: str, reason: str = "") -> Changes:
    """Lock or unlock one sheet (the panel feature locks all on finalise)."""
    sheet = load_sheet(session, sheet_id)
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
    sheet = load_sheet(session, sheet_id)
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
    recompute_panel_result(session, sheet.application_id, stage_id=sheet.stage_id)
    return Changes(sheets=True, applications=True)


def sheet_history(session: Session, sheet_id: int) -> list[dict]:
    """The audit events of a sheet, oldest first, as plain dicts."""
    return [
        {"at": e.at, "actor": e.actor, "action": e.action, "summary": e.summary, "details": e.details}
        for e in audit.events_for(session, "score_sheet", sheet_id)
    ]
