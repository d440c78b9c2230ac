"""``import``, ``template`` and ``suggest-areas``; ``formal-review`` ticks a checklist item."""

from __future__ import annotations

import sys

import click

from reviewtool.cli.common import actor, db_option, emit_json, json_option, open_db
from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services.intake import import_result, importer
from reviewtool.services.intake.template import write_template
from reviewtool.services.progress import Progress


def _stderr_progress() -> Progress:
    state = {"last": -1}

    def show(done: int, total: int, message: str) -> None:
        if not sys.stderr.isatty() or total <= 0:
            return
        percent = int(done * 100 / total)
        if percent != state["last"]:
            state["last"] = percent
            click.echo(f"\r{percent:3d}% {message}", err=True, nl=False)

    return Progress(show)


@click.command("import", help=_("Import applications from a summary workbook (.xlsx or .csv)."))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--batch", "batch", metavar="NAME", help=_("Batch to import into (created if it does not exist)."))
@click.option("--sheet", metavar="NAME", help=_("Read this sheet (default: the sheet whose header matches best)."))
@click.option("--dry-run", is_flag=True, help=_("Only report what would be imported, updated and rejected."))
@click.option(
    "--existing",
    type=click.Choice([import_result.EXISTING_UPDATE, import_result.EXISTING_REJECT]),
    default=import_result.EXISTING_UPDATE,
    show_default=True,
    help=_("A row whose number is already in the batch: update that application, or reject the row."),
)
@click.option("--only-valid", is_flag=True, help=_("Import the valid rows even when other rows are rejected."))
@click.option(
    "--accept-duplicates",
    is_flag=True,
    help=_("Import rows flagged as probable duplicates (same unit, similar title)."),
)
@click.option("--no-suggest", is_flag=True, help=_("Do not suggest a priority area for rows without one."))
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="HEADER=FIELD",
    help=_(
        "Read the column HEADER as FIELD (the template's Chinese label such as 申请经费, or the field key; "
        "忽略 to skip it, 附加信息 to keep it as an extra field). Repeatable."
    ),
)
@click.option("--profile", metavar="NAME", help=_("Use the column mapping saved under this name."))
@click.option("--save-profile", metavar="NAME", help=_("Save the column mapping used under this name (when imported)."))
@db_option
@json_option
def import_command(
    file: str,
    batch: str | None,
    sheet: str | None,
    dry_run: bool,
    existing: str,
    only_valid: bool,
    accept_duplicates: bool,
    no_suggest: bool,
    maps: tuple[str, ...],
    profile: str | None,
    save_profile: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    from reviewtool.services.intake.mapping import parse_map_options

    options = import_result.ImportOptions(
        batch=batch,
        existing=existing,
        accept_probable_duplicates=accept_duplicates,
        only_valid=only_valid,
        suggest=not no_suggest,
        dry_run=dry_run,
        sheet=sheet,
        mapping=parse_map_options(maps),
        profile=profile,
        save_profile=save_profile,
    )
    database = open_db(db_url)
    with database.session() as session:
        result = importer.import_applications(
            session, file, options, actor=actor(), progress=Progress() if as_json else _stderr_progress()
        )
    if not as_json and sys.stderr.isatty():
        click.echo("", err=True)
    if as_json:
        emit_json(result.as_json())
    else:
        _print_result(result)
    if result.rejected or result.refused:
        click.get_current_context().exit(1)


def _print_result(result: import_result.ImportResult) -> None:
    counts = result.counts()
    click.echo(
        _("{file}, sheet {sheet} (header row {header}) → batch {batch}").format(
            file=result.file, sheet=result.sheet, header="、".join(map(str, result.header_rows)), batch=result.batch
        )
    )
    from reviewtool.services.intake.mapping import target_label

    if result.profile:
        click.echo(_("Column mapping used: {name}").format(name=result.profile))
    for use in result.headers:
        if use.mapped:
            click.echo(
                _("  column {letter} “{header}” → {field}").format(
                    letter=use.letter, header=use.header, field=target_label(use.key)
                )
            )
    for outcome in result.rows:
        for issue in outcome.issues:
            click.echo(("  " + _("warning") + ": " if issue.kind == "warning" else "  ") + issue.text())
        if outcome.action == "update" and outcome.changes:
            click.echo(
                _("  row {row}: {number} will be updated: {fields}").format(
                    row=outcome.row, number=outcome.number, fields=", ".join(outcome.changes)
                )
            )
    if result.unknown_columns:
        click.echo(
            _("Extra columns kept as additional fields: {columns}").format(columns="、".join(result.unknown_columns))
        )
    for message in result.messages:
        click.echo(message)
    summary = _(
        "{create} new, {update} updated, {unchanged} unchanged, {reject} rejected, {skipped} rows skipped"
    ).format(
        create=counts["create"],
        update=counts["update"],
        unchanged=counts["unchanged"],
        reject=counts["reject"],
        skipped=counts["skipped_rows"],
    )
    if result.profile_saved:
        click.echo(_("Column mapping saved as {name}.").format(name=result.profile_saved))
    if result.refused:
        return
    if result.written:
        click.echo(_("Imported: {summary}.").format(summary=summary))
    elif result.dry_run:
        click.echo(_("Dry run, nothing written: {summary}.").format(summary=summary))
    elif not result.rejected:
        click.echo(_("Nothing imported: {summary}.").format(summary=summary))
    else:
        click.echo(
            _(
                "Nothing imported, because rows were rejected: {summary}. "
                "Correct the file, or use --only-valid to import the valid rows."
            ).format(summary=summary)
        )


@click.command("template", help=_("Write the blank import template (.xlsx)."))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--title", help=_("Title row text (default: 海东市科技计划项目申报汇总表)."))
@db_option
def template_command(file: str, title: str | None, db_url: str | None) -> None:
    database = open_db(db_url)
    with database.session() as session:
        path = write_template(session, file, title=title or "")
    click.echo(_("Template written: {path}").format(path=path))


def _application_id(session, batch: str | None, number: str) -> int:
    from sqlalchemy import select

    from reviewtool.core.errors import NotFound
    from reviewtool.services.intake.batch_choice import resolve_batch
    from reviewtool.storage.models import Application

    found, name, missing = resolve_batch(session, batch, create=False)
    if found is None or missing:
        raise NotFound(_("There is no batch named {name}.").format(name=name))
    application_id = session.scalar(
        select(Application.id).where(Application.batch_id == found.id, Application.number == number)
    )
    if application_id is None:
        raise NotFound(_("There is no application {number} in batch {batch}.").format(number=number, batch=name))
    return application_id


@click.command("formal-review", help=_("Record the formal review (形式审查) of one application."))
@click.argument("number")
@click.option("--batch", metavar="NAME", help=_("The application's batch (default: the only open batch)."))
@click.option("--pass-all", is_flag=True, help=_("Every checklist item passed."))
@click.option("--pass", "passed", multiple=True, metavar="CODE", help=_("This item passed (repeatable)."))
@click.option(
    "--fail", "failed", multiple=True, nargs=2, metavar="CODE REASON", help=_("This item failed, with the reason.")
)
@click.option("--accept-suggestions", is_flag=True,
              help=_("Take what the data says on every item it decides (with --pass-all the others pass)."))  # fmt: skip
@click.option("--override", "overridden", multiple=True, nargs=2, metavar="CODE REASON",
              help=_("Decide this item against what the data says, with the reason (repeatable)."))  # fmt: skip
@db_option
@json_option
def formal_review_command(
    number: str,
    batch: str | None,
    pass_all: bool,
    passed: tuple[str, ...],
    failed: tuple[tuple[str, str], ...],
    accept_suggestions: bool,
    overridden: tuple[tuple[str, str], ...],
    db_url: str | None,
    as_json: bool,
) -> None:
    from reviewtool.services.intake import formal_review

    database = open_db(db_url)
    with database.session() as session:
        application_id = _application_id(session, batch, number)
        review = formal_review.review_of(session, application_id, actor=actor())
        by_code = {item.code: item.item_id for item in review.items}
        results: dict[int, tuple[bool, str]] = {}
        if pass_all:
            results.update({item_id: (True, "") for item_id in by_code.values()})
        if accept_suggestions:
            for item in review.items:
                if item.suggested is not None:
                    results[item.item_id] = (item.suggested, "" if item.suggested else item.evidence)
        for code, reason in overridden:
            item = next((i for i in review.items if i.code == code), None)
            if item is None or item.suggested is None:
                raise UserError(_("The data decides nothing on item {code}; use --pass or --fail.").format(code=code))
            results[item.item_id] = (not item.suggested, reason)
        for code in passed:
            if code not in by_code:
                raise UserError(
                    _("Unknown checklist item {code} (items: {codes}).").format(code=code, codes=", ".join(by_code))
                )
            results[by_code[code]] = (True, "")
        for code, reason in failed:
            if code not in by_code:
                raise UserError(
                    _("Unknown checklist item {code} (items: {codes}).").format(code=code, codes=", ".join(by_code))
                )
            results[by_code[code]] = (False, reason)
        if results:
            formal_review.record_review(session, application_id, results, actor=actor())
        review = formal_review.review_of(session, application_id, actor=actor())
    if as_json:
        emit_json(
            {
                "number": review.number,
                "status": review.status.value,
                "status_reason": review.status_reason,
                "items": [
                    {
                        "code": i.code,
                        "text": i.text,
                        "passed": i.passed,
                        "reason": i.reason,
                        "suggested": i.suggested,
                        "evidence": i.evidence,
                        "override_reason": i.override_reason,
                    }
                    for i in review.items
                ],  # fmt: skip
            }
        )
        return
    click.echo(f"{review.number} {review.title}: {review.status.label()}")
    marks = {True: "✓", False: "✗", None: "·"}
    for item in review.items:
        click.echo(f"  {marks[item.passed]} {item.code:<18} {item.text}" + (f"：{item.reason}" if item.reason else ""))
        if item.evidence:
            click.echo("      " + _("the data says {verdict}: {evidence}").format(
                verdict=marks[item.suggested], evidence=item.evidence))  # fmt: skip
        if item.override_reason:
            click.echo("      " + _("overridden: {reason}").format(reason=item.override_reason))


@click.command("formal-limits", help=_("Show or set the limits formal review checks the data against."))
@click.option("--batch", required=True, metavar="NAME", help=_("The batch's name."))
@click.option(
    "--cofunding-ratio", metavar="RATIO", help=_("自筹 at least RATIO × 申请 (e.g. 1 for 1 : 1; empty: none).")
)
@click.option("--pi-limit", metavar="N", help=_("At most N open applications per project leader (empty: none)."))
@click.option("--unit-limit", metavar="N", help=_("At most N open applications per unit (empty: none)."))
@click.option("--registered-before", metavar="DATE", help=_("The unit registered on or before DATE (empty: none)."))
@click.option("--max-age", "pi_max_age", metavar="YEARS",
              help=_("The project leader at most YEARS old on the deadline (empty: none)."))  # fmt: skip
@db_option
@json_option
def formal_limits_command(batch: str, db_url: str | None, as_json: bool, **given) -> None:
    from reviewtool.services.batches.batch import find_batch
    from reviewtool.services.intake import formal_limits, formal_prefill

    with open_db(db_url).session() as session:
        found = find_batch(session, batch)
        if any(v is not None for v in given.values()):
            current = formal_prefill.limits_of(found).as_json()
            values = {**current, **{k: v for k, v in given.items() if v is not None}}
            formal_limits.set_limits(session, found.id, values, actor=actor())
        limits = formal_prefill.limits_of(found)
    if as_json:
        emit_json(limits.as_json())
        return
    for key, value in limits.as_json().items():
        click.echo(f"  {key:<18} {'—' if value is None else value}")


def register(group: click.Group) -> None:
    # ``suggest-areas`` is cli/intake_suggest.py's own: it must start without the import machinery.
    for command in (import_command, template_command, formal_review_command, formal_limits_command):
        group.add_command(command)
