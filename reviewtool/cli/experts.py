"""``experts import|export|list|template``: the expert pool from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.core.enums import ExpertStatus
from reviewtool.i18n import _
from reviewtool.services.experts import pool, pool_workbook


def register(group: click.Group) -> None:
    group.add_command(experts_group)


@click.group("experts", help=_("The expert pool (专家库): import, export and list."))
def experts_group() -> None:
    pass


@experts_group.command("import", help=_("Import the pool from a workbook (all or nothing)."))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help=_("Check the file and report, without writing."))
@db_option
@json_option
def import_command(path: Path, dry_run: bool, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        result = pool_workbook.import_pool(session, path, actor=actor(), dry_run=dry_run)
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(result.summary())
    if dry_run:
        click.echo(_("(dry run: nothing written)"))


@experts_group.command("export", help=_("Export the pool as a workbook in the import format."))
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--no-contact", is_flag=True, help=_("Leave out phone numbers, e-mail and ID tails (personal data)."))
@click.option("--template", is_flag=True, help=_("Write an empty template with an example row instead."))
@db_option
def export_command(path: Path, no_contact: bool, template: bool, db_url: str | None) -> None:
    if template:
        pool_workbook.write_template(path)
        click.echo(_("Template written to {path}").format(path=path))
        return
    with open_db(db_url).session() as session:
        saved, count = pool_workbook.export_pool(session, path, actor=actor(), with_contact=not no_contact)
    click.echo(_("Exported {count} experts to {path}").format(count=count, path=saved))


@experts_group.command("list", help=_("List the experts (contact details only with --contact)."))
@click.option("--search", default="", help=_("Name, unit, speciality or keyword contains this text."))
@click.option("--area", "area_code", help=_("Only experts in this priority area (and its sub-areas)."))
@click.option("--suspended/--active", "suspended", default=None, help=_("Only suspended or only active experts."))
@click.option("--contact", is_flag=True, help=_("Show phone and e-mail (personal data)."))
@db_option
@json_option
def list_command(
    search: str, area_code: str | None, suspended: bool | None, contact: bool, db_url: str | None, as_json: bool
) -> None:
    status = None if suspended is None else (ExpertStatus.SUSPENDED if suspended else ExpertStatus.ACTIVE)
    with open_db(db_url).session() as session:
        rows = pool.list_experts(
            session, text=search, status=status, area_code=area_code, with_contact=contact, with_relations=True
        )
    if as_json:
        emit_json([r.as_json() for r in rows])
        return
    if not rows:
        click.echo(_("No experts match."))
    for r in rows:
        parts = [str(r.id), r.name, r.unit or "—", r.title or "", "、".join(r.area_codes), r.status.label()]
        if r.status is ExpertStatus.SUSPENDED and r.status_reason:
            parts.append(f"({r.status_reason})")
        if contact:
            parts += [r.phone or "", r.email or ""]
        click.echo("  ".join(p for p in parts if p))


@experts_group.command(
    "record", help=_("An expert's service record (staff only): panels, sheets on time or late, declines, offset.")
)
@click.argument("expert")
@db_option
@json_option
def record_command(expert: str, db_url: str | None, as_json: bool) -> None:
    from reviewtool.services.experts.service_record import expert_id_of, service_record

    with open_db(db_url).session() as session:
        record = service_record(session, expert_id_of(session, expert))
    if as_json:
        emit_json(record.as_json())
        return
    click.echo(f"{record.name}（{record.unit or '—'}）")
    click.echo(record.summary())
    for line in record.lines:
        answer = line.invitation.label() + (f" {line.answered_on.isoformat()}" if line.answered_on else "")
        text = _("{batch} / {stage} / {panel}: {answer}; {on_time} on time, {late} late, {missing} missing").format(
            batch=line.batch, stage=line.stage or "—", panel=line.panel, answer=answer, on_time=line.on_time,
            late=line.late, missing=line.missing,
        )  # fmt: skip
        if line.conflicts:
            text += _("; {count} conflicts declared").format(count=line.conflicts)
        if line.declined and line.reason:
            text += f"（{line.reason}）"
        click.echo("  " + text)
