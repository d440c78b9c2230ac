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

from reviewtool.core.errors import UserError
from reviewtool.core.intake.fields import EXTRA, FIELDS_BY_KEY, IGNORE
from reviewtool.core.tables.header import names_column
from reviewtool.core.tables.read import IGNORE_KEY
from reviewtool.core.tables.types import HeaderColumn, Table
from reviewtool.i18n import _
from reviewtool.services.intake import import_audit, import_match, import_rows, import_write, mapping
from reviewtool.services.intake.batch_choice import resolve_batch
from reviewtool.services.intake.import_read import intake_context, read_sheet, with_table_unfrozen
from reviewtool.services.intake.import_result import (
    EXISTING_REJECT,
    EXISTING_UPDATE,
    HeaderUse,
    ImportOptions,
    ImportResult,
)
from reviewtool.services.intake.import_run import ImportRun
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.services.taxonomy import area_ids_by_code

__all__ = ["IGNORE_KEY", "header_uses", "import_applications"]


@with_table_unfrozen
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
    applied, profile_name = _mapping_to_use(session, options)
    table = read_sheet(path, options, progress, cancel, applied)
    _check_mapped_headers(session, options, table)
    if not options.mapping and not options.profile and options.use_matching_profile:
        found = mapping.matching_profile(session, [c.full_label for c in table.columns.values()] + _others(table))
        if found is not None and found.mapping:
            applied, profile_name = dict(found.mapping), found.name
            table = read_sheet(path, options, progress, cancel, applied)
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
    import_rows.parse_rows(run, intake_context(session, batch), progress, cancel)
    import_match.match_existing(session, run)
    import_match.compare_with_stored(session, run)
    import_rows.assign_numbers(run)
    if options.suggest:
        import_rows.suggest_areas(session, run, progress, cancel)

    result = _result(run)
    result.mapping, result.profile = applied, profile_name
    result.headers = header_uses(table, applied)
    if table.missing:
        result.missing_columns = list(table.missing)
        result.messages.append(
            _(
                "Sheet {sheet}, header row {row}: required column(s) {missing} not found. Say which column holds "
                "them: --map 'HEADER=FIELD' (or choose in the import dialog), e.g. --map '{example}={field}'."
            ).format(
                sheet=table.sheet,
                row="、".join(map(str, table.header_rows)),
                missing="、".join(table.missing),
                example=next((h.header for h in result.headers if h.key == EXTRA), _("header")),
                field=table.missing[0],
            )
        )
        return result
    if not table.rows:
        result.no_data_rows = True
        result.messages.append(
            _("Sheet {sheet} has headers but no data rows: nothing to import.").format(sheet=table.sheet)
        )
    writes = bool(run.drafts) and not (result.rejected and not options.only_valid)
    if options.dry_run or not writes:
        result.batch_created = options.dry_run and writes and run.batch_new  # a dry run: what the import would do
        return result

    run.release_rows()  # writing needs only the drafts
    cancel.check()
    if run.batch is None:
        run.batch, run.batch_name, result.batch_created = resolve_batch(session, run.batch_name, create=True)
        import_audit.batch_created(session, run, actor=actor)
    units = import_write.write_units(session, run)
    area_ids = area_ids_by_code(session)
    import_write.insert_new(session, run, units, area_ids, progress, cancel)
    import_write.apply_updates(session, run, units, area_ids, progress, cancel)
    import_audit.record_import(session, run, result, actor=actor)
    if options.save_profile:
        mapping.save_profile(session, options.save_profile, applied, [h.header for h in result.headers], actor=actor)
        result.profile_saved = options.save_profile.strip()
    result.written = True
    progress.update(1, 1, _("Done."))
    return result


def _mapping_to_use(session: Session, options: ImportOptions) -> tuple[dict[str, str], str | None]:
    """The named profile's mapping with the explicit mapping on top (the explicit one wins)."""
    applied: dict[str, str] = {}
    name = None
    if options.profile:
        profile = mapping.get_profile(session, options.profile)
        applied.update(profile.mapping)
        name = profile.name
    applied.update(options.mapping)
    return applied, name


def _check_mapped_headers(session: Session, options: ImportOptions, table: Table) -> None:
    """Refuse a mapping (``--map 'HEADER=FIELD'``) whose header is not in the sheet read: it would
    otherwise do nothing, silently. A saved mapping's own entries may name headers a sheet lacks."""
    saved = mapping.get_profile(session, options.profile).mapping if options.profile else {}
    absent = [
        header
        for header, key in options.mapping.items()
        if saved.get(header) != key and not any(names_column(header, c) for c in table.header_columns)
    ]
    if absent:
        raise UserError(
            _("--map names {headers}, but sheet {sheet} has no such header (headers found: {found}).").format(
                headers="、".join(f"“{h}”" for h in absent),
                sheet=table.sheet,
                found="、".join(c.full_label for c in table.header_columns) or _("none"),
            )
        )


def _others(table: Table) -> list[str]:
    """The headers read as no field: unknown ones, and a field's later columns (kept as extra fields)."""
    return [c.full_label for c in [*table.unknown_columns, *table.duplicate_columns] if c.label]


def header_uses(table: Table, applied: dict[str, str]) -> list[HeaderUse]:
    """Every header of the sheet, in column order, with what it is read as."""
    mapped = {h.replace("/", "") for h in applied} | set(applied)
    ambiguous = {c.index for c in table.ambiguous_columns}
    uses: list[tuple[int, HeaderUse]] = []
    for key, column in table.columns.items():
        field_key = key.split("#", 1)[0]
        uses.append((column.index, HeaderUse(column.letter, column.full_label, field_key, _is_mapped(column, mapped))))
    for column in [*table.unknown_columns, *table.duplicate_columns]:
        if column.label:
            uses.append(
                (
                    column.index,
                    HeaderUse(
                        column.letter,
                        column.full_label,
                        EXTRA,
                        _is_mapped(column, mapped),
                        column.index in ambiguous,
                    ),
                )
            )
    for column in table.ignored_columns:
        uses.append((column.index, HeaderUse(column.letter, column.full_label, IGNORE, True)))
    return [use for _i, use in sorted(uses, key=lambda pair: pair[0])]


def _is_mapped(column, mapped: set[str]) -> bool:
    return column.full_label in mapped or column.label in mapped or column.full_label.replace("/", "") in mapped


def _result(run: ImportRun) -> ImportResult:
    table = run.table
    result = ImportResult(
        file=run.path.name,
        sheet=table.sheet,
        header_rows=table.header_rows,
        batch=run.batch_name,
        batch_created=False,  # set once it is known whether the import writes (creating the batch)
        dry_run=run.options.dry_run,
        written=False,
        rows=run.outcomes,
        unknown_columns=[c.full_label for c in table.unknown_columns if c.label],
        skipped_rows=[(s.row, s.reason, s.text) for s in table.skipped],
    )
    result.hidden_sheets = list(table.hidden_sheets)
    result.ambiguous_columns = [c.full_label for c in table.ambiguous_columns]
    if table.hidden_sheets:
        result.messages.append(
            _("Hidden sheets were not read: {sheets} (name one with --sheet to read it).").format(
                sheets="、".join(table.hidden_sheets)
            )
        )
    for column in table.ambiguous_columns:
        result.messages.append(
            _(
                "Column {letter} “{header}” may not be the plan's priority area (it can mean a discipline); "
                "it is kept as an extra field. If it is the priority area, map it: --map '{header}=所属领域'."
            ).format(letter=column.letter, header=column.full_label)
        )
    result.messages.extend(column_messages(table))
    return result


def _quoted(column: HeaderColumn) -> str:
    return _("column {letter} “{header}”").format(letter=column.letter, header=column.full_label)


def column_messages(table: Table) -> list[str]:
    """What happened to columns that feed the same field, or share a header: amounts summed, the rest
    kept as extra fields (under which name): nothing is dropped."""
    messages: list[str] = []
    fed: dict[str, list[HeaderColumn]] = {}
    for key, column in table.columns.items():
        fed.setdefault(key.split("#", 1)[0], []).append(column)
    for key, columns in fed.items():
        if len(columns) > 1:
            messages.append(
                _("{columns} all feed {field}: their amounts are added up.").format(
                    columns="、".join(_quoted(c) for c in columns), field=FIELDS_BY_KEY[key].header
                )
            )
    for column in table.duplicate_columns:
        first = table.columns.get(column.key or "")
        messages.append(
            _(
                "{column} is also read as {field}, which {first} already gives: it is kept as the extra field “{extra}”."
            ).format(
                column=_quoted(column),
                field=FIELDS_BY_KEY[column.key].header if column.key in FIELDS_BY_KEY else column.key,
                first=_quoted(first) if first is not None else "",
                extra=table.extra_keys.get(column.index, column.full_label),
            )
        )
    shared = [c for c in table.unknown_columns if table.extra_keys.get(c.index, c.full_label) != c.full_label]
    if shared:
        messages.append(
            _("Columns with the same header are kept as separate extra fields: {columns}").format(
                columns="、".join(f"“{table.extra_keys[c.index]}”" for c in shared)
            )
        )
    return messages
