"""Importing the bureau's application summary sheets (申报汇总表).

``import_applications`` reads the workbook, validates every row, and either
writes everything or nothing (``only_valid=True`` writes the valid rows and
leaves the rejected ones out). With ``dry_run=True`` it only reports what it
would create, update and reject. The result is plain data, for the CLI's
JSON and the GUI's preview.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AreaRole, TagSource, UnitType
from reviewtool.core.errors import UserError
from reviewtool.core.intake.fields import COUNTIES, IMPORTED_ATTRIBUTES, column_specs
from reviewtool.core.intake.rows import ApplicationDraft, IntakeContext, RowIssue, guess_unit_type, parse_row
from reviewtool.core.intake.values import format_money
from reviewtool.core.xlsx_table import normalise_header, read_table
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.applications import find_batch, list_batches
from reviewtool.services.changes import Changes
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.services.taxonomy import area_ids_by_code, list_areas
from reviewtool.storage.models import Application, ApplicationArea, AuditEvent, Batch, Unit
from reviewtool.storage.models.base import utcnow

EXISTING_UPDATE = "update"
EXISTING_REJECT = "reject"
DUPLICATE_SIMILARITY = 90  # rapidfuzz ratio (0–100) of normalised titles, same unit

#: Application attributes an import may set, in the order the preview lists changes.
COMPARED = (*IMPORTED_ATTRIBUTES, "budget_lines", "outputs")


@dataclass
class ImportOptions:
    batch: str | None = None
    existing: str = EXISTING_UPDATE  # what a row with a number already in the batch does
    accept_probable_duplicates: bool = False
    only_valid: bool = False
    suggest: bool = True
    dry_run: bool = False
    sheet: str | None = None


@dataclass
class RowOutcome:
    sheet: str
    row: int
    action: str  # create, update, unchanged, reject
    number: str
    title: str
    unit: str = ""
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)
    suggested_area: str | None = None
    application_id: int | None = None

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "action": self.action,
            "number": self.number,
            "title": self.title,
            "unit": self.unit,
            "changes": {k: [_plain(a), _plain(b)] for k, (a, b) in self.changes.items()},
            "issues": [i.as_json() for i in self.issues],
            "suggested_area": self.suggested_area,
        }


@dataclass
class ImportResult:
    file: str
    sheet: str
    header_rows: tuple[int, ...]
    batch: str
    batch_created: bool
    dry_run: bool
    written: bool
    rows: list[RowOutcome]
    unknown_columns: list[str]
    skipped_rows: list[tuple[int, str, str]]
    messages: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def rejected(self) -> int:
        return self.count("reject")

    @property
    def errors(self) -> list[RowIssue]:
        return [i for r in self.rows for i in r.issues if i.kind != "warning"]

    def counts(self) -> dict[str, int]:
        return {
            "create": self.count("create"),
            "update": self.count("update"),
            "unchanged": self.count("unchanged"),
            "reject": self.rejected,
            "skipped_rows": len(self.skipped_rows),
        }

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "header_rows": list(self.header_rows),
            "batch": self.batch,
            "batch_created": self.batch_created,
            "dry_run": self.dry_run,
            "written": self.written,
            "counts": self.counts(),
            "unknown_columns": self.unknown_columns,
            "skipped_rows": [{"row": r, "reason": why, "text": t} for r, why, t in self.skipped_rows],
            "errors": [i.as_json() for i in self.errors],
            "warnings": [i.as_json() for r in self.rows for i in r.issues if i.kind == "warning"],
            "rows": [r.as_json() for r in self.rows],
            "messages": self.messages,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _year_of(name: str) -> int | None:
    match = re.search(r"(20\d{2})", name)
    return int(match.group(1)) if match else None


def resolve_batch(session: Session, name: str | None, *, create: bool) -> tuple[Batch | None, str, bool]:
    """The named batch (created when missing and ``create``), or the only open batch when no name is given."""
    if name:
        name = name.strip()
        batch = find_batch(session, name)
        if batch is not None:
            if batch.closed:
                raise UserError(
                    _("The batch “{name}” is closed; applications cannot be imported into it.").format(name=name)
                )
            return batch, name, False
        if not create:
            return None, name, True
        batch = Batch(name=name, year=_year_of(name))
        session.add(batch)
        session.flush()
        return batch, name, True
    open_batches = [b for b in list_batches(session) if not b.closed]
    if len(open_batches) == 1:
        return open_batches[0], open_batches[0].name, False
    if not open_batches:
        raise UserError(_("There is no batch yet; name one with --batch (it will be created)."))
    raise UserError(
        _("Several batches are open; choose one with --batch: {names}").format(
            names="、".join(b.name for b in open_batches)
        )
    )


def _title_key(title: str) -> str:
    return normalise_header(title)


def _current_value(application: Application, key: str) -> Any:
    value = getattr(application, key)
    if key in ("budget_lines", "outputs"):
        return dict(value or {})
    return value


def import_applications(
    session: Session,
    path: str | Path,
    options: ImportOptions,
    *,
    actor: str,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportResult:
    """Validate and (unless ``dry_run``) store a summary sheet. See the module docstring."""
    path = Path(path)
    if options.existing not in (EXISTING_UPDATE, EXISTING_REJECT):
        raise ValueError(options.existing)
    table = read_table(
        path,
        column_specs(),
        sheet=options.sheet,
        on_progress=lambda done, total: progress.update(done, total * 3, _("Reading {file}…").format(file=path.name)),
        check_cancel=cancel.check,
    )
    headers = {key: column.full_label for key, column in table.columns.items()}
    areas = list_areas(session)
    context = IntakeContext(
        area_titles={a.code: a.title for a in areas if a.kind != "target"},
        unit_counties=dict(session.execute(select(Unit.name, Unit.county)).all()),
        counties=COUNTIES,
    )
    batch, batch_name, batch_new = resolve_batch(session, options.batch, create=False)

    existing_by_number: dict[str, int] = {}
    existing_titles: dict[str, list[tuple[str, str]]] = {}  # unit name → [(title key, number)]
    if batch is not None:
        stmt = (
            select(Application.id, Application.number, Application.title, Unit.name)
            .join(Unit, Application.unit_id == Unit.id)
            .where(Application.batch_id == batch.id)
        )
        for app_id, number, title, unit_name in session.execute(stmt):
            existing_by_number[number] = app_id
            existing_titles.setdefault(unit_name, []).append((_title_key(title), number))

    total = len(table.rows)
    outcomes: list[RowOutcome] = []
    drafts: list[tuple[RowOutcome, ApplicationDraft]] = []
    seen_numbers: dict[str, int] = {}
    file_titles: dict[str, list[tuple[str, str, int]]] = {}
    for position, row in enumerate(table.rows, start=1):
        if position % 200 == 0:
            cancel.check()
            progress.update(total + position, total * 3, _("Checking rows…"))
        draft, issues = parse_row(row, context, headers)
        title = str(row.get("title") or "")
        number = str(row.get("number") or "").strip()
        if isinstance(row.get("number"), float) and float(row.get("number")).is_integer():
            number = str(int(row.get("number")))
        outcome = RowOutcome(row.sheet, row.row, "reject", number, title, str(row.get("unit") or ""), issues=issues)
        outcomes.append(outcome)
        if draft is None:
            continue
        if number:
            draft.number = number
            if number in seen_numbers:
                outcome.issues.append(
                    RowIssue(
                        row.sheet,
                        row.row,
                        row.ref("number").letter,
                        headers.get("number", ""),
                        _("the number {number} is used again (first in row {first})").format(
                            number=number, first=seen_numbers[number]
                        ),
                    )
                )
                continue
            seen_numbers[number] = row.row
        key = _title_key(draft.values["title"])
        if number and number in existing_by_number:
            if options.existing == EXISTING_REJECT:
                outcome.issues.append(
                    RowIssue(
                        row.sheet,
                        row.row,
                        row.ref("number").letter,
                        headers.get("number", ""),
                        _("the number {number} already exists in batch {batch}").format(
                            number=number, batch=batch_name
                        ),
                        kind="duplicate",
                    )
                )
                continue
            outcome.action = "update"
            outcome.application_id = existing_by_number[number]
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
                    headers.get("title", ""),
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
        drafts.append((outcome, draft))

    # Updates: compare with what is stored.
    update_ids = [o.application_id for o, _d in drafts if o.action == "update"]
    stored: dict[int, Application] = {}
    for start in range(0, len(update_ids), 500):
        chunk = update_ids[start : start + 500]
        stored.update({a.id: a for a in session.scalars(select(Application).where(Application.id.in_(chunk)))})
    area_ids = area_ids_by_code(session)
    primary_by_app: dict[int, str] = {}
    if update_ids:
        from reviewtool.storage.models import PriorityArea

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
    for outcome, draft in drafts:
        if outcome.action != "update":
            continue
        application = stored[outcome.application_id]
        for key, new in draft.values.items():
            if new is None or new == {}:
                continue  # a blank cell never clears a stored value
            old = _current_value(application, key)
            if old != new:
                outcome.changes[key] = (old, new)
        if draft.primary_area and primary_by_app.get(application.id) != draft.primary_area:
            outcome.changes["primary_area"] = (primary_by_app.get(application.id), draft.primary_area)
        unit_changed = application.unit.name != draft.unit_name
        if unit_changed:
            outcome.changes["unit"] = (application.unit.name, draft.unit_name)
        if not outcome.changes:
            outcome.action = "unchanged"

    # Numbers for rows that have none, and area suggestions for rows without an area.
    taken = set(existing_by_number) | set(seen_numbers)
    year = (batch.year if batch is not None else None) or _year_of(batch_name) or dt.date.today().year
    counter = 0
    suggest = None
    if options.suggest:
        from reviewtool.services.tagging import suggester

        suggest = suggester(session)
    suggestions: dict[int, Any] = {}
    for outcome, draft in drafts:
        if outcome.action == "create" and not draft.number:
            while True:
                counter += 1
                candidate = f"{year}-{counter:04d}"
                if candidate not in taken:
                    break
            taken.add(candidate)
            draft.number = candidate
            outcome.number = candidate
    if suggest is not None:
        wanted = [i for i, (o, d) in enumerate(drafts) if o.action == "create" and not d.primary_area]
        for start in range(0, len(wanted), 500):
            cancel.check()
            progress.update(total * 2 + start, total * 3, _("Suggesting priority areas…"))
            chunk = wanted[start : start + 500]
            texts = [(drafts[i][1].values["title"], drafts[i][1].values.get("abstract") or "") for i in chunk]
            for index, found in zip(chunk, suggest.suggest_many(texts, limit=3), strict=True):
                if found:
                    suggestions[index] = found
                    drafts[index][0].suggested_area = found[0].code

    result = ImportResult(
        file=path.name,
        sheet=table.sheet,
        header_rows=table.header_rows,
        batch=batch_name,
        batch_created=batch_new,
        dry_run=options.dry_run,
        written=False,
        rows=outcomes,
        unknown_columns=[c.full_label for c in table.unknown_columns if c.label],
        skipped_rows=[(s.row, s.reason, s.text) for s in table.skipped],
    )
    if table.duplicate_columns:
        result.messages.append(
            _("Columns matched twice, the later ones kept as extra fields: {columns}").format(
                columns="、".join(f"{c.letter} {c.full_label}" for c in table.duplicate_columns)
            )
        )
    if options.dry_run:
        return result
    if result.rejected and not options.only_valid:
        return result

    cancel.check()
    if batch is None:
        batch, batch_name, _created = resolve_batch(session, batch_name, create=True)
        audit.record(
            session,
            actor=actor,
            action="batch.create",
            entity_type="batch",
            entity_id=batch.id,
            batch_id=batch.id,
            summary=_("Created batch {name} for an import").format(name=batch_name),
        )
    units = {u.name: u for u in session.scalars(select(Unit).where(Unit.name.in_({d.unit_name for _o, d in drafts})))}
    for _outcome, draft in drafts:
        if draft.unit_name not in units:
            unit = Unit(
                name=draft.unit_name,
                unit_type=draft.unit_type or guess_unit_type(draft.unit_name),
                county=draft.county,
                credit_code=draft.credit_code,
            )
            session.add(unit)
            units[draft.unit_name] = unit
        else:
            unit = units[draft.unit_name]
            if unit.county is None and draft.county:
                unit.county = draft.county
            if unit.credit_code is None and draft.credit_code:
                unit.credit_code = draft.credit_code
    session.flush()

    # New applications, their tags and audit records go in as bulk INSERTs (executemany),
    # which is what keeps a 10,000-row import quick; updates go through the ORM.
    new_rows: list[dict[str, Any]] = []
    new_items: list[tuple[int, RowOutcome, ApplicationDraft]] = []
    for index, (outcome, draft) in enumerate(drafts):
        if outcome.action != "create":
            continue
        values = {k: v for k, v in draft.values.items() if v is not None}
        values.setdefault("requested_amount", Decimal(0))
        new_rows.append(
            {
                "batch_id": batch.id,
                "number": draft.number,
                "unit_id": units[draft.unit_name].id,
                "extra_fields": draft.extra_fields,
                "budget_lines": {},
                "outputs": {},
                "abstract": "",
                **values,
            }
        )
        new_items.append((index, outcome, draft))
    keys = sorted({key for row in new_rows for key in row})
    new_rows = [{key: row.get(key) for key in keys} for row in new_rows]
    for key in ("budget_lines", "outputs", "extra_fields"):
        for row in new_rows:
            if row.get(key) is None:
                row[key] = {}
    if new_rows:
        cancel.check()
        progress.update(total * 2, total * 3, _("Writing…"))
        new_ids = list(
            session.scalars(insert(Application).returning(Application.id, sort_by_parameter_order=True), new_rows)
        )
        tags: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        now = utcnow()
        for application_id, (index, outcome, draft) in zip(new_ids, new_items, strict=True):
            outcome.application_id = application_id
            if draft.primary_area:
                tags.append(_tag(application_id, area_ids[draft.primary_area], AreaRole.PRIMARY, TagSource.CONFIRMED))
            for code in draft.secondary_areas:
                tags.append(_tag(application_id, area_ids[code], AreaRole.SECONDARY, TagSource.CONFIRMED))
            for position, suggestion in enumerate(suggestions.get(index, [])):
                role = AreaRole.PRIMARY if position == 0 else AreaRole.SECONDARY
                tag = _tag(application_id, area_ids[suggestion.code], role, TagSource.SUGGESTED)
                tag.update(score=suggestion.score, terms=list(suggestion.terms))
                tags.append(tag)
            events.append(
                {
                    "at": now,
                    "actor": actor,
                    "action": "application.import",
                    "entity_type": "application",
                    "entity_id": application_id,
                    "batch_id": batch.id,
                    "summary": _("Imported {number} from {file}, row {row}").format(
                        number=draft.number, file=path.name, row=outcome.row
                    ),
                    "details": {"file": path.name, "sheet": outcome.sheet, "row": outcome.row},
                }
            )
        cancel.check()
        if tags:
            session.execute(insert(ApplicationArea), tags)
        session.execute(insert(AuditEvent), events)
    for index, (outcome, draft) in enumerate(drafts):
        if index % 500 == 0:
            cancel.check()
            progress.update(total * 2 + index, total * 3, _("Writing…"))
        if outcome.action == "create":
            continue
        if outcome.action == "update":
            application = stored[outcome.application_id]
            for key, (_old, new) in outcome.changes.items():
                if key == "unit":
                    application.unit_id = units[draft.unit_name].id
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
    for outcome in outcomes:
        if outcome.action == "update":
            audit.record(
                session,
                actor=actor,
                action="application.update",
                entity_type="application",
                entity_id=outcome.application_id,
                batch_id=batch.id,
                summary=_("Updated {number} from {file}, row {row}").format(
                    number=outcome.number, file=path.name, row=outcome.row
                ),
                details={"file": path.name, "row": outcome.row, "changes": outcome.as_json()["changes"]},
            )
    audit.record(
        session,
        actor=actor,
        action="intake.import",
        entity_type="batch",
        entity_id=batch.id,
        batch_id=batch.id,
        summary=_("Imported {file}: {created} new, {updated} updated, {rejected} rejected").format(
            file=path.name, created=result.count("create"), updated=result.count("update"), rejected=result.rejected
        ),
        details={"file": path.name, "counts": result.counts(), "batch_created": batch_new},
    )
    session.flush()
    result.written = True
    progress.update(1, 1, _("Done."))
    return result


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


def changes_of(result: ImportResult) -> Changes:
    return Changes(
        applications=result.written,
        batches=result.written and result.batch_created,
        details={"filter_values": result.written},
        message=_("{created} applications imported, {updated} updated.").format(
            created=result.count("create"), updated=result.count("update")
        ),
    )


def unit_type_of(name: str) -> UnitType:
    return guess_unit_type(name)
