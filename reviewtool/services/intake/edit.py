"""Creating, editing and deleting one application from the form."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ApplicationStatus, AreaRole, TagSource
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.core.intake.fields import TEXT_ATTRIBUTES
from reviewtool.core.intake.form import ApplicationForm, validate_form
from reviewtool.core.intake.values import format_money, parse_money
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.taxonomy import area_ids_by_code
from reviewtool.storage.models import Application, ApplicationArea, Batch, PriorityArea, Unit
from reviewtool.storage.versioning import check_version

#: Statuses after which an application is part of a review and is not deleted.
DELETABLE = (
    ApplicationStatus.RECEIVED,
    ApplicationStatus.FORMAL_PASSED,
    ApplicationStatus.FORMAL_FAILED,
    ApplicationStatus.WITHDRAWN,
)

PLAIN = TEXT_ATTRIBUTES


def _application(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("Application {id} does not exist.").format(id=application_id))
    return application


def load_form(session: Session, application_id: int) -> ApplicationForm:
    application = _application(session, application_id)
    tags = session.execute(
        select(PriorityArea.code, ApplicationArea.role)
        .join(ApplicationArea, ApplicationArea.area_id == PriorityArea.id)
        .where(ApplicationArea.application_id == application_id, ApplicationArea.source == TagSource.CONFIRMED)
        .order_by(ApplicationArea.id)
    ).all()
    form = ApplicationForm(
        number=application.number,
        unit_name=application.unit.name,
        unit_type=application.unit.unit_type,
        county=application.unit.county or "",
        team_size=application.team_size,
        start_date=application.start_date,
        end_date=application.end_date,
        total_budget=format_money(application.total_budget),
        requested_amount=format_money(application.requested_amount),
        self_funding=format_money(application.self_funding),
        budget_lines={k: str(v) for k, v in (application.budget_lines or {}).items()},
        outputs={k: str(v) for k, v in (application.outputs or {}).items()},
        abstract=application.abstract or "",
        primary_area=next((c for c, r in tags if r == AreaRole.PRIMARY), ""),
        secondary_areas=[c for c, r in tags if r == AreaRole.SECONDARY],
    )
    for key in PLAIN:
        setattr(form, key, getattr(application, key) or "")
    return form


def _check(session: Session, form: ApplicationForm) -> dict[str, int]:
    ids = area_ids_by_code(session)
    problems = validate_form(form, known_areas=set(ids))
    if problems:
        key, message = next(iter(problems.items()))
        raise UserError(_("{field}: {message}").format(field=key, message=message))
    return ids


def _unit(session: Session, form: ApplicationForm) -> Unit:
    name = form.unit_name.strip()
    unit = session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        unit = Unit(name=name, unit_type=form.unit_type, county=form.county or None)
        session.add(unit)
        session.flush()
    else:
        if form.county and unit.county != form.county:
            unit.county = form.county
        if unit.unit_type != form.unit_type:
            unit.unit_type = form.unit_type
    return unit


def _values(form: ApplicationForm) -> dict:
    values = {key: (getattr(form, key).strip() or None) for key in PLAIN}
    values["title"] = form.title.strip()
    values["pi_name"] = form.pi_name.strip()
    values["team_size"] = form.team_size
    values["start_date"] = form.start_date
    values["end_date"] = form.end_date
    values["total_budget"] = parse_money(form.total_budget or None)
    values["requested_amount"] = parse_money(form.requested_amount or None)
    values["self_funding"] = parse_money(form.self_funding or None)
    values["budget_lines"] = {k: str(parse_money(v)) for k, v in form.budget_lines.items() if (v or "").strip()}
    values["outputs"] = {k: v.strip() for k, v in form.outputs.items() if (v or "").strip()}
    values["abstract"] = form.abstract.strip()
    return values


def _set_tags(session: Session, application: Application, form: ApplicationForm, ids: dict[str, int]) -> None:
    for tag in [t for t in application.areas if t.source == TagSource.CONFIRMED]:
        application.areas.remove(tag)
    session.flush()
    if form.primary_area:
        application.areas.append(
            ApplicationArea(area_id=ids[form.primary_area], role=AreaRole.PRIMARY, source=TagSource.CONFIRMED)
        )
        for code in dict.fromkeys(form.secondary_areas):
            if code != form.primary_area:
                application.areas.append(
                    ApplicationArea(area_id=ids[code], role=AreaRole.SECONDARY, source=TagSource.CONFIRMED)
                )


def _next_number(session: Session, batch: Batch) -> str:
    year = batch.year or batch.created_at.year
    taken = set(session.scalars(select(Application.number).where(Application.batch_id == batch.id)))
    counter = len(taken)
    while True:
        counter += 1
        number = f"{year}-{counter:04d}"
        if number not in taken:
            return number


def create_application(session: Session, batch_id: int, form: ApplicationForm, *, actor: str) -> tuple[int, Changes]:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_("Batch {id} does not exist.").format(id=batch_id))
    ids = _check(session, form)
    number = form.number.strip() or _next_number(session, batch)
    if session.scalar(select(Application.id).where(Application.batch_id == batch_id, Application.number == number)):
        raise UserError(_("The number {number} is already used in this batch.").format(number=number))
    application = Application(batch_id=batch_id, number=number, unit=_unit(session, form), **_values(form))
    session.add(application)
    session.flush()
    _set_tags(session, application, form, ids)
    audit.record(
        session,
        actor=actor,
        action="application.create",
        entity_type="application",
        entity_id=application.id,
        batch_id=batch_id,
        summary=_("Created {number} {title}").format(number=number, title=application.title),
    )
    session.flush()
    return application.id, Changes(
        applications=True,
        message=_("Application {number} created.").format(number=number),
        details={"filter_values": True},
    )


def update_application(
    session: Session, application_id: int, form: ApplicationForm, *, actor: str, row_version: int | None = None
) -> Changes:
    """Save the form; ``row_version`` (from when the form was opened) refuses a save over someone else's."""
    application = _application(session, application_id)
    check_version(session, application, row_version)  # "已被 X 于 HH:MM 修改" when someone saved meanwhile
    ids = _check(session, form)
    before = load_form(session, application_id).as_dict()
    number = form.number.strip() or application.number
    if number != application.number and session.scalar(
        select(Application.id).where(Application.batch_id == application.batch_id, Application.number == number)
    ):
        raise UserError(_("The number {number} is already used in this batch.").format(number=number))
    application.number = number
    application.unit = _unit(session, form)
    for key, value in _values(form).items():
        setattr(application, key, value)
    _set_tags(session, application, form, ids)
    session.flush()
    after = load_form(session, application_id).as_dict()
    changed = {k: [_plain(before[k]), _plain(after[k])] for k in after if before[k] != after[k]}
    if changed:
        audit.record(
            session,
            actor=actor,
            action="application.edit",
            entity_type="application",
            entity_id=application.id,
            batch_id=application.batch_id,
            summary=_("Edited {number}: {fields}").format(number=number, fields=", ".join(changed)),
            details={"changes": changed},
        )
    return Changes(applications=bool(changed), message=_("Saved."), details={"filter_values": bool(changed)})


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


def delete_application(session: Session, application_id: int, *, actor: str) -> Changes:
    application = _application(session, application_id)
    if application.status not in DELETABLE:
        raise Refused(
            _("{number} is {status}; only applications not yet in review can be deleted.").format(
                number=application.number, status=application.status.label()
            )
        )
    snapshot = load_form(session, application_id).as_dict()
    number, batch_id = application.number, application.batch_id
    session.delete(application)
    audit.record(
        session,
        actor=actor,
        action="application.delete",
        entity_type="application",
        entity_id=application_id,
        batch_id=batch_id,
        summary=_("Deleted {number} {title}").format(number=number, title=snapshot["title"]),
        details={"snapshot": {k: _plain(v) for k, v in snapshot.items()}},
    )
    session.flush()
    return Changes(applications=True, message=_("Application {number} deleted.").format(number=number))
