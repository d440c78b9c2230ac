"""``batch``: calls for applications (申报批次) and their review rules from the command line."""

from __future__ import annotations

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.core.batches import LENGTH_RULE_WARN, LENGTH_RULES, label
from reviewtool.i18n import _
from reviewtool.services.batches import batch as batches
from reviewtool.services.batches.stage import review_stage


def warn_if_draft(session, batch_id: int, stage_id: int | None = None) -> bool:
    """Print one warning line (stderr) when the batch's review (up to a stage) is not final; whether it is a draft."""
    stage = review_stage(session, batch_id, stage_id)
    if stage.draft:
        click.echo(_("Warning: {message}").format(message=stage.warning()), err=True)
    return stage.draft


def register(group: click.Group) -> None:
    group.add_command(batch_group)


@click.group("batch", help=_("Calls for applications (申报批次): create, edit, list, close, reopen."))
def batch_group() -> None:
    pass


def _field_options(command):
    """One option per editable field; each is left unchanged when not given."""
    options = (
        ("--year", "year", _("Year of the call, e.g. 2026.")),
        ("--deadline", "deadline", _("Deadline for applications (YYYY-MM-DD).")),
        ("--budget", "budget", _("Budget in 10k yuan ('none' to clear).")),
        ("--threshold", "threshold", _("Pass mark (default 70).")),
        ("--min-sheets", "min_sheets", _("Fewest valid sheets before a score counts (default 3).")),
        (
            "--trimmed-min",
            "trimmed_min_sheets",
            _("Drop the highest and lowest total from this many sheets (default 5)."),
        ),
        ("--spread", "spread_threshold", _("Spread that puts an application on the discussion queue (default 20).")),
        ("--category", "category", _("Programme (计划类别).")),
        ("--description", "description", _("Free description.")),
        (
            "--money-ceiling",
            "money_ceiling",
            _("Import: refuse an amount above this many 10k yuan (default 100000; 'none' for the default)."),
        ),
    )
    command = click.option(
        "--title-length-rule",
        "title_length_rule",
        type=click.Choice(list(LENGTH_RULES)),
        help=_("Import: warn on titles over 30 and unit names over 20 Chinese characters (warn), or not (off)."),
    )(command)
    for flag, name, help_text in reversed(options):
        command = click.option(flag, name, metavar="VALUE", help=help_text)(command)
    return command


def _values(**given) -> dict:
    values = {}
    for key, value in given.items():
        if value is None:
            continue
        cleared = key in ("budget", "money_ceiling") and value.strip().lower() == "none"
        values[key] = None if cleared else value
    return values


def _print_row(row: batches.BatchRow) -> None:
    state = _("closed") if row.closed else _("open")
    click.echo(f"{row.id:>3}  {row.name}  ({state})")
    budget = "—" if row.budget is None else f"{row.budget:,.2f}"
    click.echo(
        "     "
        + _(
            "year {year}, deadline {deadline}, budget {budget}; pass mark {threshold}, at least {min} sheets, "
            "trimmed from {trim}, spread {spread}"
        ).format(
            year=row.year or "—",
            deadline=row.deadline or "—",
            budget=budget,
            threshold=format(row.threshold.normalize(), "f"),
            min=row.min_sheets,
            trim=row.trimmed_min_sheets,
            spread=format(row.spread_threshold.normalize(), "f"),
        )
    )
    click.echo(
        "     "
        + _("import: at most {ceiling} (10k yuan) per amount; name length rule: {rule}").format(
            ceiling=format(row.money_ceiling.normalize(), "f"),
            rule=_("warn") if row.title_length_rule == LENGTH_RULE_WARN else _("off"),
        )
    )
    click.echo(
        "     "
        + _("{apps} applications, {finalised}/{panels} panels finalised; rubrics: {rubrics}").format(
            apps=row.applications,
            finalised=row.finalised_panels,
            panels=row.panels,
            rubrics="、".join(row.rubrics) or "—",
        )
    )


@batch_group.command("add", help=_("Create a batch (the rules default to pass mark 70, 3 sheets, trimming from 5)."))
@click.argument("name")
@_field_options
@db_option
@json_option
def add_command(name, db_url, as_json, **fields):
    with open_db(db_url).session() as session:
        batch_id, changes = batches.create_batch(session, {"name": name, **_values(**fields)}, actor=actor())
        row = batches.batch_row(session, batch_id)
    if as_json:
        emit_json(row.as_json())
    else:
        click.echo(changes.message)
        _print_row(row)


@batch_group.command("edit", help=_("Change a batch's fields and rules (only the options given)."))
@click.argument("batch")
@click.option("--name", "new_name", metavar="NAME", help=_("A new name."))
@_field_options
@db_option
@json_option
def edit_command(batch, new_name, db_url, as_json, **fields):
    values = _values(**fields)
    if new_name is not None:
        values["name"] = new_name
    with open_db(db_url).session() as session:
        found = batches.find_batch(session, batch)
        changes = batches.update_batch(session, found.id, values, actor=actor())
        row = batches.batch_row(session, found.id)
    if as_json:
        emit_json({**row.as_json(), "changed": changes.any()})
        return
    click.echo(changes.message or _("Nothing changed."))
    if changes.details.get("recomputed"):
        click.echo(_("Recomputed the results of {count} applications.").format(count=changes.details["recomputed"]))
    _print_row(row)


@batch_group.command("list", help=_("List the batches, newest first."))
@click.option("--open", "open_only", is_flag=True, help=_("Only open batches."))
@db_option
@json_option
def list_command(open_only, db_url, as_json):
    with open_db(db_url).session() as session:
        rows = batches.list_open_batches(session) if open_only else batches.batch_rows(session)
    if as_json:
        emit_json([r.as_json() for r in rows])
        return
    if not rows:
        click.echo(_("No batch yet: create one with `reviewtool-cli batch add NAME`."))
    for row in rows:
        _print_row(row)


@batch_group.command("show", help=_("Show one batch: its fields, rules, rubrics and review stage."))
@click.argument("batch")
@db_option
@json_option
def show_command(batch, db_url, as_json):
    with open_db(db_url).session() as session:
        found = batches.find_batch(session, batch)
        row = batches.batch_row(session, found.id)
        stage = review_stage(session, found.id)
    if as_json:
        emit_json({**row.as_json(), "stage": stage.as_json()})
        return
    _print_row(row)
    if row.description:
        click.echo(f"     {label('description')}: {row.description}")
    click.echo("     " + (stage.warning() or _("Every panel is finalised; the results are final.")))


@batch_group.command("close", help=_("Close a batch: no more imports or edits of its rules and funding."))
@click.argument("batch")
@click.option("--reason", default="", help=_("Why (kept in the audit trail)."))
@db_option
@json_option
def close_command(batch, reason, db_url, as_json):
    with open_db(db_url).session() as session:
        found = batches.find_batch(session, batch)
        changes = batches.close_batch(session, found.id, actor=actor(), reason=reason)
        row = batches.batch_row(session, found.id)
    if as_json:
        emit_json({**row.as_json(), "changed": changes.any()})
    else:
        click.echo(changes.message or _("Nothing changed."))


@batch_group.command("reopen", help=_("Reopen a closed batch (a reason is required)."))
@click.argument("batch")
@click.option("--reason", required=True, help=_("Why (kept in the audit trail)."))
@db_option
@json_option
def reopen_command(batch, reason, db_url, as_json):
    with open_db(db_url).session() as session:
        found = batches.find_batch(session, batch)
        changes = batches.reopen_batch(session, found.id, actor=actor(), reason=reason)
        row = batches.batch_row(session, found.id)
    if as_json:
        emit_json({**row.as_json(), "changed": changes.any()})
    else:
        click.echo(changes.message or _("Nothing changed."))
