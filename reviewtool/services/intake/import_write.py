"""Step 5 of an import: write the accepted rows in the caller's transaction.

Units are looked up once for the whole file and created when new. New
applications and their tags go in as bulk INSERTs (executemany), which is
what keeps a 10,000-row import quick; updates go through the ORM."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AreaRole, TagSource
from reviewtool.core.intake.rows import guess_unit_type
from reviewtool.i18n import _
from reviewtool.services.intake.import_run import ImportRun
from reviewtool.services.progress import CancelToken, Progress
from reviewtool.storage.models import Application, ApplicationArea, Unit
from reviewtool.storage.models.base import utcnow

JSON_FIELDS = ("budget_lines", "outputs", "extra_fields")


def write_units(session: Session, run: ImportRun) -> dict[str, Unit]:
    """Unit name → unit for every row written; a known unit gains a county or credit code it lacked."""
    names = {d.unit_name for _o, d in run.drafts}
    units = {u.name: u for u in session.scalars(select(Unit).where(Unit.name.in_(names)))}
    for _outcome, draft in run.drafts:
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
    return units


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


def insert_new(
    session: Session,
    run: ImportRun,
    units: dict[str, Unit],
    area_ids: dict[str, int],
    progress: Progress,
    cancel: CancelToken,
) -> None:
    """Insert the new applications with their confirmed and suggested tags; sets each outcome's id."""
    new_rows: list[dict[str, Any]] = []
    new_items = []
    for index, (outcome, draft) in enumerate(run.drafts):
        if outcome.action != "create":
            continue
        values = {k: v for k, v in draft.values.items() if v is not None}
        values.setdefault("requested_amount", Decimal(0))
        new_rows.append(
            {
                "batch_id": run.batch.id,
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
    if not new_rows:
        return
    # Every row names every column, so the rows go in as one executemany.
    keys = sorted({key for row in new_rows for key in row})
    new_rows = [{key: row.get(key) for key in keys} for row in new_rows]
    for key in JSON_FIELDS:
        for row in new_rows:
            if row.get(key) is None:
                row[key] = {}
    cancel.check()
    progress.update(run.total * 2, run.total * 3, _("Writing…"))
    new_ids = list(
        session.scalars(insert(Application).returning(Application.id, sort_by_parameter_order=True), new_rows)
    )
    tags: list[dict[str, Any]] = []
    for application_id, (index, outcome, draft) in zip(new_ids, new_items, strict=True):
        outcome.application_id = application_id
        if draft.primary_area:
            tags.append(_tag(application_id, area_ids[draft.primary_area], AreaRole.PRIMARY, TagSource.CONFIRMED))
        for code in draft.secondary_areas:
            tags.append(_tag(application_id, area_ids[code], AreaRole.SECONDARY, TagSource.CONFIRMED))
        for position, suggestion in enumerate(run.suggestions.get(index, [])):
            role = AreaRole.PRIMARY if position == 0 else AreaRole.SECONDARY
            tag = _tag(application_id, area_ids[suggestion.code], role, TagSource.SUGGESTED)
            tag.update(score=suggestion.score, terms=list(suggestion.terms))
            tags.append(tag)
    cancel.check()
    if tags:
        session.execute(insert(ApplicationArea), tags)


def apply_updates(
    session: Session,
    run: ImportRun,
    units: dict[str, Unit],
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
