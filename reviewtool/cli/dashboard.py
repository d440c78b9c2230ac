"""``dashboard``: where a batch's call stands (批次进度), step by step, with what
to do next; ``reminders``: the experts with sheets due or overdue, with their
phone numbers (staff only), and the call list as Excel."""

from __future__ import annotations

from pathlib import Path

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.i18n import _
from reviewtool.services.dashboard.progress import dashboard
from reviewtool.services.dashboard.reminders import export_call_list, reminders


def register(group: click.Group) -> None:
    group.add_command(dashboard_command)
    group.add_command(reminders_command)


@click.command("dashboard", help=_("Where a batch's call stands, step by step, and what to do next (批次进度)."))
@click.option("--batch", required=True, metavar="NAME", help=_("The batch's name."))
@db_option
@json_option
def dashboard_command(batch: str, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        board = dashboard(session, batch)
    if as_json:
        emit_json(board.as_json())
        return
    click.echo(board.batch)
    marks = {"done": "✓", "doing": "…", "todo": "○", "waiting": "·"}
    for step in board.steps:
        click.echo(f"{marks[step.state]} {step.title}（{step.state_label}）：{step.summary}")
        if step.next:
            click.echo("    → " + step.next)


@click.command("reminders", help=_("Experts with sheets due or overdue, their phone and what is missing (staff only)."))
@click.option("--batch", required=True, metavar="NAME", help=_("The batch's name."))
@click.option(
    "--xlsx", type=click.Path(dir_okay=False, path_type=Path), help=_("Also write the call list to this Excel file.")
)
@db_option
@json_option
def reminders_command(batch: str, xlsx: Path | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        rows = reminders(session, batch)
        message = export_call_list(session, batch, xlsx, actor=actor()).message if xlsx is not None else ""
    if as_json:
        emit_json([r.as_json() for r in rows])
        return
    for r in rows:
        late = _(" (overdue)") if r.overdue else ""
        click.echo(f"{r.name}  {r.phone or '—'}  {r.stage}/{r.panel}{late}：{r.what()}")
    click.echo(_("{count} experts to remind.").format(count=len(rows)))
    if message:
        click.echo(message)
