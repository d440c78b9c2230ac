"""``my-reviews``: an expert's own assignments (我的评审), an application's summary, and the
stage's 回避 declaration and 保密承诺 — what the 我的评审 page shows, for a logged-in expert.

Without local users (an SQLite file nobody logs in to) ``--expert ID`` names the expert."""

from __future__ import annotations

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.core.errors import NotFound, UserError
from reviewtool.i18n import _
from reviewtool.services.my_reviews import declarations, workspace


def register(group: click.Group) -> None:
    group.add_command(my_reviews_group)


@click.group("my-reviews", help=_("An expert's own reviews (我的评审): assignments, summaries, declarations."))
def my_reviews_group() -> None:
    pass


expert_option = click.option(
    "--expert", "expert_id", type=int, metavar="ID", help=_("The expert (only without logging in; default: you).")
)
stage_option = click.option(
    "--stage-id", "stage_id", type=int, metavar="ID", help=_("The review stage's id (default: the current one).")
)


def _find(stages, number: str, stage_id: int | None):
    """(stage, assignment) of the expert's application ``number`` (the current stage first)."""
    ordered = sorted(stages, key=lambda s: (not s.current, -s.stage_id))
    for stage in ordered:
        if stage_id is not None and stage.stage_id != stage_id:
            continue
        for item in stage.assignments:
            if item.number == number:
                return stage, item
    raise NotFound(_("{number} is not one of your assignments.").format(number=number))


def _stage(stages, stage_id: int | None):
    if stage_id is not None:
        for stage in stages:
            if stage.stage_id == stage_id:
                return stage
        raise NotFound(_("You have no assignments in stage {id}.").format(id=stage_id))
    current = [s for s in stages if s.current and not s.finalised] or [s for s in stages if not s.finalised]
    if not current:
        raise NotFound(_("You have no assignments in an open review stage."))
    return current[0]


@my_reviews_group.command("list", help=_("List your assignments by review stage, with your own sheets."))
@expert_option
@db_option
@json_option
def list_command(expert_id: int | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        stages = workspace.my_stages(session, expert_id)
    if as_json:
        emit_json([s.as_json() for s in stages])
        return
    if not stages:
        click.echo(_("You have no assignments."))
    for stage in stages:
        mark = _(" (current)") if stage.current else ""
        state = _("declarations accepted") if stage.declared else _("declarations not yet accepted")
        click.echo(f"[{stage.stage_id}] {stage.title}{mark} · {state}")
        for item in stage.assignments:
            total = "" if item.total is None else f" · {item.total}"
            click.echo(f"  {item.number}  {item.title}  {item.unit}  · {item.state}{total}")


@my_reviews_group.command("show", help=_("Show the summary of one of your applications."))
@click.argument("number")
@stage_option
@expert_option
@db_option
@json_option
def show_command(number: str, stage_id: int | None, expert_id: int | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        stage, item = _find(workspace.my_stages(session, expert_id), number, stage_id)
        summary = workspace.summary(session, stage.stage_id, item.application_id, expert_id)
    if as_json:
        emit_json({**summary.as_json(), "stage_id": stage.stage_id, "state": item.state})
        return
    click.echo(f"{summary.number}  {summary.title}")
    click.echo(_("Unit: {unit}").format(unit=summary.unit))
    click.echo(summary.abstract or _("(no abstract)"))
    for _id, kind, filename in summary.attachments:
        click.echo(f"  · {filename}（{kind}）")


@my_reviews_group.command(
    "declare",
    help=_(
        "Make the stage's declarations before scoring: name each application to avoid with --avoid NUMBER=REASON, "
        "or --no-conflict; and accept the confidentiality commitment (--accept-confidentiality)."
    ),
)
@stage_option
@click.option("--avoid", "avoid", multiple=True, metavar="NUMBER=REASON", help=_("An application you must avoid."))
@click.option("--no-conflict", "no_conflict", is_flag=True, help=_("Declare that you have no conflict."))
@click.option(
    "--accept-confidentiality", "confidentiality", is_flag=True, help=_("Accept the confidentiality commitment.")
)
@expert_option
@db_option
@json_option
def declare_command(
    stage_id: int | None,
    avoid: tuple[str, ...],
    no_conflict: bool,
    confidentiality: bool,
    expert_id: int | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    if bool(avoid) == no_conflict:
        raise UserError(_("Give either --avoid NUMBER=REASON (once per application) or --no-conflict."))
    database = open_db(db_url)
    with database.session() as session:
        stages = workspace.my_stages(session, expert_id)
        stage = _stage(stages, stage_id)
        conflicts = {}
        for item in avoid:
            number, sep, reason = item.partition("=")
            if not sep:
                raise UserError(_("--avoid {value}: write NUMBER=REASON.").format(value=item))
            _s, found = _find([stage], number.strip(), stage.stage_id)
            conflicts[found.application_id] = reason
        changes = declarations.accept_declarations(
            session,
            stage.stage_id,
            conflicts=conflicts,
            confidentiality=confidentiality,
            actor=actor(),
            expert_id=expert_id,
        )
        declared = declarations.declaration_of(session, stage.stage_id, expert_id)
    if as_json:
        emit_json({"ok": True, "message": changes.message, **declared.as_json()})
    else:
        click.echo(changes.message)
