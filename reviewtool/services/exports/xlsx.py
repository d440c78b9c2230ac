"""Safe, tidy Excel workbooks with openpyxl — generic helpers any feature
may use (funding lists, score matrices, offline scoring workbooks …).

- **Injection-safe.** ``write_cell`` writes every string as a string. A
  string that a spreadsheet would read as a formula or command (starting
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is stored as a
  text cell with Excel's *quote prefix* — exactly what Excel stores when a
  user types ``'=…`` — so it is shown literally, never evaluated, and stays
  text when edited. ``is_formula_like`` tells which strings those are.
- **Tidy.** ``TableSheet`` writes an optional merged title row, bold header
  rows that stay frozen, typed columns (money in 万元 with ``#,##0.00``,
  points ``0.00``, shares ``0.0%``, dates), an autofilter and column widths
  fitted to the content (CJK characters count double).
- **Printable.** ``page_setup`` gives a sheet A4 paper (landscape when
  wide), fit to one page width, the header rows repeated on every page and
  a footer ``第 &P 页 共 &N 页``; ``TableSheet.finish`` applies it, and sets
  the height of each row to fit its wrapped text (LibreOffice and WPS do
  not grow rows by themselves, so wrapped titles would overlap). A sheet
  laid out cell by cell gets both from ``finish_sheet`` (row heights from
  its wrapped cells: ``fit_row_heights``).
- **Formulas on purpose.** ``write_formula`` is the one way to write a
  formula (a 合计 ``=SUM(…)``, a running 累计), so edited amounts update the
  totals; text is never a formula.
- **Safe saving.** ``save_workbook`` writes to a temporary file beside the
  target and renames it, so a failed export never leaves half a file.

Only plain styles, fonts and number formats are used, so the files open
cleanly in Excel, WPS and LibreOffice.

Thread-safety: none needed; each call works on its own workbook.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reviewtool.services import files

#: Characters that make a spreadsheet treat a cell as a formula or command.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

MONEY_FORMAT = "#,##0.00"  # 万元, two decimals
POINTS_FORMAT = "0.00"
SHARE_FORMAT = "0.0%"
INT_FORMAT = "0"
DATE_FORMAT = "yyyy-mm-dd"

HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="E8ECF2")
THIN = Side(style="thin", color="999999")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MAX_WIDTH = 60
MIN_WIDTH = 6
#: Excel refuses sheet names with these characters.
_BAD_SHEET_CHARS = set("[]:*?/\\")


def is_formula_like(text: str) -> bool:
    return bool(text) and text.startswith(FORMULA_TRIGGERS)


def _clean_text(text: str) -> str:
    # XML 1.0 cannot hold most control characters; openpyxl would refuse them.
    return "".join(ch for ch in text if ch in "\t\n\r" or unicodedata.category(ch) != "Cc")


def write_cell(ws: Worksheet, row: int, column: int, value: Any, number_format: str | None = None) -> Cell:
    """Write one value safely; strings are never formulas."""
    cell = ws.cell(row=row, column=column)
    if value is None:
        cell.value = None
    elif isinstance(value, str):
        text = _clean_text(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl would otherwise make '=…' a formula
        if is_formula_like(text):
            cell.quotePrefix = True
    elif isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, Decimal)):
        cell.value = value
    elif isinstance(value, float):
        cell.value = Decimal(str(value))
    elif isinstance(value, (dt.date, dt.datetime)):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        return write_cell(ws, row, column, str(value), number_format)
    if number_format and not isinstance(value, str):
        cell.number_format = number_format
    return cell


def write_formula(ws: Worksheet, row: int, column: int, formula: str, number_format: str | None = None) -> Cell:
    """A formula cell (``formula`` starts with ``=``); the only way formulas get into an export."""
    if not formula.startswith("="):
        raise ValueError(formula)
    cell = ws.cell(row=row, column=column)
    cell.value = formula
    cell.data_type = "f"
    if number_format:
        cell.number_format = number_format
    return cell


FOOTER_TEXT = "第 &P 页 共 &N 页"
LINE_HEIGHT = 15  # points per line of 11-point text
#: A table wider than this (in character columns) prints landscape.
LANDSCAPE_WIDTH = 110
MAX_ROW_HEIGHT = 409  # points: the tallest row Excel allows
DEFAULT_COLUMN_WIDTH = 8.43  # what Excel shows for a column without a width


def page_setup(ws: Worksheet, *, landscape: bool = False, title_rows: str | None = None) -> None:
    """A4, fit to one page width (any height), header rows repeated, page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = FOOTER_TEXT
    ws.oddFooter.center.size = 9
    ws.evenFooter.center.text = FOOTER_TEXT


def _column_width(ws: Worksheet, column: int) -> float:
    letter = get_column_letter(column)
    if letter in ws.column_dimensions and ws.column_dimensions[letter].width:
        return ws.column_dimensions[letter].width
    return DEFAULT_COLUMN_WIDTH


def fit_row_heights(ws: Worksheet, first_row: int = 1) -> None:
    """Make each row from ``first_row`` down tall enough for its wrapped cells (a
    merged cell has the width of its columns); a height already set is only raised."""
    spans = {(r.min_row, r.min_col): r.max_col for r in ws.merged_cells.ranges if r.min_row == r.max_row}
    for cells in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in cells:
            if cell.value is None or not cell.alignment.wrap_text:
                continue
            last = spans.get((cell.row, cell.column), cell.column)
            width = sum(_column_width(ws, column) for column in range(cell.column, last + 1))
            lines = max(lines, lines_needed(cell.value, width))
        if lines > 1:
            row = cells[0].row
            height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)
            if (ws.row_dimensions[row].height or 0) < height:
                ws.row_dimensions[row].height = height


def finish_sheet(ws: Worksheet, *, title_rows: str | None = None, landscape: bool | None = None) -> None:
    """Row heights fitted to wrapped text and the page setup (``page_setup``) of a
    sheet written cell by cell; landscape when its columns are wider than a portrait page."""
    fit_row_heights(ws)
    if landscape is None:
        landscape = sum(_column_width(ws, c) for c in range(1, ws.max_column + 1)) > LANDSCAPE_WIDTH
    page_setup(ws, landscape=landscape, title_rows=title_rows)


def lines_needed(value: Any, width: float) -> int:
    """How many lines ``value`` takes in a wrapped cell ``width`` characters wide."""
    if value is None:
        return 1
    text = f"{value:,.2f}" if isinstance(value, Decimal) else str(value)
    room = max(1.0, width - 1.5)
    total = 0
    for line in text.split("\n"):
        columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        total += max(1, -(-columns // int(room)))
    return total


def display_width(value: Any) -> int:
    """Approximate column width of a value: East Asian wide characters count 2."""
    if value is None:
        return 0
    if isinstance(value, Decimal):
        text = f"{value:,.2f}"
    else:
        text = str(value)
    longest = max((line for line in text.split("\n")), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def sheet_title(text: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique worksheet name (31 characters, no []:*?/\\)."""
    base = "".join("_" if ch in _BAD_SHEET_CHARS else ch for ch in text).strip("'") or "Sheet"
    base = base[:31]
    taken_lower = {t.lower() for t in taken}
    name, n = base, 2
    while name.lower() in taken_lower:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    return name


@dataclass(frozen=True)
class Column:
    """One column of a ``TableSheet``.

    ``kind``: ``text``, ``money`` (万元, ``#,##0.00``), ``points``,
    ``int``, ``share`` (a 0..1 fraction shown as a percentage) or ``date``.
    """

    title: str
    kind: str = "text"
    width: float | None = None  # fixed width; None fits the content
    wrap: bool | None = None  # None: wrap text columns of fixed width

    @property
    def wraps(self) -> bool:
        return self.wrap if self.wrap is not None else (self.kind == "text" and self.width is not None)

    @property
    def number_format(self) -> str | None:
        return {
            "money": MONEY_FORMAT,
            "points": POINTS_FORMAT,
            "int": INT_FORMAT,
            "share": SHARE_FORMAT,
            "date": DATE_FORMAT,
        }.get(self.kind)


class TableSheet:
    """A worksheet holding one table: optional title row, a bold frozen
    header, typed rows. Call ``finish`` once the rows are written."""

    def __init__(
        self,
        ws: Worksheet,
        columns: Sequence[Column],
        *,
        title: str | None = None,
        group_headers: Sequence[tuple[str, int]] = (),
        start_row: int = 1,
    ) -> None:
        """``group_headers`` adds a first header row of merged cells spanning
        columns, given as (text, span) pairs, e.g. one per expert above the
        criteria columns of a score matrix. ``start_row`` leaves the rows
        above for other content (a notice text)."""
        self.ws = ws
        self.columns = list(columns)
        self._widths = [display_width(c.title) for c in self.columns]
        self.row = start_row
        if title:
            write_cell(ws, self.row, 1, title).font = TITLE_FONT
            if len(self.columns) > 1:
                ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=len(self.columns))
            ws.row_dimensions[self.row].height = 24
            self.row += 1
        self.first_header_row = self.row
        if group_headers:
            column = 1
            for text, span in group_headers:
                cell = write_cell(ws, self.row, column, text)
                self._header_style(cell)
                for extra in range(column + 1, column + span):
                    self._header_style(ws.cell(row=self.row, column=extra))
                if span > 1:
                    ws.merge_cells(
                        start_row=self.row, start_column=column, end_row=self.row, end_column=column + span - 1
                    )
                column += span
            self.row += 1
        for index, column_def in enumerate(self.columns, start=1):
            self._header_style(write_cell(ws, self.row, index, column_def.title))
        self.header_row = self.row
        self.row += 1
        self.first_data_row = self.row
        self._rows: list[tuple[int, list[Any]]] = []

    @staticmethod
    def _header_style(cell: Cell) -> None:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def append(self, values: Sequence[Any], *, bold: bool = False) -> int:
        """Write one row; returns its row number."""
        for index, (column, value) in enumerate(zip(self.columns, values, strict=False), start=1):
            cell = write_cell(self.ws, self.row, index, value, column.number_format)
            if column.wraps:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if bold:
                cell.font = HEADER_FONT
            self._widths[index - 1] = max(self._widths[index - 1], display_width(value))
        self._rows.append((self.row, list(values)))
        self.row += 1
        return self.row - 1

    def finish(self, *, autofilter: bool = True, landscape: bool | None = None, freeze: bool = True) -> None:
        """Freeze the header, add a filter, set column widths and row heights, set up printing."""
        if freeze:
            self.ws.freeze_panes = self.ws.cell(row=self.first_data_row, column=1)
        if autofilter and self.row > self.first_data_row:
            last = get_column_letter(len(self.columns))
            self.ws.auto_filter.ref = f"A{self.header_row}:{last}{self.row - 1}"
        widths = []
        for index, column in enumerate(self.columns, start=1):
            width = column.width or min(MAX_WIDTH, max(MIN_WIDTH, self._widths[index - 1] + 2))
            self.ws.column_dimensions[get_column_letter(index)].width = width
            widths.append(width)
        for row, values in self._rows:
            lines = max(
                (lines_needed(v, w) for v, c, w in zip(values, self.columns, widths, strict=False) if c.wraps),
                default=1,
            )
            if lines > 1:
                self.ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines)
        header_lines = max(lines_needed(c.title, w) for c, w in zip(self.columns, widths, strict=True))
        if header_lines > 1:
            self.ws.row_dimensions[self.header_row].height = LINE_HEIGHT * header_lines
        wide = sum(widths) > LANDSCAPE_WIDTH if landscape is None else landscape
        page_setup(self.ws, landscape=wide, title_rows=f"{self.first_header_row}:{self.header_row}")


def new_workbook() -> Workbook:
    """An empty workbook (the default sheet removed)."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def add_sheet(wb: Workbook, title: str) -> Worksheet:
    return wb.create_sheet(sheet_title(title, wb.sheetnames))


def save_workbook(wb: Workbook, path: str | Path) -> Path:
    """Save atomically: a temporary file beside the target, then a rename."""
    path = Path(path)
    files.write_with(path, wb.save)
    return path
