"""``panel`` and ``workbooks``: expert panels from the command line (draw, assign, status, calibration, finalise, reopen) and their offline scoring workbooks."""

from __future__ import annotations

from pathlib import Path

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.i18n import _
from reviewtool.services.panels import assignment, calibration, draw, finalise, status, workbook_export, workbook_import
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
        panel = panels_panel.ensure_panel(session, batch, actor=actor(), name=panel_name, application_numbers=numbers)
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
        panel = panels_panel.find_panel(session, batch, panel_name)
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
@db_option
@json_option
def status_command(batch: str, panel_name: str | None, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name)
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
@click.option("--allow-missing", is_flag=True, help=_("Finalise even though some sheets are not submitted."))
@db_option
def finalize_command(batch: str, panel_name: str | None, allow_missing: bool, db_url: str | None) -> None:
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name)
        changes = finalise.finalize_panel(session, panel.id, actor=actor(), allow_missing=allow_missing)
    click.echo(changes.message)


@panel_group.command("reopen", help=_("Reopen a finalised panel (the reason is recorded)."))
@batch_option
@panel_option
@click.option("--reason", required=True, help=_("Why the panel is reopened."))
@db_option
def reopen_command(batch: str, panel_name: str | None, reason: str, db_url: str | None) -> None:
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name)
        changes = finalise.reopen_panel(session, panel.id, reason, actor=actor())
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


@click.group("workbooks", help=_("Offline scoring workbooks (离线评审表): one per expert."))
def workbooks_group() -> None:
    pass


@workbooks_group.command("export", help=_("Write one workbook per assigned expert into a folder."))
@click.option("--batch", required=True, metavar="NAME", help=_("The batch's name."))
@click.option("--panel", "panel_name", metavar="NAME", help=_("The panel (when the batch has several)."))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help=_("Folder for the workbooks."))  # fmt: skip
@db_option
@json_option
def export_command(batch: str, panel_name: str | None, out_dir: Path, db_url: str | None, as_json: bool) -> None:
    with open_db(db_url).session() as session:
        panel = panels_panel.find_panel(session, batch, panel_name)
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
@db_option
@json_option
def import_command(
    paths: tuple[Path, ...], batch: str | None, dry_run: bool, db_url: str | None, as_json: bool
) -> None:
    with open_db(db_url).session() as session:
        batch_id = panels_panel.find_batch(session, batch).id if batch else None
        report = workbook_import.import_workbooks(
            session, list(paths), actor=actor(), dry_run=dry_run, expect_batch_id=batch_id
        )
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
