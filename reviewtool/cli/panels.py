"""``panel`` and ``workbooks``: expert panels from the command line (draw, assign, status, calibration, finalise, reopen) and their offline scoring workbooks."""

from __future__ import annotations

from pathlib import Path

import click

from reviewtool.cli.common import COUNT_MAX, actor, db_option, emit_json, json_option, open_db
from reviewtool.cli.stages import chosen_stage, stage_id, stage_option
from reviewtool.core.enums import VoteChoice
from reviewtool.core.errors import NotFound
from reviewtool.core.panels.draw import rotation_text
from reviewtool.i18n import _
from reviewtool.services.panels import (
    assignment,
    calibration,
    draw,
    finalise,
    membership,
    status,
    workbook_export,
    workbook_import,
    workbook_rules,
)
from reviewtool.services.panels import panel as panels_panel
from reviewtool.services.panels import votes as panels_votes


def register(group: click.Group) -> None:
    group.add_command(panel_group)
    group.add_command(workbooks_group)


@click.group("panel", help=_("Expert panels (专家组): draw, assign, finalise."))
def panel_group() -> None:
    pass


batch_option = click.option("--batch", "batch", required=True, metavar="NAME", help=_("The batch's name."))
panel_option = click.option("--panel", "panel_name", metavar="NAME", help=_("The panel (when the batch has several)."))


@panel_group.command("draw", help=_("Draw N experts at random (recorded, reproducible with --seed)."))
@batch_option
@panel_option
@stage_option
@click.option("--size", required=True, type=click.IntRange(1, COUNT_MAX), help=_("Number of experts to draw."))
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
        panel = panels_panel.ensure_panel(
            session, batch, actor=actor(), name=panel_name, application_numbers=numbers, stage=chosen_stage()
        )
        outcome = draw.draw_panel(session, panel.id, size, seed=seed, field_match=field_match, actor=actor())
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
    if outcome.result.rule:
        click.echo(_("Draw rule: {rule}").format(rule=rotation_text(outcome.result.rule)))
    click.echo(_("The drawn experts await confirmation: record each answer with “panel confirm” or “panel decline”."))
    if outcome.result.exclusions:
        click.echo(_("Excluded:"))
        for item in outcome.result.exclusions:
            click.echo(f"  {item.name}：{'；'.join(item.reasons)}")


@panel_group.command("assign", help=_("Assign reviewers: balanced (optimal) or the whole panel on everything."))
@batch_option
@panel_option
@stage_option
@click.option("--per-application", "per_application", type=click.IntRange(1, COUNT_MAX), default=3, show_default=True,
              help=_("Reviewers per application (balanced mode)."))  # fmt: skip
@click.option(
    "--max-load", "max_load", type=click.IntRange(1, COUNT_MAX), help=_("At most this many applications per expert.")
)
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
        panel = panels_panel.find_panel(session, batch, panel_name, chosen_stage())
        if preview:
            plan = assignment.preview_assignment(
                session, panel.id, mode=mode, per_application=per_application, max_load=max_load
            )
        else:
            plan, _c = assignment.apply_assignment(
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
@stage_option
@db_option
@json_option
def status_command(batch: str, panel_name: str | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name, chosen_stage())
        view = status.sheet_status(session, panel.id)
        votes = panels_votes.vote_outcomes(session, panel.id)
    if as_json:
        data = view.as_json()
        data["votes"] = [v.as_json() for v in votes]
        emit_json(data)
        return
    click.echo("  ".join(f"{_(status.STATE_LABELS[k])} {n}" for k, n in view.counts.items()))
    for row in view.rows:
        if row.state != status.STATE_SUBMITTED:
            click.echo(f"  {row.number}  {row.expert}  {row.state_label}  {row.note}")
    for text in view.needs_replacement.values():
        click.echo(_("Needs a replacement reviewer: {text}").format(text=text))


@panel_group.command("finalize", help=_("Finalise the panel: lock its sheets and freeze the results."))
@batch_option
@panel_option
@stage_option
@click.option("--allow-missing", is_flag=True, help=_("Finalise even though some sheets are not submitted."))
@db_option
def finalize_command(batch: str, panel_name: str | None, allow_missing: bool, db_url: str | None) -> None:
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name, chosen_stage())
        changes = finalise.finalize_panel(session, panel.id, actor=actor(), allow_missing=allow_missing)
    click.echo(changes.message)


@panel_group.command("reopen", help=_("Reopen a finalised panel (the reason is recorded)."))
@batch_option
@panel_option
@stage_option
@click.option("--reason", required=True, help=_("Why the panel is reopened."))
@db_option
def reopen_command(batch: str, panel_name: str | None, reason: str, db_url: str | None) -> None:
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name, chosen_stage())
        changes = finalise.reopen_panel(session, panel.id, reason, actor=actor())
    click.echo(changes.message)


@panel_group.command("vote", help=_("Record a member's vote on an application in a meeting review (会议评审)."))
@batch_option
@panel_option
@stage_option
@click.option("--application", "number", required=True, help=_("申报编号 of the application."))
@click.option("--expert", "expert_name", required=True, metavar="NAME", help=_("The member who votes."))
@click.option("--choice", type=click.Choice([c.value for c in VoteChoice]), required=True,
              help=_("for, against or abstain."))  # fmt: skip
@db_option
def vote_command(batch: str, panel_name: str | None, number: str, expert_name: str, choice: str, db_url) -> None:
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name, chosen_stage())
        application_id = panels_panel.application_ids_by_number(session, panel.batch_id, [number])[0]
        members = {m.name: m.expert_id for m in membership.members(session, panel.id)}
        if expert_name not in members:
            raise NotFound(_("{name} is not a member of panel {panel}.").format(name=expert_name, panel=panel.name))
        panels_votes.record_vote(
            session, panel.id, application_id, members[expert_name], VoteChoice(choice), actor=actor()
        )
        outcome = next(o for o in panels_votes.vote_outcomes(session, panel.id) if o.application_id == application_id)
    click.echo(
        _("{number}: {result} (for {f} · against {a} · abstain {b})").format(
            number=number, result=outcome.label, f=outcome.votes_for, a=outcome.against, b=outcome.abstain
        )
    )


@panel_group.command("calibration", help=_("Normalised results, expert calibration and the discussion queue."))
@batch_option
@stage_option
@click.option("--store", is_flag=True, help=_("Store the normalised results with the panel results."))
@db_option
@json_option
def calibration_command(batch: str, store: bool, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        stage = stage_id(session, batch)
        if store:
            calibration.store_normalised(session, batch, actor=actor(), stage_id=stage)
        view = calibration.calibration_view(session, batch, stage)
    if as_json:
        emit_json(view.as_json())
        return
    for r in view.results:
        value = r.normalised if r.normalised is not None else r.reason
        click.echo(f"  {r.number}  {_('mean')} {r.mean or '—'}  {_('normalised')} {value}")
    click.echo(_("Discussion queue:"))
    for q in view.queue:
        click.echo(f"  {q.number}  {'; '.join(q.item.reasons)}")


@click.group("workbooks", help=_("Offline scoring workbooks (离线评审表): one per expert."))
def workbooks_group() -> None:
    pass


@workbooks_group.command("export", help=_("Write one workbook per assigned expert into a folder."))
@click.option("--batch", required=True, metavar="NAME", help=_("The batch's name."))
@click.option("--panel", "panel_name", metavar="NAME", help=_("The panel (when the batch has several)."))
@stage_option
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help=_("Folder for the workbooks."))  # fmt: skip
@db_option
@json_option
def export_command(batch: str, panel_name: str | None, out_dir: Path, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name, chosen_stage())
        files = workbook_export.export_workbooks(session, panel.id, out_dir, actor=actor())
    if as_json:
        emit_json([f.as_json() for f in files])
        return
    for f in files:
        click.echo(
            _("{expert}: {count} applications → {path}").format(expert=f.expert, count=f.applications, path=f.path)
        )


@workbooks_group.command("import", help=_("Import returned workbooks (a file or a folder), all checked first."))
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--batch", metavar="NAME", help=_("Refuse workbooks of any other batch."))
@click.option("--dry-run", is_flag=True, help=_("Check and show the changes without writing."))
@stage_option
@click.option("--accept-older", is_flag=True,
              help=_("Import workbooks older than the stored sheets too, reverting the fields the report lists."))  # fmt: skip
@db_option
@json_option
def import_command(
    paths: tuple[Path, ...], batch: str | None, dry_run: bool, accept_older: bool, db_url: str | None, as_json: bool
) -> None:
    with open_db(db_url).session() as session:
        batch_id = panels_panel.find_batch(session, batch).id if batch else None
        if chosen_stage() is not None and batch_id is None:
            raise click.UsageError(_("--stage needs --batch."))
        report = workbook_import.import_workbooks(
            session, list(paths), actor=actor(), dry_run=dry_run, expect_batch_id=batch_id, accept_older=accept_older,
            expect_stage_id=stage_id(session, batch_id) if chosen_stage() is not None else None,
        )  # fmt: skip
    if as_json:
        emit_json(report.as_json())
    else:
        for f in report.files:
            if not f.ok:
                click.echo(_("✗ {file}").format(file=f.path.name))
                for error in f.errors:
                    click.echo(f"    {error}")
                continue
            click.echo(
                _("✓ {file} ({expert}): {new} new, {updated} updated, {unchanged} unchanged, {blank} blank").format(
                    file=f.path.name,
                    expert=f.expert,
                    new=f.count("new"),
                    updated=f.count("update"),
                    unchanged=f.count("unchanged"),
                    blank=f.count("blank"),
                )  # fmt: skip
            )
            for row in f.rows:
                for key, (old, new) in row.changes.items():
                    if row.action == "update":
                        click.echo(f"    {row.number} {key}: {old} → {new}")
                if row.missing:
                    click.echo(_("    {number}: saved as a draft — {missing}").format(
                        number=row.number, missing="; ".join(row.missing)))  # fmt: skip
        if dry_run:
            click.echo(_("(dry run: nothing written)"))
    if not report.ok:
        raise click.exceptions.Exit(1)


@workbooks_group.command("settings", help=_("What a workbook exported under an older rubric version does on import."))
@click.option("--batch", required=True, metavar="NAME", help=_("The batch's name."))
@click.option("--old-rubric", "rule", required=True, type=click.Choice(sorted(workbook_rules.OLD_RUBRIC_RULES)),
              help=_("refuse: export a new workbook; keep: store its sheets under the old version."))  # fmt: skip
@db_option
def settings_command(batch: str, rule: str, db_url: str | None) -> None:
    with open_db(db_url).session() as session:
        found = panels_panel.find_batch(session, batch)
        changes = workbook_rules.set_old_rubric_rule(session, found, rule, actor=actor())
        current = workbook_rules.old_rubric_rule(found)
    click.echo(changes.message or _("Workbooks of an old rubric version: {rule}").format(
        rule=_(workbook_rules.OLD_RUBRIC_RULES[current])))  # fmt: skip
