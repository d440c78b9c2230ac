"""``backup FILE``: a consistent copy of the SQLite database, safe while the app is open."""

from __future__ import annotations

from pathlib import Path

import click

from reviewtool.cli.common import db_option, emit_json, json_option
from reviewtool.i18n import _
from reviewtool.services import backup as service


def register(group: click.Group) -> None:
    group.add_command(backup_command)


@click.command(
    "backup",
    help=_(
        "Copy the SQLite database to FILE, consistently, even while the app is open "
        "(SQLite's online backup; the copy is checked before it gets its name). "
        "Restore by copying the file back while the app is closed. "
        "For PostgreSQL use pg_dump."
    ),
)
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help=_("Replace FILE if it exists."))
@db_option
@json_option
def backup_command(path: Path, force: bool, db_url: str | None, as_json: bool) -> None:
    ctx = click.get_current_context()
    if db_url is None and ctx.obj:  # the group's --db
        db_url = ctx.obj.get("db_url")
    result = service.backup_database(db_url, path, force=force)
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(
        _("Backup of {source} written to {path} ({size} bytes); integrity check: {check}.").format(
            source=result.source, path=result.path, size=f"{result.size:,}", check=result.integrity_check
        )
    )
