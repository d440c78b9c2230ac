"""``suggest-areas``: suggested priority areas, with how sure they are and why,
for one title or for every row of a workbook (``--from``)."""

from __future__ import annotations

import click

from reviewtool.cli.common import db_option, emit_json, json_option, open_db
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
    database = open_db(db_url)
    if from_file:
        from reviewtool.services.intake.suggest_file import suggest_for_file

        with database.session() as session:
            answers = suggest_for_file(session, from_file, sheet=sheet, limit=limit)
        if as_json:
            emit_json([a.as_json() for a in answers])
            return
        if not answers:
            raise UserError(_("{file}: no row has a project title.").format(file=click.format_filename(from_file)))
        for found in answers:
            _print(found.title, found.answer, row=found.row)
        return
    from reviewtool.services.intake.tagging import suggest_answer

    with database.session() as session:
        answer = suggest_answer(session, title, abstract, limit=limit)
    if as_json:
        emit_json({"title": title, **answer.as_json()})
        return
    _print(title, answer)


def register(group: click.Group) -> None:
    group.add_command(suggest_command)
