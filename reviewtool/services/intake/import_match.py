"""Step 3 of an import: match the parsed rows with what the batch holds.

A row whose 申报编号 is already in the batch updates that application (or is
refused, as the options say); a new row with the same unit as a stored or an
earlier row and a title at least ``DUPLICATE_SIMILARITY`` alike is a
probable duplicate. Updates are compared field by field with what is stored:
a blank cell never clears a stored value, and a row that changes nothing is
``unchanged``."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from reviewtool.core.enums import AreaRole, TagSource
from reviewtool.core.intake.rows import RowIssue
from reviewtool.core.tables.text import normalise_header
from reviewtool.i18n import _
from reviewtool.services.intake.import_result import EXISTING_REJECT
from reviewtool.services.intake.import_run import ImportRun
from reviewtool.storage.models import Application, ApplicationArea, PriorityArea, Unit

DUPLICATE_SIMILARITY = 90  # rapidfuzz ratio (0–100) of normalised titles, same unit
STORED_CHUNK = 500


def _title_key(title: str) -> str:
    return normalise_header(title)


def _existing_titles(session: Session, run: ImportRun) -> dict[str, list[tuple[str, str]]]:
    """Unit name → [(title key, number)] of the batch's applications; fills ``run.existing_by_number``."""
    titles: dict[str, list[tuple[str, str]]] = {}
    if run.batch is None:
        return titles
    stmt = (
        select(Application.id, Application.number, Application.title, Unit.name)
        .join(Unit, Application.unit_id == Unit.id)
        .where(Application.batch_id == run.batch.id)
    )
    for app_id, number, title, unit_name in session.execute(stmt):
        run.existing_by_number[number] = app_id
        titles.setdefault(unit_name, []).append((_title_key(title), number))
    return titles


def match_existing(session: Session, run: ImportRun) -> None:
    """Decide create, update or reject for each candidate row, in sheet order."""
    existing_titles = _existing_titles(session, run)
    file_titles: dict[str, list[tuple[str, str, int]]] = {}  # unit name → [(title key, number, row)]
    options = run.options
    for outcome, draft, row in run.candidates:
        number = draft.number
        key = _title_key(draft.values["title"])
        if number and number in run.existing_by_number:
            if options.existing == EXISTING_REJECT:
                outcome.issues.append(
                    RowIssue(
                        row.sheet,
                        row.row,
                        row.ref("number").letter,
                        run.headers.get("number", ""),
                        _("the number {number} already exists in batch {batch}").format(
                            number=number, batch=run.batch_name
                        ),
                        kind="duplicate",
                    )
                )
                continue
            outcome.action = "update"
            outcome.application_id = run.existing_by_number[number]
        else:
            outcome.action = "create"
            probable = [
                (other, f"{fuzz.ratio(key, k):.0f}")
                for k, other in existing_titles.get(draft.unit_name, [])
                if fuzz.ratio(key, k) >= DUPLICATE_SIMILARITY
            ]
            probable += [
                (other or _("row {row}").format(row=r), f"{fuzz.ratio(key, k):.0f}")
                for k, other, r in file_titles.get(draft.unit_name, [])
                if fuzz.ratio(key, k) >= DUPLICATE_SIMILARITY
            ]
            if probable:
                other, similarity = probable[0]
                issue = RowIssue(
                    row.sheet,
                    row.row,
                    row.ref("title").letter,
                    run.headers.get("title", ""),
                    _(
                        "probably a duplicate of {other}: same unit, title similarity {similarity}"
                        " (import with “accept probable duplicates” if it is not)"
                    ).format(other=other, similarity=f"{similarity} %"),
                    kind="warning" if options.accept_probable_duplicates else "duplicate",
                )
                outcome.issues.append(issue)
                if not options.accept_probable_duplicates:
                    outcome.action = "reject"
                    continue
        file_titles.setdefault(draft.unit_name, []).append((key, number, row.row))
        run.drafts.append((outcome, draft))


def _current_value(application: Application, key: str) -> Any:
    value = getattr(application, key)
    if key in ("budget_lines", "outputs"):
        return dict(value or {})
    return value


def compare_with_stored(session: Session, run: ImportRun) -> None:
    """Fill each update's field-by-field changes; an update that changes nothing becomes ``unchanged``."""
    update_ids = [o.application_id for o, _d in run.drafts if o.action == "update"]
    for start in range(0, len(update_ids), STORED_CHUNK):
        chunk = update_ids[start : start + STORED_CHUNK]
        stmt = select(Application).options(joinedload(Application.unit)).where(Application.id.in_(chunk))
        run.stored.update({a.id: a for a in session.scalars(stmt)})  # with its unit: no query per row
    primary_by_app: dict[int, str] = {}
    if update_ids:
        stmt = (
            select(ApplicationArea.application_id, PriorityArea.code)
            .join(PriorityArea, ApplicationArea.area_id == PriorityArea.id)
            .where(
                ApplicationArea.application_id.in_(update_ids),
                ApplicationArea.source == TagSource.CONFIRMED,
                ApplicationArea.role == AreaRole.PRIMARY,
            )
        )
        primary_by_app = dict(session.execute(stmt).all())
    for outcome, draft in run.drafts:
        if outcome.action != "update":
            continue
        application = run.stored[outcome.application_id]
        for key, new in draft.values.items():
            if new is None or new == {}:
                continue  # a blank cell never clears a stored value
            old = _current_value(application, key)
            if old != new:
                outcome.changes[key] = (old, new)
        if draft.primary_area and primary_by_app.get(application.id) != draft.primary_area:
            outcome.changes["primary_area"] = (primary_by_app.get(application.id), draft.primary_area)
        if application.unit.name != draft.unit_name:
            outcome.changes["unit"] = (application.unit.name, draft.unit_name)
        if not outcome.changes:
            outcome.action = "unchanged"
