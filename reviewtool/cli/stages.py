"""``stage``: a batch's review stages (评审阶段) — list, add, promote, finalise,
reopen, the final-score rule and the stage settings — and the ``--stage``
option every panel, workbook, scores, export and funding command takes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import click

from reviewtool.cli.common import DecimalParam, actor, db_option, emit_json, json_option, open_db
from reviewtool.core.enums import PanelMode
from reviewtool.core.errors import UserError
from reviewtool.core.scoring.rubric import figure_text
from reviewtool.i18n import _
from reviewtool.services.my_reviews.workspace import allowed_attachment_kinds
from reviewtool.services.stages import expert_attachments, finalise, promotion, visibility
from reviewtool.services.stages import stage as stages
from reviewtool.services.stages.standing import final_rule

STAGE_KEY = "reviewtool.stage"


def _remember(ctx: click.Context, _param, value: str | None) -> str | None:
    ctx.meta[STAGE_KEY] = value
    return value


def stage_option(command: Callable) -> Callable:
    """``--stage NAME``: the review stage the command works on (default: the batch's current stage).
    Read it with ``chosen_stage()``."""
    return click.option(
        "--stage",
        metavar="NAME",
        expose_value=False,
        callback=_remember,
        help=_("The review stage (评审阶段), e.g. 会议评审 (default: the batch's current stage)."),
    )(command)


def chosen_stage() -> str | None:
    """The ``--stage`` given to the running command (``None``: the batch's current stage)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get(STAGE_KEY) if ctx is not None else None


def stage_id(session, batch: str | int) -> int:
    """The id of the ``--stage`` given (or of the batch's current stage)."""
    return stages.find_stage(session, batch, chosen_stage()).id


def register(group: click.Group) -> None:
    group.add_command(stage_group)


@click.group("stage", help=_("Review stages (评审阶段): list, add, promote, finalise."))
def stage_group() -> None:
    pass


batch_option = click.option("--batch", "batch", required=True, metavar="NAME", help=_("The batch's name."))


def _print_stages(rows) -> None:
    for row in rows:
        mark = "*" if row.current else " "
        weight = _(" weight {w}%").format(w=row.weight) if row.weight else ""
        click.echo(
            _(
                "{mark}{order}. {name}  {kind} · {mode} · {status} · {count} applications · {panels} panels{weight}"
            ).format(
                mark=mark,
                order=row.order,
                name=row.name,
                kind=row.kind.label(),
                mode=row.mode.label(),
                status=row.status.label(),
                count=row.applications,
                panels=row.panels,
                weight=weight,
            )  # fmt: skip
        )


@stage_group.command("list", help=_("The batch's review stages in order (* marks the current one)."))
@batch_option
@db_option
@json_option
def list_command(batch: str, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        rows = stages.list_stages(session, batch)
        found = stages.find_batch(session, batch)
        rule = final_rule(found).text([r.name for r in rows if r.kind.value == "expert"])
    if as_json:
        emit_json([r.as_json() for r in rows])
        return
    _print_stages(rows)
    click.echo(rule)


@stage_group.command("add", help=_("Add an expert review stage (at the end, or after another stage)."))
@batch_option
@click.option("--name", required=True, help=_("The stage's name, e.g. 会议评审 or 复审."))
@click.option("--mode", type=click.Choice([m.value for m in PanelMode]), default=PanelMode.MEETING.value,
              show_default=True, help=_("remote: 网络评审; meeting: 会议评审."))  # fmt: skip
@click.option("--after", metavar="STAGE", help=_("Put it right after this stage (default: at the end)."))
@db_option
@json_option
def add_command(batch: str, name: str, mode: str, after: str | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        _id, changes = stages.add_stage(session, batch, name, actor=actor(), mode=PanelMode(mode), after=after)
        rows = stages.list_stages(session, batch)
    if as_json:
        emit_json([r.as_json() for r in rows])
        return
    click.echo(changes.message)
    _print_stages(rows)


def _numbers(text: str | None) -> list[str] | None:
    found = [n.strip() for n in (text or "").replace("，", ",").split(",") if n.strip()]
    return found or None


@stage_group.command("promote", help=_("Promote applications from a stage to the next: the top N, a minimum score, "
                                       "or by hand with a reason. --preview shows the result without storing it."))  # fmt: skip
@batch_option
@click.option("--from", "source", metavar="STAGE", help=_("The stage they go on from (default: the current stage)."))
@click.option("--top", type=click.IntRange(1, 100_000), help=_("Promote the first N of the stage's ranking."))
@click.option(
    "--min-score", type=DecimalParam(0, 10000, places=4), help=_("Promote every application at or above this score.")
)
@click.option(
    "--applications",
    "numbers",
    metavar="NUMBERS",
    help=_("Promote these applications (numbers separated by commas), with --reason."),
)
@click.option("--reason", default="", help=_("Why they were chosen by hand."))
@click.option("--preview", is_flag=True, help=_("Show who would go on, without storing it."))
@db_option
@json_option
def promote_command(
    batch: str, source: str | None, top: int | None, min_score: Decimal | None, numbers: str | None, reason: str,
    preview: bool, db_url: str | None, as_json: bool,
) -> None:  # fmt: skip
    given = sum(x is not None for x in (top, min_score, _numbers(numbers)))
    if given != 1:
        raise click.UsageError(_("Give exactly one of --top, --min-score or --applications."))
    rule = {"top": top, "min_score": min_score, "numbers": _numbers(numbers), "reason": reason}
    with open_db(db_url).session() as session:
        if preview:
            result = promotion.preview_promotion(session, batch, source, **rule)
        else:
            result, _changes = promotion.apply_promotion(session, batch, source, actor=actor(), **rule)
    if as_json:
        emit_json(result.as_json())
        return
    click.echo(result.rule)
    click.echo(_("Promoted to {stage} ({count}):").format(stage=result.target, count=len(result.promoted)))
    for c in result.promoted:
        click.echo(f"  {c.position or '-':>3}  {c.number}  {figure_text(c.score) or '—'}  {c.title}")
    click.echo(_("Not promoted ({count}):").format(count=len(result.not_promoted)))
    for c in result.not_promoted:
        note = f"  ({c.reason})" if c.reason else ""
        click.echo(f"  {c.position or '-':>3}  {c.number}  {figure_text(c.score) or '—'}  {c.title}{note}")
    for warning in result.warnings:
        click.echo(_("Warning: {message}").format(message=warning), err=True)
    if preview:
        click.echo(_("(preview: nothing stored)"))


@stage_group.command(
    "finalize", help=_("Finalise a stage: its open panels are finalised, then applications can go on.")
)
@batch_option
@click.option("--stage", "stage", metavar="NAME", help=_("The stage (default: the batch's current stage)."))
@click.option("--allow-missing", is_flag=True, help=_("Finalise its panels even with sheets not submitted."))
@db_option
@json_option
def finalize_command(batch: str, stage: str | None, allow_missing: bool, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        stage_id = stages.find_stage(session, batch, stage).id
        changes = finalise.finalize_stage(session, batch, stage_id, actor=actor(), allow_missing=allow_missing)
        shown = _stage_json(session, batch, stage_id, changes.message)
    _echo(shown, as_json)


def _stage_json(session, batch: str, stage_id: int, message: str) -> dict:
    """One stage as ``stage list --json`` prints it, with the message of what was done."""
    row = next(r for r in stages.list_stages(session, batch) if r.id == stage_id)
    return {**row.as_json(), "message": message}


def _echo(shown: dict, as_json: bool) -> None:
    if as_json:
        emit_json(shown)
    else:
        click.echo(shown["message"])


@stage_group.command("reopen", help=_("Reopen a finalised stage (the reason is recorded)."))
@batch_option
@click.option("--stage", "stage", required=True, metavar="NAME", help=_("The stage to reopen."))
@click.option("--reason", required=True, help=_("Why it is reopened."))
@db_option
@json_option
def reopen_command(batch: str, stage: str, reason: str, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        stage_id = stages.find_stage(session, batch, stage).id
        changes = finalise.reopen_stage(session, batch, stage_id, reason, actor=actor())
        shown = _stage_json(session, batch, stage_id, changes.message)
    _echo(shown, as_json)


def _weights(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise UserError(
                _("--weights: “{part}” is not STAGE=PERCENT (e.g. 网络评审=40,会议评审=60).").format(part=part)
            )
        out[name.strip()] = value.strip()
    return out


@stage_group.command("rule", help=_("The final-score rule: the last stage reached, or a weighted combination."))
@batch_option
@click.option("--last", "last", is_flag=True, help=_("The final score is the score of the last stage reached."))
@click.option("--weights", metavar="STAGE=PERCENT,…", help=_("A weighted combination, e.g. 网络评审=40,会议评审=60."))
@db_option
@json_option
def rule_command(batch: str, last: bool, weights: str | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        if last and weights:
            raise click.UsageError(_("Give --last or --weights, not both."))
        if last:
            stages.set_final_rule(session, batch, "last", actor=actor())
        elif weights:
            stages.set_final_rule(session, batch, "weighted", _weights(weights), actor=actor())
        found = stages.find_batch(session, batch)
        rule = final_rule(found)
        text = rule.text([r.name for r in stages.list_stages(session, batch) if r.kind.value == "expert"])
    if as_json:
        emit_json({**rule.as_json(), "text": text})
        return
    click.echo(text)


@stage_group.command(
    "settings",
    help=_("A stage's mode, whether experts see their own earlier-stage sheets, and which attachments they may open."),
)
@batch_option
@click.option("--stage", "stage", metavar="NAME", help=_("The stage (default: the batch's current stage)."))
@click.option("--mode", type=click.Choice([m.value for m in PanelMode]), help=_("remote: 网络评审; meeting: 会议评审."))
@click.option("--show-earlier-sheets/--hide-earlier-sheets", "show", default=None,
              help=_("Whether an expert sees their own sheet of an earlier stage (the whole batch; default: hidden)."))  # fmt: skip
@click.option("--expert-attachments", "attachments", metavar="KINDS",
              help=_("Attachments experts may open: all, none, or kinds separated by commas "
                     "(application_form, budget, certificate, other)."))  # fmt: skip
@db_option
@json_option
def settings_command(
    batch: str,
    stage: str | None,
    mode: str | None,
    show: bool | None,
    attachments: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    with open_db(db_url).session() as session:
        found = stages.find_stage(session, batch, stage)
        if attachments is not None:
            kinds = expert_attachments.parse_kinds(attachments)
            expert_attachments.set_expert_attachment_kinds(session, found.batch_id, kinds, actor=actor())
        if mode is not None:
            stages.set_stage_mode(session, found.id, PanelMode(mode), actor=actor())
        if show is not None:
            visibility.set_show_earlier_sheets(session, found.batch_id, show, actor=actor())
        the_batch = stages.find_batch(session, batch)
        shown = visibility.shows_earlier_sheets(the_batch)
        allowed = allowed_attachment_kinds(the_batch)
        if as_json:
            emit_json({"stage": found.name, "mode": found.mode.value, "show_earlier_sheets": shown,
                       "expert_attachment_kinds": None if allowed is None else sorted(allowed)})  # fmt: skip
            return
        click.echo(_("{stage}: {mode}").format(stage=found.name, mode=found.mode.label()))
        click.echo(_("Experts see their own earlier-stage sheets: {answer}").format(
            answer=_("yes") if shown else _("no")))  # fmt: skip
        click.echo(_("Experts may open: {kinds}").format(kinds=expert_attachments.describe(allowed)))
