"""``audit list``: the audit log (审计日志) in words, filtered, as text, JSON or Excel.

The ``audit`` group is shared: ``audit verify`` (the hash chain) lives beside
it; whichever module registers first creates the group, the other adds to it.
"""

from __future__ import annotations

from pathlib import Path

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.core.users import Permission
from reviewtool.i18n import _
from reviewtool.services.audit_log.query import AuditFilter, audit_rows, parse_since
from reviewtool.services.audit_log.workbook import export_audit_log
from reviewtool.services.users.permissions import require


def audit_group_of(group: click.Group) -> click.Group:
    """The ``audit`` group of the command line, created when missing."""
    existing = group.commands.get("audit")
    if isinstance(existing, click.Group):
        return existing
    created = click.Group("audit", help=_("The audit trail (审计日志): read it, export it, verify it."))
    group.add_command(created)
    return created


def register(group: click.Group) -> None:
    audit_group_of(group).add_command(list_command)


@click.command("list", help=_("List the audit records, in words: who, when, what, the old and the new value."))
@click.option("--batch", metavar="NAME", help=_("Only this batch's records."))
@click.option("--application", metavar="NUMBER", help=_("Only records about this application (申报编号)."))
@click.option("--expert", metavar="NAME", help=_("Only records naming this expert (name or id)."))
@click.option("--action", metavar="ACTION", help=_("Only this action, or a group of them (e.g. panel, panel.draw)."))
@click.option("--user", "user", metavar="LOGIN", help=_("Only records of this user (the login recorded)."))
@click.option("--since", metavar="DATE", help=_("Only records from this date on (YYYY-MM-DD)."))
@click.option("--until", metavar="DATE", help=_("Only records up to this date (YYYY-MM-DD)."))
@click.option("--limit", type=click.IntRange(1, 1_000_000), help=_("Only the newest N records."))
@click.option("--xlsx", "xlsx", type=click.Path(dir_okay=False, path_type=Path),
              help=_("Also write the records to this Excel file (for 纪检 or an auditor)."))  # fmt: skip
@db_option
@json_option
def list_command(
    batch: str | None,
    application: str | None,
    expert: str | None,
    action: str | None,
    user: str | None,
    since: str | None,
    until: str | None,
    limit: int | None,
    xlsx: Path | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    wanted = AuditFilter(
        batch=batch, application=application, expert=expert, action=action, actor=user, since=parse_since(since),
        until=parse_since(until, "--until"), limit=limit,
    )  # fmt: skip
    with open_db(db_url).session() as session:
        require(session, Permission.READ_AUDIT)
        rows = audit_rows(session, wanted)
        message = export_audit_log(session, xlsx, wanted, actor=actor()).message if xlsx is not None else ""
    if as_json:
        emit_json([row.as_json() for row in rows])
        return
    for row in rows:
        click.echo(f"{row.local_time}  {row.actor}  {row.action_title}  {row.entity}")
        if row.summary:
            click.echo(f"    {row.summary}")
        if row.old:
            click.echo(_("    before: {text}").format(text=row.old))
        if row.new:
            click.echo(_("    after: {text}").format(text=row.new))
    click.echo(_("{count} records.").format(count=len(rows)))
    if message:
        click.echo(message)
