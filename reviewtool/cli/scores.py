"""``scores export|ranking``: score sheets and panel results of a batch."""

from __future__ import annotations

from decimal import Decimal

import click

from reviewtool.cli.common import batch_option, db_option, emit_json, json_option, open_db
from reviewtool.core.rubric import points_text
from reviewtool.core.scoring import flag_label
from reviewtool.i18n import _
from reviewtool.services.ranking import RULES, find_batch, ranked_applications
from reviewtool.services.scoresheets import list_sheets


def register(group: click.Group) -> None:
    group.add_command(scores_group)


@click.group("scores", help=_("Score sheets and panel results."))
def scores_group() -> None:
    pass


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@scores_group.command("export", help=_("Print every score sheet of a batch and the panel results."))
@batch_option
@db_option
@json_option
def export_command(batch_name: str, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        sheets = list_sheets(session, batch_id=batch.id)
        view = ranked_applications(session, batch.id)
    if as_json:
        emit_json({"batch": batch_name, "sheets": [s.as_json() for s in sheets], "results": view.as_json()})
        return
    for s in sheets:
        click.echo(
            f"{s.application_number}  {s.reviewer_name}  {s.status.label()}  {_fmt(s.total)}"
            f"  {s.data.opinion.label() if s.data.opinion else '—'}"
        )
    _print_ranking(view)


@scores_group.command("ranking", help=_("Print the ranked view of a batch."))
@batch_option
@click.option("--rule", type=click.Choice(RULES), default="final", show_default=True, help=_("Figure to rank on."))
@click.option("--area", "area_code", help=_("Only applications in this priority area or below it."))
@click.option("--threshold", type=Decimal, help=_("Recommendation threshold (default: the batch's, 70)."))
@db_option
@json_option
def ranking_command(batch_name, rule, area_code, threshold, db_url, as_json) -> None:
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        view = ranked_applications(session, batch.id, rule=rule, area_code=area_code, threshold=threshold)
    if as_json:
        emit_json(view.as_json())
        return
    _print_ranking(view)


def _print_ranking(view) -> None:
    click.echo(
        _("Threshold {threshold}; {count} recommended. {tie_break}").format(
            threshold=points_text(view.threshold), count=view.recommended_count, tie_break=view.tie_break
        )
    )
    for r in view.rows:
        mark = _("recommended") if r.recommended else ""
        flags = "、".join(flag_label(f) for f in r.flags)
        click.echo(
            f"{r.position or '—':>3}  {r.number}  {_fmt(r.score)}  ({r.rule_label}, {r.sheet_count})  {mark}  {flags}"
            f"  {r.title}"
        )
