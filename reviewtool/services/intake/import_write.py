"""Step 5 of an import: write the accepted rows in the caller's transaction.

Units are looked up once for the whole file and created when new. New
applications and their tags go in as Core bulk INSERTs (executemany, every
row naming every column), which keeps the number of statements independent
of the number of rows; updates go through the ORM."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AreaRole, TagSource
from reviewtool.core.intake.fields import IMPORTED_ATTRIBUTES
from reviewtool.core.intake.rows import ApplicationDraft, guess_unit_type
from reviewtool.i18n import _
from reviewtool.services.intake.import_run import ImportRun
from reviewtool.services.progress import CancelToken, Progress
from reviewtool.storage.models import Application, ApplicationArea, Unit
from reviewtool.storage.models.base import utcnow

LOOKUP_CHUNK = 500  # names in one IN (…)
WRITE_CHUNK = 1000  # rows in one executemany: bounds the memory its parameters take


def write_units(session: Session, run: ImportRun) -> dict[str, int]:
    """Unit name → unit id for every row written; a known unit gains a county or credit code it lacked.
    New units go in as one Core executemany; their ids are then read back by name (names are unique)."""
    names = {d.unit_name for _o, d in run.drafts}
    known = {unit.name: unit for (unit,) in _chunked(session, select(Unit), Unit.name, names)}
    new: dict[str, dict[str, Any]] = {}
    for _outcome, draft in run.drafts:
        unit = known.get(draft.unit_name)
        if unit is not None:
            if unit.county is None and draft.county:
                unit.county = draft.county
            if unit.credit_code is None and draft.credit_code:
                unit.credit_code = draft.credit_code
        elif draft.unit_name not in new:
            new[draft.unit_name] = {
                "name": draft.unit_name,
                "unit_type": draft.unit_type or guess_unit_type(draft.unit_name),
                "county": draft.county,
                "credit_code": draft.credit_code,
                "address": None,
            }
        else:  # a later row of the same new unit fills what an earlier one left blank
            row = new[draft.unit_name]
            row["county"] = row["county"] or draft.county
            row["credit_code"] = row["credit_code"] or draft.credit_code
    session.flush()
    if new:
        session.execute(insert(Unit.__table__), list(new.values()))
    ids = {unit.name: unit.id for unit in known.values()}
    ids.update(_chunked(session, select(Unit.name, Unit.id), Unit.name, new))
    return ids


def _chunked(session: Session, stmt, column, values) -> list:
    """The rows of ``stmt`` with ``column`` among ``values``, in chunks (a statement's parameters are limited)."""
    values = list(values)
    found: list = []
    for start in range(0, len(values), LOOKUP_CHUNK):
        found.extend(session.execute(stmt.where(column.in_(values[start : start + LOOKUP_CHUNK]))))
    return found


def _tag(application_id: int, area_id: int, role: AreaRole, source: TagSource) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "area_id": area_id,
        "role": role,
        "source": source,
        "score": None,
        "terms": [],
        "created_at": utcnow(),
    }


def _application_row(batch_id: int, unit_id: int, draft: ApplicationDraft) -> dict[str, Any]:
    """The INSERT parameters of one new application: every column named, a blank cell as NULL."""
    row: dict[str, Any] = dict.fromkeys(IMPORTED_ATTRIBUTES)
    row.update(draft.values)
    row.update(
        batch_id=batch_id,
        number=draft.number,
        unit_id=unit_id,
        requested_amount=row["requested_amount"] if row["requested_amount"] is not None else Decimal(0),
        abstract=row["abstract"] or "",
        extra_fields=draft.extra_fields or {},
        budget_lines=draft.values.get("budget_lines") or {},
        outputs=draft.values.get("outputs") or {},
    )
    return row


def _chunks(items: list, size: int = WRITE_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert_new(
    session: Session,
    run: ImportRun,
    units: dict[str, int],
    area_ids: dict[str, int],
    progress: Progress,
    cancel: CancelToken,
) -> None:
    """Insert the new applications with their confirmed and suggested tags; sets each outcome's id.

    Core executemany in chunks of ``WRITE_CHUNK`` rows, every row naming every column. (The ORM's bulk
    path leaves each row's None values out and sends one statement per distinct set of filled columns:
    on a real sheet, where clerks leave different optional cells blank, nearly one per row.) No
    RETURNING either, which SQLite would answer row by row: the ids are read back by number, unique
    in the batch."""
    new = [(index, outcome, draft) for index, (outcome, draft) in enumerate(run.drafts) if outcome.action == "create"]
    table = Application.__table__
    for position, chunk in enumerate(_chunks(new)):
        cancel.check()
        progress.update(run.total * 2 + position * WRITE_CHUNK, run.total * 3, _("Writing…"))
        session.execute(insert(table), [_application_row(run.batch.id, units[d.unit_name], d) for _i, _o, d in chunk])
    if not new:
        return
    numbers = select(Application.number, Application.id).where(Application.batch_id == run.batch.id)
    ids = dict(session.execute(numbers).all())
    tags: list[dict[str, Any]] = []
    for index, outcome, draft in new:
        application_id = outcome.application_id = ids[draft.number]
        if draft.primary_area:
            tags.append(_tag(application_id, area_ids[draft.primary_area], AreaRole.PRIMARY, TagSource.CONFIRMED))
        for code in draft.secondary_areas:
            tags.append(_tag(application_id, area_ids[code], AreaRole.SECONDARY, TagSource.CONFIRMED))
        for position, suggestion in enumerate(run.suggestions.get(index, [])):
            role = AreaRole.PRIMARY if position == 0 else AreaRole.SECONDARY
            tag = _tag(application_id, area_ids[suggestion.code], role, TagSource.SUGGESTED)
            tag.update(score=suggestion.score, terms=list(suggestion.terms))
            tags.append(tag)
    for chunk in _chunks(tags):
        cancel.check()
        session.execute(insert(ApplicationArea.__table__), chunk)  # Core, for the same reason


def apply_updates(
    session: Session,
    run: ImportRun,
    units: dict[str, int],
    area_ids: dict[str, int],
    progress: Progress,
    cancel: CancelToken,
) -> None:
    """Apply each update's listed changes (and its extra fields) to the stored application."""
    for index, (outcome, draft) in enumerate(run.drafts):
        if index % 500 == 0:
            cancel.check()
            progress.update(run.total * 2 + index, run.total * 3, _("Writing…"))
        if outcome.action != "update":
            continue
        application = run.stored[outcome.application_id]
        for key, (_old, new) in outcome.changes.items():
            if key == "unit":
                application.unit_id = units[draft.unit_name]
            elif key == "primary_area":
                for tag in list(application.areas):
                    if tag.source == TagSource.CONFIRMED and tag.role == AreaRole.PRIMARY:
                        application.areas.remove(tag)
                session.flush()
                application.areas.append(
                    ApplicationArea(area_id=area_ids[new], role=AreaRole.PRIMARY, source=TagSource.CONFIRMED)
                )
            else:
                setattr(application, key, new)
        if draft.extra_fields:
            application.extra_fields = {**(application.extra_fields or {}), **draft.extra_fields}
    cancel.check()
    session.flush()
