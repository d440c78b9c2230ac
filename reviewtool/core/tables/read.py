"""A safe reader for the tabular workbooks people really send.

One call, :func:`read_table`, takes a file and a list of :class:`ColumnSpec`
(a field key and the header texts it may appear under) and returns a
:class:`Table`: the sheet and header row(s) it found, which columns it
recognised, the unknown columns (kept, not dropped), and the data rows, each
cell carrying its sheet/row/column reference for error messages.

What it copes with:

- the file is sniffed by its bytes, not its name (``sniff``);
- real ``.csv`` files are read through the same pipeline (``raw``);
- the header row is found by content within the first ``header_search_rows``
  rows of every sheet (``header``);
- a 序号 column, blank spacer rows, 合计/小计/总计 rows and trailing
  notes (``注：…``, ``填表说明…``) are skipped and listed in ``Table.skipped``;
- formulas are read as their cached values; a formula that has no cached
  value (a workbook written by a program and never opened in Excel) comes back
  with ``Cell.value is None`` and ``Cell.formula`` set, so the caller can say
  so; a sheet whose data cells are all such formulas is refused;
- huge inputs: a file-size limit, an uncompressed-size limit (zip bombs), a
  row and a column limit, and the reader stops after ``max_blank_run``
  consecutive blank rows (sheets formatted down to row 1,048,576).

Threading: plain functions, no shared state; call from any one thread.
Long reads report through ``on_progress(done, total)`` and stop when
``check_cancel()`` raises.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from reviewtool.core.tables.header import OVERRIDE_PREFIX, FoundHeader, alias_index, column_forms, find_header
from reviewtool.core.tables.raw import RawSheet, open_csv, open_xlsx
from reviewtool.core.tables.sniff import sniff
from reviewtool.core.tables.text import is_blank, normalise_header, plain_text
from reviewtool.core.tables.types import (
    HEADER_SEARCH_ROWS,
    MAX_BLANK_RUN,
    MAX_COLUMNS,
    MAX_ROWS,
    Cell,
    CellRef,
    ColumnSpec,
    HeaderColumn,
    SkippedRow,
    Table,
    TableError,
    TableRow,
)
from reviewtool.i18n import _

TOTAL_WORDS = ("合计", "总计", "小计", "共计", "total", "subtotal")
NOTE_PREFIXES = ("注：", "注:", "说明", "填表说明", "备注：", "备注:", "note:", "notes:")
SEQUENCE_ALIASES = ("序号", "序", "no", "no.", "#", "seq")


def _is_sequence(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.\-()（）]*", text))


def _row_kind(values: tuple, sequence_columns: set[int]) -> tuple[str | None, str]:
    """``"blank"``, ``"total"``, ``"note"`` or None for a data row, with the text that decided.

    Only the first three meaningful cells decide, and whether there is more than one; the rest of
    a data row is not looked at (this runs once per row of big sheets)."""
    meaningful: list[str] = []  # the first three texts, then one more to know the row has several
    for i, v in enumerate(values, start=1):
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        text = plain_text(v)
        # A 序号 cell does not make a row data, unless it holds words (a note typed into column A).
        if i in sequence_columns and _is_sequence(text):
            continue
        meaningful.append(text)
        if len(meaningful) > 3:
            break
    if not meaningful:
        return "blank", ""
    first = meaningful[0]
    for text in meaningful[:3]:
        compact = normalise_header(text)
        if compact in TOTAL_WORDS or compact.startswith(("合计", "总计")):
            return "total", text
    if len(meaningful) == 1 and first.lower().startswith(NOTE_PREFIXES):
        return "note", first
    return None, ""


def read_table(
    path: str | Path,
    specs: Sequence[ColumnSpec],
    *,
    sheet: str | None = None,
    header_search_rows: int = HEADER_SEARCH_ROWS,
    max_rows: int = MAX_ROWS,
    max_columns: int = MAX_COLUMNS,
    max_blank_run: int = MAX_BLANK_RUN,
    on_progress: Callable[[int, int], None] | None = None,
    check_cancel: Callable[[], None] | None = None,
    overrides: dict[str, str | None] | None = None,
    ambiguous: dict[str, tuple[str, ...]] | None = None,
    strict_required: bool = True,
    min_matches: int | None = None,
) -> Table:
    """Read the table described by ``specs`` from an .xlsx/.xlsm or .csv file.

    The sheet is the one named, or else the visible sheet whose header matches
    the most of ``specs`` (a hidden sheet is read only when named). Raises
    :class:`TableError` for files that are not readable tables, for a missing
    header, and for missing required columns.

    ``overrides`` maps header texts to keys (None: keep as an extra field,
    ``IGNORE_KEY``: skip the column); it wins over the aliases. A header whose
    key is in ``ambiguous`` and whose text holds one of its marker words
    (所属领域(学科)) is not matched unless overridden: it is listed in
    ``Table.ambiguous_columns`` for the caller to ask about. With
    ``strict_required=False`` missing required columns do not raise: the
    header is returned with ``Table.missing`` set and no rows, so the caller
    can offer a mapping. ``min_matches`` is how many of ``specs`` a header row must match to be
    taken for the header (default two, or one when there is a single spec): a caller that needs only
    one column (``suggest-areas --from`` reads 项目名称) passes 1.

    Unknown columns and the later columns of a field matched twice (not ``repeatable``) are kept in
    ``TableRow.extra``, under their header text, or ``header (letter)`` when that text is the header
    of another column too (two 备注 columns: ``备注 (E)`` and ``备注 (F)``); ``Table.extra_keys``
    says which.
    """
    path = Path(path)
    kind = sniff(path)
    workbook = None
    if kind == "xlsx":
        workbook, sheets = open_xlsx(path)
    else:
        sheets = open_csv(path)
    try:
        return _read(
            path,
            kind,
            sheets,
            specs,
            sheet=sheet,
            header_search_rows=header_search_rows,
            max_rows=max_rows,
            max_columns=max_columns,
            max_blank_run=max_blank_run,
            on_progress=on_progress,
            check_cancel=check_cancel,
            overrides=overrides or {},
            ambiguous=ambiguous or {},
            strict_required=strict_required,
            min_matches=min(2, max(len(specs), 1)) if min_matches is None else max(min_matches, 1),
        )
    except (zipfile.BadZipFile, EOFError, ElementTree.ParseError, KeyError) as exc:
        raise TableError(
            _("{file}: the workbook is damaged and cannot be read to the end ({error}).").format(
                file=path.name, error=type(exc).__name__
            )
        ) from exc
    finally:
        if workbook is not None:
            workbook.close()


def _read(
    path: Path,
    kind: str,
    sheets: list[RawSheet],
    specs: Sequence[ColumnSpec],
    *,
    sheet: str | None,
    header_search_rows: int,
    max_rows: int,
    max_columns: int,
    max_blank_run: int,
    on_progress: Callable[[int, int], None] | None,
    check_cancel: Callable[[], None] | None,
    overrides: dict[str, str | None],
    ambiguous: dict[str, tuple[str, ...]],
    strict_required: bool,
    min_matches: int,
) -> Table:
    name = path.name
    names = [s.name for s in sheets]
    if not sheets:
        raise TableError(_("{file}: the workbook has no worksheets.").format(file=name))
    if sheet is not None:
        chosen = [s for s in sheets if s.name == sheet]
        if not chosen:
            raise TableError(
                _("{file}: there is no sheet named “{sheet}” (sheets: {sheets}).").format(
                    file=name, sheet=sheet, sheets="、".join(names)
                )
            )
        sheets = chosen
    hidden_sheets = [s.name for s in sheets if s.hidden and sheet is None]
    visible = [s for s in sheets if not s.hidden or sheet is not None]
    if not visible:
        raise TableError(
            _("{file}: every sheet is hidden ({sheets}); name the one to read with --sheet.").format(
                file=name, sheets="、".join(hidden_sheets)
            )
        )
    sheets = visible
    index = alias_index(specs, overrides)
    for alias in SEQUENCE_ALIASES:
        index.setdefault(normalise_header(alias), "__sequence__")
    best: FoundHeader | None = None
    for raw in sheets:
        found = find_header(raw, index, header_search_rows)
        if found is not None and (best is None or found.score > best.score):
            best = found
    required = [s for s in specs if s.required]
    expected = "、".join(s.display for s in (required or list(specs))[:6])
    if best is None or best.score - (1 if any(c.key == "__sequence__" for c in best.columns) else 0) < min_matches:
        raise TableError(
            _(
                "{file}: no header row found in the first {rows} rows of {sheets}; "
                "expected column headers such as {expected}."
            ).format(file=name, rows=header_search_rows, sheets="、".join(s.name for s in sheets), expected=expected)
        )
    raw = best.sheet
    header_line = "、".join(str(r) for r in best.rows)
    columns: dict[str, HeaderColumn] = {}
    unknown: list[HeaderColumn] = []
    duplicates: list[HeaderColumn] = []
    sequence_columns: set[int] = set()
    ambiguous_columns: list[HeaderColumn] = []
    ignored: list[HeaderColumn] = []
    repeatable = {s.key for s in specs if s.repeatable}
    for column in best.columns:
        if column.key in ambiguous and not _overridden(column, index):
            if any(marker in column.full_label for marker in ambiguous[column.key]):
                column = HeaderColumn(column.index, column.label, column.group, None)
                ambiguous_columns.append(column)
        if column.key in ("__sequence__", IGNORE_KEY):
            sequence_columns.add(column.index)
            if column.key == IGNORE_KEY:
                ignored.append(column)
        elif column.key is None:
            unknown.append(column)
        elif column.key in columns and column.key in repeatable:
            number = 2
            while f"{column.key}#{number}" in columns:
                number += 1
            columns[f"{column.key}#{number}"] = column
        elif column.key in columns:
            duplicates.append(column)
        else:
            columns[column.key] = column
    if len(best.columns) and max(c.index for c in best.columns) > max_columns:
        raise TableError(
            _("{file}: sheet “{sheet}” has more than {limit} columns in its header.").format(
                file=name, sheet=raw.name, limit=max_columns
            )
        )
    extra_keys = _extra_keys(best.columns, [c for c in unknown if c.label] + duplicates)
    missing = [s for s in required if s.key not in columns]
    if missing and not strict_required:
        return Table(
            path=path,
            kind=kind,
            sheet=raw.name,
            header_rows=best.rows,
            columns=columns,
            unknown_columns=unknown,
            rows=[],
            skipped=[],
            sheets=names,
            duplicate_columns=duplicates,
            hidden_sheets=hidden_sheets,
            ambiguous_columns=ambiguous_columns,
            ignored_columns=ignored,
            missing=[s.display for s in missing],
            header_columns=list(best.columns),
            extra_keys=extra_keys,
        )
    if missing:
        raise TableError(
            _(
                "{file}: sheet “{sheet}”, header row {row}: required column(s) {missing} not found (found: {found})."
            ).format(
                file=name,
                sheet=raw.name,
                row=header_line,
                missing="、".join(s.display for s in missing),
                found="、".join(c.full_label for c in best.columns),
            )
        )

    formulas = raw.formulas()
    formula_rows = {r for r, _c in formulas}
    hidden_rows = raw.hidden_rows()
    known = list(columns.items())
    extra_columns = [(extra_keys[c.index], c) for c in sorted(unknown + duplicates, key=lambda c: c.index) if c.label]
    rows: list[TableRow] = []
    skipped: list[SkippedRow] = []
    blank_run = 0
    first = best.rows[-1] + 1
    total_hint = max((raw.dimension_rows or 0) - first + 1, 0)
    data_count = 0
    uncached = 0
    for number, values in enumerate(raw.rows(), start=1):
        if number < first:
            continue
        if check_cancel is not None and number % 200 == 0:
            check_cancel()
        values = tuple(values)
        kind_of_row, text = _row_kind(values, sequence_columns)
        if kind_of_row is not None:
            if kind_of_row == "blank" and number not in formula_rows:
                blank_run += 1
                if blank_run >= max_blank_run:
                    break
                continue
            if kind_of_row != "blank":
                skipped.append(SkippedRow(number, kind_of_row, text))
                blank_run = 0
                continue
        blank_run = 0
        data_count += 1
        if data_count > max_rows:
            raise TableError(
                _("{file}: sheet “{sheet}” has more than {limit} data rows; split it into smaller files.").format(
                    file=name, sheet=raw.name, limit=max_rows
                )
            )
        cells: dict[str, Cell] = {}
        for key, column in known:
            value = values[column.index - 1] if column.index <= len(values) else None
            if isinstance(value, str):
                value = value.strip() or None
            formula = formulas.get((number, column.index)) if value is None and formulas else None
            if formula:
                uncached += 1
            cells[key] = Cell(value, raw.name, number, column.index, formula)
        extra: dict[str, Cell] = {}
        for label, column in extra_columns:
            value = values[column.index - 1] if column.index <= len(values) else None
            if not is_blank(value):
                extra[label] = Cell(value, raw.name, number, column.index)
        rows.append(TableRow(raw.name, number, cells, extra, hidden=number in hidden_rows))
        if on_progress is not None and data_count % 500 == 0:
            on_progress(data_count, max(total_hint, data_count))
    if rows and uncached and not any(not cell.is_blank for row in rows for cell in row.cells.values()):
        raise TableError(
            _(
                "{file}: sheet “{sheet}” holds only formulas without saved results (the file was written "
                "by a program and never opened in Excel); open it in Excel or WPS, save it, and import again."
            ).format(file=name, sheet=raw.name)
        )
    if on_progress is not None:
        on_progress(data_count, data_count)
    return Table(
        path=path,
        kind=kind,
        sheet=raw.name,
        header_rows=best.rows,
        columns=columns,
        unknown_columns=unknown,
        rows=rows,
        skipped=skipped,
        sheets=names,
        duplicate_columns=duplicates,
        uncached_formulas=uncached,
        hidden_sheets=hidden_sheets,
        ambiguous_columns=ambiguous_columns,
        ignored_columns=ignored,
        header_columns=list(best.columns),
        extra_keys=extra_keys,
    )


def _extra_keys(header: Sequence[HeaderColumn], extra: Sequence[HeaderColumn]) -> dict[int, str]:
    """Column number → the key its values are kept under in ``TableRow.extra``: the header text, or
    ``header (letter)`` when another column of the header has the same text (nothing overwritten)."""
    counts = Counter(c.full_label for c in header if c.label)
    return {
        c.index: c.full_label if counts[c.full_label] == 1 else f"{c.full_label} ({c.letter})" for c in extra if c.label
    }


#: An override's key that skips the column altogether (neither a field nor an extra field).
IGNORE_KEY = "__ignore__"


def _overridden(column: HeaderColumn, index: dict[str, str]) -> bool:
    return any(OVERRIDE_PREFIX + form in index for form in column_forms(column))


def iter_values(table: Table, key: str) -> Iterable[tuple[Any, CellRef]]:
    """Every (value, ref) of one recognised column, blank cells skipped."""
    for row in table.rows:
        cell = row.cells.get(key)
        if cell is not None and not cell.is_blank:
            yield cell.value, cell.ref
