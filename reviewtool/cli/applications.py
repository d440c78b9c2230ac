"""``applications list`` and ``applications show``: reading back what was imported or entered."""

from __future__ import annotations

import click

from reviewtool.cli.common import db_option, emit_json, json_option, open_db
from reviewtool.core.enums import ApplicationStatus
from reviewtool.core.errors import NotFound, UserError
from reviewtool.core.intake.values import format_money
from reviewtool.i18n import _


def _batch(session, name: str | None):
    from reviewtool.services.intake.batch_choice import resolve_batch

    found, batch_name, missing = resolve_batch(session, name, create=False)
    if found is None or missing:
        raise NotFound(_("There is no batch named {name}.").format(name=batch_name))
    return found


def _status(value: str | None) -> tuple[ApplicationStatus, ...]:
    if not value:
        return ()
    for status in ApplicationStatus:
        if value in (status.value, status.label()):
            return (status,)
    raise UserError(
        _("Unknown status “{value}” (statuses: {statuses}).").format(
            value=value, statuses="、".join(f"{s.value} ({s.label()})" for s in ApplicationStatus)
        )
    )


@click.group("applications", help=_("List applications, or show one with every stored field."))
def applications_group() -> None:
    pass


@applications_group.command(
    "list", help=_("List applications with number, title, unit, county, PI, amounts, status and areas.")
)
@click.option("--batch", metavar="NAME", help=_("Only this batch (default: every batch)."))
@click.option("--status", metavar="STATUS", help=_("Only applications with this status (value or label)."))
@click.option("--area", metavar="CODE", help=_("Only applications confirmed under this area (or its children)."))
@click.option("--search", metavar="TEXT", default="", help=_("Text in the title, number, PI or unit."))
@db_option
@json_option
def list_command(
    batch: str | None, status: str | None, area: str | None, search: str, db_url: str | None, as_json: bool
) -> None:
    from reviewtool.services.applications import ApplicationQuery, count_applications, fetch_applications
    from reviewtool.services.intake.tagging import suggested_primary

    database = open_db(db_url)
    with database.session() as session:
        query = ApplicationQuery(
            text=search,
            batch_id=_batch(session, batch).id if batch else None,
            statuses=_status(status),
            area_code=area.strip().upper() if area else None,
        )
        total = count_applications(session, query)
        rows = fetch_applications(session, query, 0, max(total, 1))
        suggested = suggested_primary(session, [r.id for r in rows])
        items = [
            {
                "number": r.number,
                "title": r.title,
                "unit": r.unit,
                "county": r.county,
                "pi_name": r.pi_name,
                "requested_amount": format_money(r.requested_amount),
                "status": r.status.value,
                "area": r.area_code,
                "suggested_area": None if r.area_code else (suggested.get(r.id) or (None,))[0],
                "batch": r.batch,
            }
            for r in rows
        ]
    if as_json:
        emit_json(items)
        return
    for item in items:
        area_text = item["area"] or (
            _("{code} (suggested)").format(code=item["suggested_area"]) if item["suggested_area"] else "—"
        )
        click.echo(
            f"{item['number']:<12} {item['title']}  {item['unit']}  {item['county'] or '—'}  {item['pi_name']}  "
            f"{item['requested_amount']}  {ApplicationStatus(item['status']).label()}  {area_text}"
        )
    click.echo(_("{count} applications").format(count=len(items)))


@applications_group.command("show", help=_("Every stored field of one application (--json for scripts)."))
@click.argument("number")
@click.option("--batch", metavar="NAME", help=_("The application's batch (default: the only open batch)."))
@db_option
@json_option
def show_command(number: str, batch: str | None, db_url: str | None, as_json: bool) -> None:
    from sqlalchemy import select

    from reviewtool.services.applications import application_detail
    from reviewtool.storage.models import Application

    database = open_db(db_url)
    with database.session() as session:
        found = _batch(session, batch)
        application_id = session.scalar(
            select(Application.id).where(Application.batch_id == found.id, Application.number == number)
        )
        if application_id is None:
            raise NotFound(
                _("There is no application {number} in batch {batch}.").format(number=number, batch=found.name)
            )
        detail = application_detail(session, application_id)
    if as_json:
        emit_json(detail)
        return
    for key, value in detail.items():
        if value in (None, "", {}, []):
            continue
        click.echo(f"{key}: {value}")


def register(group: click.Group) -> None:
    group.add_command(applications_group)
