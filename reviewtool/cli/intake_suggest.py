"""``suggest-areas``: suggested priority areas, with how sure they are and why,
for one title or for every row of a workbook (``--from``).

One title on an SQLite file that nothing has written to since the last call
answers from the cached model without opening the database
(``services.intake.suggest_cache``): no SQLAlchemy, no ORM models. Every
other call opens it (``open_db``: upgrade, login) and stamps the file for the
next one."""

from __future__ import annotations

from pathlib import Path

import click

from reviewtool.cli.options import chosen_db_url, db_option, emit_json, json_option
from reviewtool.core.errors import UserError
from reviewtool.i18n import N_, _

CONFIDENCE_LABELS = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}


def _print(title: str, answer, *, row: int | None = None) -> None:
    head = _("row {row}: ").format(row=row) if row is not None else ""
    click.echo(
        _("{head}{title} — confidence: {confidence}").format(
            head=head, title=title, confidence=_(CONFIDENCE_LABELS[answer.confidence])
        )
    )
    if answer.confidence == "low":
        click.echo("  " + _("No area of the plan clearly fits; the suggestions below are guesses."))
    for suggestion in answer.suggestions:
        click.echo(
            f"  {suggestion.code:<9} {suggestion.score:.4f}  {suggestion.title}  [{'、'.join(suggestion.reasons)}]"
        )


@click.command("suggest-areas", help=_("Suggest priority areas for a title and abstract, or for every row of a file."))
@click.option("--title", help=_("Project title."))
@click.option("--abstract", default="", help=_("Abstract (主要研究内容)."))
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False),
    help=_("A workbook or CSV: one answer per data row (项目名称, optional 主要研究内容)."),
)
@click.option("--sheet", metavar="NAME", help=_("With --from: read this sheet."))
@click.option("--limit", default=3, show_default=True, type=click.IntRange(1, 50), help=_("How many to list."))
@db_option
@json_option
def suggest_command(
    title: str | None,
    abstract: str,
    from_file: str | None,
    sheet: str | None,
    limit: int,
    db_url: str | None,
    as_json: bool,
) -> None:
    if bool(title) == bool(from_file):
        raise click.UsageError(_("Give either --title or --from."))
    if title:
        from reviewtool.services.intake.suggest_cache import quick_suggester

        if not title.strip():
            raise UserError(_("A title is needed to suggest priority areas."))
        quick = quick_suggester(chosen_db_url(db_url))
        if quick is not None:
            _answer(title, quick.answer(title, abstract, limit=limit), as_json)
            return
    from reviewtool.cli.common import open_db

    database = open_db(db_url)
    if from_file:
        _from_file(database, from_file, sheet, limit, as_json)
        return
    from reviewtool.services.intake.suggest_cache import remember
    from reviewtool.services.intake.suggest_model import model_key
    from reviewtool.services.intake.tagging import suggest_answer
    from reviewtool.services.users.login import needs_local_login

    with database.session() as session:
        answer = suggest_answer(session, title, abstract, limit=limit)
        key = model_key(session)
    if database.is_sqlite and not needs_local_login(database):
        database.dispose()  # closed first: the stamp is the file's state with nobody connected
        remember(Path(database.engine.url.database).resolve(), key)
    _answer(title, answer, as_json)


def _from_file(database, from_file: str, sheet: str | None, limit: int, as_json: bool) -> None:
    """One answer per row; with ``--json`` a file that cannot be read (or has no title) is reported as
    ``{"file", "error"}`` on standard output with exit status 1, as ``import --json`` reports a refused file."""
    from reviewtool.services.intake.suggest_file import suggest_for_file

    name = click.format_filename(from_file)
    try:
        with database.session() as session:
            answers = suggest_for_file(session, from_file, sheet=sheet, limit=limit)
        if not answers:
            raise UserError(_("{file}: no row has a project title.").format(file=name))
    except UserError as exc:
        if not as_json:
            raise
        emit_json({"file": name, "error": str(exc)})
        click.get_current_context().exit(1)
    if as_json:
        emit_json([a.as_json() for a in answers])
        return
    for found in answers:
        _print(found.title, found.answer, row=found.row)


def _answer(title: str, answer, as_json: bool) -> None:
    if as_json:
        emit_json({"title": title, **answer.as_json()})
        return
    _print(title, answer)


def register(group: click.Group) -> None:
    group.add_command(suggest_command)
