"""``workbooks export|import``: offline scoring workbooks from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.i18n import _
from reviewtool.services import panels
from reviewtool.services import workbooks as service


def register(group: click.Group) -> None:
    group.add_command(workbooks_group)


@click.group("workbooks", help=_("Offline scoring workbooks (离线评审表): one per expert."))
def workbooks_group() -> None:
    pass


@workbooks_group.command("export", help=_("Write one workbook per assigned expert into a folder."))
@click.option("--batch", required=True, metavar="NAME", help=_("The batch's name."))
@click.option("--panel", "panel_name", metavar="NAME", help=_("The panel (when the batch has several)."))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help=_("Folder for the workbooks."))  # fmt: skip
@db_option
@json_option
def export_command(batch: str, panel_name: str | None, out_dir: Path, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        panel = panels.find_panel(session, batch, panel_name)
        files = service.export_workbooks(session, panel.id, out_dir, actor=actor())
    if as_json:
        emit_json([f.as_json() for f in files])
        return
    for f in files:
        click.echo(
            _("{expert}: {count} applications → {path}").format(expert=f.expert, count=f.applications, path=f.path)
        )


@workbooks_group.command("import", help=_("Import returned workbooks (a file or a folder), all checked first."))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--batch", metavar="NAME", help=_("Refuse workbooks of any other batch."))
@click.option("--dry-run", is_flag=True, help=_("Check and show the changes without writing."))
@db_option
@json_option
def import_command(
    paths: tuple[Path, ...], batch: str | None, dry_run: bool, db_url: str | None, as_json: bool
) -> None:
    with open_db(db_url).session() as session:
        batch_id = panels.find_batch(session, batch).id if batch else None
        report = service.import_workbooks(
            session, list(paths), actor=actor(), dry_run=dry_run, expect_batch_id=batch_id
        )
    if as_json:
        emit_json(report.as_json())
    else:
        for f in report.files:
            if not f.ok:
                click.echo(_("✗ {file}").format(file=f.path.name))
                for error in f.errors:
                    click.echo(f"    {error}")
                continue
            click.echo(
                _("✓ {file} ({expert}): {new} new, {updated} updated, {unchanged} unchanged, {blank} blank").format(
                    file=f.path.name,
                    expert=f.expert,
                    new=f.count("new"),
                    updated=f.count("update"),
                    unchanged=f.count("unchanged"),
                    blank=f.count("blank"),
                )  # fmt: skip
            )
            for row in f.rows:
                for key, (old, new) in row.changes.items():
                    if row.action == "update":
                        click.echo(f"    {row.number} {key}: {old} → {new}")
                if row.missing:
                    click.echo(_("    {number}: saved as a draft — {missing}").format(
                        number=row.number, missing="; ".join(row.missing)))  # fmt: skip
        if dry_run:
            click.echo(_("(dry run: nothing written)"))
    if not report.ok:
        raise click.exceptions.Exit(1)
