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
- **Safe saving.** ``save_workbook`` writes to a temporary file beside the
  target and renames it, so a failed export never leaves half a file.

Only plain styles, fonts and number formats are used, so the files open
cleanly in Excel, WPS and LibreOffice.

Thread-safety: none needed; each call works on its own workbook.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
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
    wrap: bool = False

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
    ) -> None:
        """``group_headers`` adds a first header row of merged cells spanning
        columns, given as (text, span) pairs, e.g. one per expert above the
        criteria columns of a score matrix."""
        self.ws = ws
        self.columns = list(columns)
        self._widths = [display_width(c.title) for c in self.columns]
        self.row = 1
        if title:
            write_cell(ws, 1, 1, title).font = TITLE_FONT
            if len(self.columns) > 1:
                ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(self.columns))
            ws.row_dimensions[1].height = 24
            self.row = 2
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
            if column.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            if bold:
                cell.font = HEADER_FONT
            self._widths[index - 1] = max(self._widths[index - 1], display_width(value))
        self.row += 1
        return self.row - 1

    def finish(self, *, autofilter: bool = True) -> None:
        """Freeze the header, add a filter, set column widths."""
        self.ws.freeze_panes = self.ws.cell(row=self.first_data_row, column=1)
        if autofilter and self.row > self.first_data_row:
            last = get_column_letter(len(self.columns))
            self.ws.auto_filter.ref = f"A{self.header_row}:{last}{self.row - 1}"
        for index, column in enumerate(self.columns, start=1):
            width = column.width or min(MAX_WIDTH, max(MIN_WIDTH, self._widths[index - 1] + 2))
            self.ws.column_dimensions[get_column_letter(index)].width = width


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
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".~", suffix=".xlsx", dir=path.parent)
    os.close(handle)
    try:
        wb.save(temp)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
