"""Importing the bureau's application summary sheets (申报汇总表).

``import_applications`` reads the workbook, validates every row, and either
writes everything or nothing (``only_valid=True`` writes the valid rows and
leaves the rejected ones out). With ``dry_run=True`` it only reports what it
would create, update and reject. The result is plain data, for the CLI's
JSON and the GUI's preview.

The steps, each in its own module: read (``import_read``), parse rows
(``import_rows``), match existing (``import_match``), write
(``import_write``) and audit (``import_audit``).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.i18n import _
from reviewtool.services.intake import import_audit, import_match, import_rows, import_write
from reviewtool.services.intake.batch_choice import resolve_batch
from reviewtool.services.intake.import_read import intake_context, read_sheet
from reviewtool.services.intake.import_result import EXISTING_REJECT, EXISTING_UPDATE, ImportOptions, ImportResult
from reviewtool.services.intake.import_run import ImportRun
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.services.taxonomy import area_ids_by_code


def import_applications(
    session: Session,
    path: str | Path,
    options: ImportOptions,
    *,
    actor: str,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportResult:
    """Validate and (unless ``dry_run``) store a summary sheet. See the module docstring."""
    path = Path(path)
    if options.existing not in (EXISTING_UPDATE, EXISTING_REJECT):
        raise ValueError(options.existing)
    table = read_sheet(path, options, progress, cancel)
    batch, batch_name, batch_new = resolve_batch(session, options.batch, create=False)
    run = ImportRun(
        path=path,
        options=options,
        table=table,
        headers={key: column.full_label for key, column in table.columns.items()},
        batch=batch,
        batch_name=batch_name,
        batch_new=batch_new,
    )
    import_rows.parse_rows(run, intake_context(session), progress, cancel)
    import_match.match_existing(session, run)
    import_match.compare_with_stored(session, run)
    import_rows.assign_numbers(run)
    if options.suggest:
        import_rows.suggest_areas(session, run, progress, cancel)

    result = _result(run)
    if options.dry_run or (result.rejected and not options.only_valid):
        return result

    cancel.check()
    if run.batch is None:
        run.batch, run.batch_name, _created = resolve_batch(session, run.batch_name, create=True)
        import_audit.batch_created(session, run, actor=actor)
    units = import_write.write_units(session, run)
    area_ids = area_ids_by_code(session)
    import_write.insert_new(session, run, units, area_ids, progress, cancel)
    import_write.apply_updates(session, run, units, area_ids, progress, cancel)
    import_audit.record_import(session, run, result, actor=actor)
    result.written = True
    progress.update(1, 1, _("Done."))
    return result


def _result(run: ImportRun) -> ImportResult:
    table = run.table
    result = ImportResult(
        file=run.path.name,
        sheet=table.sheet,
        header_rows=table.header_rows,
        batch=run.batch_name,
        batch_created=run.batch_new,
        dry_run=run.options.dry_run,
        written=False,
        rows=run.outcomes,
        unknown_columns=[c.full_label for c in table.unknown_columns if c.label],
        skipped_rows=[(s.row, s.reason, s.text) for s in table.skipped],
    )
    if table.duplicate_columns:
        result.messages.append(
            _("Columns matched twice, the later ones kept as extra fields: {columns}").format(
                columns="、".join(f"{c.letter} {c.full_label}" for c in table.duplicate_columns)
            )
        )
    return result
