"""Saving one workbook's sheets as one batch (``workbook_import``'s writer).

``services.scoring.sheet_edits.save_sheet`` saves one sheet: it looks the
sheet up, parses the rubric, inserts its scores and answers row by row,
audits it and recomputes the application's panel result. A workbook holds an
expert's sheets for up to a few hundred applications, so here the same rules
are applied to all of a file's sheets at once:

- ``FileSheets.load``: the expert's stored sheets of the file's applications
  in one query (their scores and answers with them), and the rubric version
  each application is scored with now;
- ``write_sheets``: the same checks and values as ``save_sheet`` (a submitted
  sheet stays complete, the same audit wording and changes), new sheets
  inserted in one statement and their scores and veto answers in one each;
  stored sheets updated through the ORM, so their row versions still refuse a
  save over someone else's change;
- the caller recomputes the panel results of every application of the run
  once, at the end (``results.recompute_panel_results``), and only then writes
  the audit records (the audit trail's lock is the last one a save takes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from reviewtool.core.enums import SheetSource, SheetStatus
from reviewtool.core.errors import UserError
from reviewtool.core.scoring.maths import SheetInput
from reviewtool.core.scoring.rubric import RubricSpec
from reviewtool.i18n import _
from reviewtool.services.scoring.rubric_batches import select_rubric_version
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.services.scoring.sheet_edits import SheetIncomplete, json_value, merged_input, snapshot
from reviewtool.services.users.permissions import check_action, require_sheet_of
from reviewtool.storage.models import (
    Application,
    BatchRubric,
    CriterionScore,
    RubricVersion,
    ScoreSheet,
    VetoAnswer,
)
from reviewtool.storage.models.base import utcnow

CHUNK = 1000  # applications per IN list


class Specs(dict[int, RubricSpec]):
    """Parsed rubric versions by id: each version's definition parsed once per import run (the
    versions are kept too, so their criteria stay loaded from one file to the next)."""

    def __init__(self) -> None:
        super().__init__()
        self.versions: dict[int, RubricVersion] = {}

    def of(self, version: RubricVersion) -> RubricSpec:
        spec = self.get(version.id)
        if spec is None:
            spec = self[version.id] = spec_of_version(version)
            self.versions[version.id] = version
        return spec


@dataclass
class FileSheets:
    """The stored sheets of one expert in one stage for a file's applications, read at once."""

    by_version: dict[tuple[int, int], ScoreSheet]  # (application, rubric version) -> the newest
    newest: dict[int, ScoreSheet]  # application -> its newest sheet of any version
    numbers: dict[int, tuple[str, int]]  # application -> (申报编号, batch)

    @classmethod
    def load(cls, session: Session, stage_id: int, expert_id: int, application_ids: Iterable[int]) -> FileSheets:
        ids = sorted(set(application_ids))
        by_version: dict[tuple[int, int], ScoreSheet] = {}
        newest: dict[int, ScoreSheet] = {}
        numbers: dict[int, tuple[str, int]] = {}
        for chunk in (ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)):
            stmt = (
                select(ScoreSheet)
                .where(
                    ScoreSheet.stage_id == stage_id,
                    ScoreSheet.reviewer_id == expert_id,
                    ScoreSheet.application_id.in_(chunk),
                )
                .options(selectinload(ScoreSheet.scores), selectinload(ScoreSheet.veto_answers))
                .order_by(ScoreSheet.id)
            )
            for sheet in session.scalars(stmt):  # oldest first: the newest wins, as in ``find_sheet``
                by_version[(sheet.application_id, sheet.rubric_version_id)] = sheet
                newest[sheet.application_id] = sheet
            for app_id, number, batch_id in session.execute(
                select(Application.id, Application.number, Application.batch_id).where(Application.id.in_(chunk))
            ):
                numbers[app_id] = (number, batch_id)
        return cls(by_version, newest, numbers)

    def current_versions(
        self, session: Session, batch_id: int, stage_id: int, application_ids: Iterable[int]
    ) -> dict[int, RubricVersion | str]:
        """The rubric version each application is scored with now: its stored sheet's, else the
        one the batch's rules select (``select_rubric_version``), or why none applies."""
        out: dict[int, RubricVersion | str] = {}
        wanted = [a for a in dict.fromkeys(application_ids) if a not in self.newest]
        for app_id in dict.fromkeys(application_ids):
            if app_id in self.newest:
                out[app_id] = self.newest[app_id].rubric_version
        everyone = _rule_for_every_application(session, batch_id, stage_id) if wanted else None
        for app_id in wanted:
            if everyone is not None and app_id in self.numbers:
                out[app_id] = everyone
                continue
            try:
                out[app_id] = select_rubric_version(session, app_id, stage_id=stage_id)
            except UserError as exc:
                out[app_id] = str(exc)
        return out


def _rule_for_every_application(session: Session, batch_id: int, stage_id: int) -> RubricVersion | None:
    """The rubric version when the batch's first rule in ``select_rubric_version``'s order has no
    category or area condition (the usual single rubric): it is then every application's."""
    links = session.scalars(
        select(BatchRubric)
        .where(BatchRubric.batch_id == batch_id)
        .order_by(BatchRubric.priority.desc(), BatchRubric.id)
    ).all()
    links = [link for link in links if link.stage_id == stage_id] + [link for link in links if link.stage_id is None]
    if not links or links[0].categories or links[0].area_codes:
        return None
    return session.scalar(
        select(RubricVersion)
        .where(RubricVersion.rubric_id == links[0].rubric_id)
        .order_by(RubricVersion.number.desc())
        .limit(1)
    )


@dataclass
class SheetWrite:
    """One row to save: what ``save_sheet`` is given."""

    application_id: int
    rubric_version_id: int
    data: SheetInput
    submit: bool
    workbook_hash: str
    sheet_id: int | None = None  # set by ``write_sheets``


@dataclass
class Written:
    """What ``write_sheets`` leaves for the end of the run."""

    audit_rows: list[dict[str, Any]] = field(default_factory=list)
    recompute: set[int] = field(default_factory=set)  # applications whose counted sheets changed


def write_sheets(
    session: Session,
    items: list[SheetWrite],
    stored: FileSheets,
    specs: Specs,
    *,
    expert_id: int,
    expert_name: str,
    panel_id: int,
    stage_id: int,
    actor: str,
) -> Written:
    """Save the sheets of one file (``save_sheet``'s rules, source ``WORKBOOK``, entered by
    ``actor``); the audit records and the applications to recompute are returned, not written."""
    require_sheet_of(session, expert_id)  # one reviewer for the whole file
    written = Written()
    new_rows: list[dict[str, Any]] = []
    new_items: list[tuple[SheetWrite, SheetInput, dict[str, tuple[object, object]], RubricVersion]] = []
    events: list[tuple[SheetWrite, str, dict[str, tuple[object, object]]]] = []
    now = utcnow()
    for item in items:
        sheet = stored.by_version.get((item.application_id, item.rubric_version_id))
        version = sheet.rubric_version if sheet is not None else session.get(RubricVersion, item.rubric_version_id)
        if version is None:
            raise UserError(_("No rubric version with id {id}.").format(id=item.rubric_version_id))
        spec = specs.of(version)
        old_input, new_input, evaluation = merged_input(spec, sheet, item.data)
        was_submitted = sheet is not None and sheet.status == SheetStatus.SUBMITTED
        if (item.submit or was_submitted) and not evaluation.complete:
            raise SheetIncomplete(list(evaluation.problems))
        created = sheet is None
        old_note = sheet.internal_note if sheet is not None else ""
        before = snapshot(old_input, old_note) if old_input is not None else {}
        after = snapshot(new_input, old_note or "")
        changed = {
            k: (before.get(k), v) for k, v in after.items() if before.get(k) != v and not (created and v in (None, ""))
        }
        if created:
            if item.submit:
                changed["status"] = (SheetStatus.DRAFT.value, SheetStatus.SUBMITTED.value)
            new_rows.append(
                {
                    "stage_id": stage_id, "application_id": item.application_id, "reviewer_id": expert_id,
                    "rubric_version_id": version.id, "panel_id": panel_id,
                    "status": SheetStatus.SUBMITTED if item.submit else SheetStatus.DRAFT,
                    "source": SheetSource.WORKBOOK, "entered_by": actor, "opinion": new_input.opinion,
                    "written_opinion": new_input.written_opinion, "internal_note": "",
                    "vetoed": evaluation.vetoed, "total": evaluation.total, "locked": False, "excluded": False,
                    "excluded_reason": None, "workbook_hash": item.workbook_hash,
                    "submitted_at": now if item.submit else None, "created_at": now, "updated_at": now,
                    "row_version": 1,
                }
            )  # fmt: skip
            new_items.append((item, new_input, changed, version))
        else:
            _update(sheet, version, new_input, evaluation, changed, item, panel_id=panel_id, actor=actor, now=now)
            item.sheet_id = sheet.id
        events.append((item, "created" if created else ("submitted" if was_submitted else "draft"), changed))
    if new_rows:
        _insert_new(session, new_rows, new_items, stage_id=stage_id, expert_id=expert_id)
    session.flush()  # the stored sheets' changes (their versions checked)
    for item, was, changed in events:
        created = was == "created"
        if not (changed or created):
            continue
        action = "sheet.create" if created else ("sheet.edit_submitted" if was == "submitted" else "sheet.save")
        if item.submit and was != "submitted":
            action = "sheet.submit" if not created else "sheet.create_submit"
        number, batch_id = stored.numbers[item.application_id]
        written.audit_rows.append(
            {
                "actor": actor, "action": action, "entity_type": "score_sheet", "entity_id": item.sheet_id,
                "batch_id": batch_id,
                "summary": _("Sheet of {reviewer} for {number}").format(reviewer=expert_name, number=number),
                "details": {
                    "application": number, "reviewer": expert_name, "stage_id": stage_id, "entered_by": actor,
                    "source": SheetSource.WORKBOOK.value,
                    "changes": {k: {"old": json_value(o), "new": json_value(n)} for k, (o, n) in changed.items()},
                },
            }
        )  # fmt: skip
        submitted_now = item.submit or was == "submitted"
        if submitted_now:
            written.recompute.add(item.application_id)
    for action in dict.fromkeys(row["action"] for row in written.audit_rows):  # may the user do it (one reviewer)
        first = next(row for row in written.audit_rows if row["action"] == action)
        check_action(session, action, "score_sheet", first["entity_id"])
    return written


def _insert_new(session, rows, new_items, *, stage_id: int, expert_id: int) -> None:
    """New sheets in one statement, their ids read back in one query, then their scores and answers."""
    session.execute(insert(ScoreSheet), rows)
    ids = {
        (a, v): i
        for i, a, v in session.execute(
            select(ScoreSheet.id, ScoreSheet.application_id, ScoreSheet.rubric_version_id).where(
                ScoreSheet.stage_id == stage_id,
                ScoreSheet.reviewer_id == expert_id,
                ScoreSheet.application_id.in_(sorted({row["application_id"] for row in rows})),
            )
        )
    }
    scores: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    for item, new_input, _changed, version in new_items:
        item.sheet_id = sheet_id = ids[(item.application_id, version.id)]
        for criterion in version.criteria:
            points, comment = new_input.points.get(criterion.key), new_input.comments.get(criterion.key) or ""
            if points is not None or comment:
                scores.append({"sheet_id": sheet_id, "criterion_id": criterion.id, "points": points,
                               "comment": comment})  # fmt: skip
        for veto in version.veto_items:
            value = new_input.vetoes.get(veto.key)
            if value is not None:
                answers.append({"sheet_id": sheet_id, "veto_item_id": veto.id, "answer": value, "note": ""})
    if scores:
        session.execute(insert(CriterionScore), scores)
    if answers:
        session.execute(insert(VetoAnswer), answers)


def _update(sheet, version, new_input, evaluation, changed, item, *, panel_id, actor, now) -> None:
    """A stored sheet's new values, as ``save_sheet`` writes them (flushed by the caller)."""
    crit_ids = {c.key: c.id for c in version.criteria}
    veto_ids = {v.key: v.id for v in version.veto_items}
    scores = {s.criterion_id: s for s in sheet.scores}
    for key, criterion_id in crit_ids.items():
        points, comment = new_input.points.get(key), new_input.comments.get(key) or ""
        row = scores.get(criterion_id)
        if row is None:
            if points is None and not comment:
                continue
            row = CriterionScore(criterion_id=criterion_id)
            sheet.scores.append(row)
        row.points = points
        row.comment = comment
    answers = {a.veto_item_id: a for a in sheet.veto_answers}
    for key, veto_id in veto_ids.items():
        value = new_input.vetoes.get(key)
        row = answers.get(veto_id)
        if row is None:
            if value is None:
                continue
            row = VetoAnswer(veto_item_id=veto_id)
            sheet.veto_answers.append(row)
        row.answer = value
    sheet.opinion = new_input.opinion
    sheet.written_opinion = new_input.written_opinion
    sheet.internal_note = sheet.internal_note or ""
    sheet.vetoed = evaluation.vetoed
    sheet.total = evaluation.total
    if sheet.source != SheetSource.WORKBOOK:
        changed["source"] = (sheet.source.value, SheetSource.WORKBOOK.value)
        sheet.source = SheetSource.WORKBOOK
    if sheet.entered_by != actor:
        changed["entered_by"] = (sheet.entered_by, actor)
        sheet.entered_by = actor
    sheet.panel_id = panel_id
    sheet.workbook_hash = item.workbook_hash
    if item.submit and sheet.status != SheetStatus.SUBMITTED:
        changed["status"] = (sheet.status.value, SheetStatus.SUBMITTED.value)
        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = now
