"""``rubric`` and ``scores``: rubrics (评分标准), score sheets and the ranking from the command line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from reviewtool.cli.common import (
    COUNT_MAX,
    DecimalParam,
    actor,
    batch_option,
    db_option,
    emit_json,
    json_option,
    open_db,
)
from reviewtool.cli.stages import stage_id, stage_option
from reviewtool.core.scoring.maths import flag_label
from reviewtool.core.scoring.rubric import points_text
from reviewtool.i18n import _
from reviewtool.services.scoring import rubric_batches, rubrics
from reviewtool.services.scoring.ranking import RULES, find_batch, ranked_applications
from reviewtool.services.scoring.sheets import list_sheets
from reviewtool.services.stages.stage import find_stage
from reviewtool.storage import models


def register(group: click.Group) -> None:
    group.add_command(rubric_group)
    group.add_command(scores_group)


@click.group("rubric", help=_("Rubrics (评分标准): list, show, import and export."))
def rubric_group() -> None:
    pass


@rubric_group.command("list", help=_("List the rubrics with their latest version."))
@db_option
@json_option
def list_command(db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        rows = rubrics.list_rubrics(session)
    if as_json:
        emit_json([r.as_json() for r in rows])
        return
    if not rows:
        click.echo(_("No rubrics yet; import one with “rubric import FILE”."))
    for r in rows:
        click.echo(
            _("{code}  v{version}  {name}  ({criteria} criteria, {total} points, {sheets} sheets)").format(
                code=r.code,
                version=r.version,
                name=r.name,
                criteria=r.criteria,
                total=points_text(r.total_points),
                sheets=r.sheets,
            )
        )


@rubric_group.command("show", help=_("Show one rubric (latest version unless --version)."))
@click.argument("code")
@click.option("--version", "number", type=click.IntRange(1, COUNT_MAX), help=_("Version number."))
@db_option
@json_option
def show_command(code: str, number: int | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        version = rubrics.get_version(session, code, number)
        spec = rubrics.spec_of_version(version)
        version_number = version.number
    if as_json:
        emit_json({"version": version_number, **spec.as_dict()})
        return
    click.echo(f"{spec.name}  ({spec.code} v{version_number})")
    click.echo(
        _("Total {total} points; step {step}; rounding: {rounding}").format(
            total=points_text(spec.total_points), step=points_text(spec.step), rounding=spec.rounding.describe()
        )
    )
    if spec.veto_items:
        click.echo(_("Veto items (一票否决):"))
        for v in spec.veto_items:
            click.echo(f"  {v.key}  {v.question}")
    for group, criteria in spec.groups():
        if group:
            click.echo(f"【{group}】")
        for c in criteria:
            weight = _(" × weight {weight}").format(weight=points_text(c.weight)) if c.weight is not None else ""
            click.echo(f"  {c.key}  {c.title}  ({points_text(c.max_points)}{weight})")
            for b in c.bands:
                click.echo(f"      {b.label:<4} {points_text(b.low)}–{points_text(b.high)}  {b.descriptor}")


@rubric_group.command("export", help=_("Write a rubric to a YAML or Excel (.xlsx) file."))
@click.argument("code")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", "number", type=click.IntRange(1, COUNT_MAX), help=_("Version number."))
@click.option("--format", "fmt", type=click.Choice(["yaml", "xlsx"]), help=_("File format (default: by suffix)."))
@db_option
@json_option
def export_command(
    code: str, path: Path, number: int | None, fmt: str | None, db_url: str | None, as_json: bool
) -> None:
    with open_db(db_url).session() as session:
        written = rubrics.export_rubric(session, code, path, number=number, fmt=fmt)
    if as_json:
        emit_json({"code": code, "path": str(written)})
        return
    click.echo(_("Wrote {path}").format(path=written))


@rubric_group.command(
    "import", help=_("Import a rubric from a YAML or Excel file (validated first; nothing changes on error).")
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@json_option
def import_command(path: Path, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        result = rubrics.import_rubric(session, path, actor=actor())
        code = session.get(models.Rubric, result.rubric_id).code
    if as_json:
        emit_json({"code": code, **result.as_json()})
        return
    if not result.changed:
        click.echo(_("{code} is unchanged (version {version}).").format(code=code, version=result.version))
    elif result.created_version and not result.created_rubric:
        click.echo(
            _("{code}: version {version} created (earlier versions are used by score sheets).").format(
                code=code, version=result.version
            )
        )
    else:
        click.echo(_("{code}: version {version} saved.").format(code=code, version=result.version))


@rubric_group.command("attach", help=_("Use a rubric for a batch, optionally only for some categories or areas."))
@click.argument("code")
@batch_option
@click.option("--category", "categories", multiple=True, help=_("Only applications of this category (repeatable)."))
@click.option("--area", "areas", multiple=True, help=_("Only applications in this area or below it (repeatable)."))
@click.option("--priority", type=click.IntRange(-COUNT_MAX, COUNT_MAX), help=_("Higher priorities are tried first."))
@click.option("--stage", "stage", metavar="NAME",
              help=_("Only for this review stage, e.g. 会议评审 (default: every stage of the batch)."))  # fmt: skip
@db_option
@json_option
def attach_command(code, batch_name, categories, areas, priority, stage, db_url, as_json) -> None:
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        rubric_batches.attach_rubric(
            session,
            batch.id,
            code,
            actor=actor(),
            categories=list(categories),
            area_codes=list(areas),
            priority=priority,
            stage_id=find_stage(session, batch.id, stage).id if stage else None,
        )
        rows = rubric_batches.batch_rubrics(session, batch.id)
    if as_json:
        emit_json(
            [
                {
                    "rubric": r.rubric_code,
                    "priority": r.priority,
                    "categories": r.categories,
                    "area_codes": r.area_codes,
                    "stage": r.stage,
                }
                for r in rows
            ]
        )
        return
    for r in rows:
        scope = "；".join(list(r.categories) + list(r.area_codes)) or _("all applications")
        click.echo(f"{r.priority:>3}  {r.rubric_code}  {scope}" + (f"  [{r.stage}]" if r.stage else ""))


@click.group("scores", help=_("Score sheets and panel results."))
def scores_group() -> None:
    pass


def _fmt(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@scores_group.command("export", help=_("Print every score sheet of a review stage of a batch and its panel results."))
@batch_option
@stage_option
@db_option
@json_option
def scores_export_command(batch_name: str, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        stage = stage_id(session, batch.id)
        sheets = list_sheets(session, batch_id=batch.id, stage_id=stage)
        view = ranked_applications(session, batch.id, stage_id=stage)
    if as_json:
        emit_json(
            {
                "batch": batch_name,
                "stage": view.stage,
                "sheets": [s.as_json() for s in sheets],
                "results": view.as_json(),
            }
        )
        return
    for s in sheets:
        click.echo(
            f"{s.application_number}  {s.reviewer_name}  {s.status.label()}  {_fmt(s.total)}"
            f"  {s.data.opinion.label() if s.data.opinion else '—'}"
        )
    _print_ranking(view)


@scores_group.command("ranking", help=_("Print the ranked view of a review stage, or (--final) the final ranking."))
@batch_option
@stage_option
@click.option("--final", "final", is_flag=True,
              help=_("The final ranking up to the stage, under the batch's final-score rule."))  # fmt: skip
@click.option("--rule", type=click.Choice(RULES), default="final", show_default=True, help=_("Figure to rank on."))
@click.option("--area", "area_code", help=_("Only applications in this priority area or below it."))
@click.option(
    "--threshold", type=DecimalParam(0, 10000, places=4), help=_("Recommendation threshold (default: the batch's, 70).")
)
@db_option
@json_option
def ranking_command(batch_name, final, rule, area_code, threshold, db_url, as_json) -> None:
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        view = ranked_applications(
            session, batch.id, rule=rule, area_code=area_code, threshold=threshold,
            stage_id=stage_id(session, batch.id), final=final,
        )  # fmt: skip
    if as_json:
        emit_json(view.as_json())
        return
    _print_ranking(view)


def _print_ranking(view) -> None:
    click.echo(view.basis)
    click.echo(
        _("Threshold {threshold}; {count} recommended. {tie_break}").format(
            threshold=points_text(view.threshold), count=view.recommended_count, tie_break=view.tie_break
        )
    )
    for r in view.rows:
        mark = _("recommended") if r.recommended else ""
        flags = "、".join(flag_label(f) for f in r.flags)
        stopped = "，" + _("not promoted") if r.stopped else ""
        where = f"  [{r.stage}{stopped}]" if view.final else ""
        click.echo(
            f"{r.position or '—':>3}  {r.number}  {_fmt(r.score)}  ({r.rule_label}, {r.sheet_count})  {mark}  {flags}"
            f"{where}  {r.title}"
        )
