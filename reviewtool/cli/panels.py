"""``panel draw|assign|status|finalize|reopen|calibration``: expert panels from the command line."""

from __future__ import annotations

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.i18n import _
from reviewtool.services import calibration
from reviewtool.services import panels as service


def register(group: click.Group) -> None:
    group.add_command(panel_group)


@click.group("panel", help=_("Expert panels (专家组): draw, assign, finalise."))
def panel_group() -> None:
    pass


batch_option = click.option("--batch", "batch", required=True, metavar="NAME", help=_("The batch's name."))
panel_option = click.option("--panel", "panel_name", metavar="NAME", help=_("The panel (when the batch has several)."))


@panel_group.command("draw", help=_("Draw N experts at random (recorded, reproducible with --seed)."))
@batch_option
@panel_option
@click.option("--size", required=True, type=int, help=_("Number of experts to draw."))
@click.option("--seed", help=_("Seed of the draw (default: a fresh random seed, recorded)."))
@click.option("--field-match", is_flag=True, help=_("Only experts whose fields match the applications' areas."))
@click.option(
    "--applications",
    metavar="NUMBERS",
    help=_("For a new panel: only these applications (numbers separated by commas); default the whole batch."),
)
@db_option
@json_option
def draw_command(
    batch: str,
    panel_name: str | None,
    size: int,
    seed: str | None,
    field_match: bool,
    applications: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    numbers = [n for n in (applications or "").replace("，", ",").split(",") if n.strip()] or None
    with open_db(db_url).session() as session:
        panel = service.ensure_panel(session, batch, actor=actor(), name=panel_name, application_numbers=numbers)
        outcome = service.draw_panel(session, panel.id, size, seed=seed, field_match=field_match, actor=actor())
        panel_label = panel.name
    if as_json:
        emit_json(outcome.as_json())
        return
    click.echo(
        _("Panel {panel}: drew {size} of {eligible} eligible experts (seed {seed}).").format(
            panel=panel_label, size=size, eligible=len(outcome.result.eligible), seed=outcome.result.seed
        )
    )
    for expert_id in outcome.result.drawn:
        click.echo(f"  {expert_id}  {outcome.names[expert_id]}")
    if outcome.result.exclusions:
        click.echo(_("Excluded:"))
        for item in outcome.result.exclusions:
            click.echo(f"  {item.name}：{'；'.join(item.reasons)}")


@panel_group.command("assign", help=_("Assign reviewers: balanced (optimal) or the whole panel on everything."))
@batch_option
@panel_option
@click.option("--per-application", "per_application", type=int, default=3, show_default=True,
              help=_("Reviewers per application (balanced mode)."))  # fmt: skip
@click.option("--max-load", "max_load", type=int, help=_("At most this many applications per expert."))
@click.option("--whole", is_flag=True, help=_("Every member reviews every application (no conflicts)."))
@click.option("--preview", is_flag=True, help=_("Show the plan without storing it."))
@db_option
@json_option
def assign_command(
    batch: str, panel_name: str | None, per_application: int, max_load: int | None, whole: bool, preview: bool,
    db_url: str | None, as_json: bool,
) -> None:  # fmt: skip
    mode = "whole" if whole else "balanced"
    with open_db(db_url).session() as session:
        panel = service.find_panel(session, batch, panel_name)
        if preview:
            plan = service.preview_assignment(
                session, panel.id, mode=mode, per_application=per_application, max_load=max_load
            )
        else:
            plan, _c = service.apply_assignment(
                session, panel.id, actor=actor(), mode=mode, per_application=per_application, max_load=max_load
            )
    if as_json:
        emit_json(plan.as_json())
        return
    p = plan.plan
    if not p.feasible:
        click.echo(_("Not feasible:"))
        for s in p.shortfalls:
            click.echo(f"  {plan.applications[s.application_id]}: {s.reason}")
        return
    click.echo(
        _("{pairs} reviews; {matches} with a field match; loads {low}–{high}.").format(
            pairs=len(p.pairs),
            matches=p.field_matches,
            low=min(p.loads.values(), default=0),
            high=max(p.loads.values(), default=0),
        )  # fmt: skip
    )
    for app_id, reviewers in sorted(p.reviewers().items(), key=lambda kv: plan.applications[kv[0]]):
        click.echo(f"  {plan.applications[app_id]}: {'、'.join(plan.experts[e] for e in reviewers)}")
    if preview:
        click.echo(_("(preview: nothing stored)"))


@panel_group.command("status", help=_("Which sheets are missing, late or in conflict."))
@batch_option
@panel_option
@db_option
@json_option
def status_command(batch: str, panel_name: str | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        panel = service.find_panel(session, batch, panel_name)
        view = service.sheet_status(session, panel.id)
        votes = service.vote_outcomes(session, panel.id)
    if as_json:
        data = view.as_json()
        data["votes"] = [v.as_json() for v in votes]
        emit_json(data)
        return
    click.echo("  ".join(f"{_(service.STATE_LABELS[k])} {n}" for k, n in view.counts.items()))
    for row in view.rows:
        if row.state != service.STATE_SUBMITTED:
            click.echo(f"  {row.number}  {row.expert}  {row.state_label}  {row.note}")
    for text in view.needs_replacement.values():
        click.echo(_("Needs a replacement reviewer: {text}").format(text=text))


@panel_group.command("finalize", help=_("Finalise the panel: lock its sheets and freeze the results."))
@batch_option
@panel_option
@click.option("--allow-missing", is_flag=True, help=_("Finalise even though some sheets are not submitted."))
@db_option
def finalize_command(batch: str, panel_name: str | None, allow_missing: bool, db_url: str | None) -> None:
    with open_db(db_url).session() as session:
        panel = service.find_panel(session, batch, panel_name)
        changes = service.finalize_panel(session, panel.id, actor=actor(), allow_missing=allow_missing)
    click.echo(changes.message)


@panel_group.command("reopen", help=_("Reopen a finalised panel (the reason is recorded)."))
@batch_option
@panel_option
@click.option("--reason", required=True, help=_("Why the panel is reopened."))
@db_option
def reopen_command(batch: str, panel_name: str | None, reason: str, db_url: str | None) -> None:
    with open_db(db_url).session() as session:
        panel = service.find_panel(session, batch, panel_name)
        changes = service.reopen_panel(session, panel.id, reason, actor=actor())
    click.echo(changes.message)


@panel_group.command("calibration", help=_("Normalised results, expert calibration and the discussion queue."))
@batch_option
@click.option("--store", is_flag=True, help=_("Store the normalised results with the panel results."))
@db_option
@json_option
def calibration_command(batch: str, store: bool, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        if store:
            calibration.store_normalised(session, batch, actor=actor())
        view = calibration.calibration_view(session, batch)
    if as_json:
        emit_json(view.as_json())
        return
    for r in view.results:
        value = r.normalised if r.normalised is not None else r.reason
        click.echo(f"  {r.number}  {_('mean')} {r.mean or '—'}  {_('normalised')} {value}")
    click.echo(_("Discussion queue:"))
    for q in view.queue:
        click.echo(f"  {q.number}  {'; '.join(q.item.reasons)}")
