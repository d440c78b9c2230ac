"""The safe table reader's limits and data types: what a caller asks for
(``ColumnSpec``) and what it gets back (``Table`` with ``TableRow`` cells
that carry their sheet/row/column reference for error messages).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from reviewtool.core.errors import UserError
from reviewtool.core.tables.text import is_blank

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 300
MAX_BLANK_RUN = 1_000
HEADER_SEARCH_ROWS = 30


class TableError(UserError):
    """The file cannot be read as a table; ``str()`` is the translated message."""


@dataclass(frozen=True)
class ColumnSpec:
    """A column the caller understands: a key and the header texts it may carry.

    ``aliases`` are compared after :func:`normalise_header`, so ``"项目名称"``
    also matches ``"项目 名称*"`` and ``"项目名称（全称）"``. ``required``
    columns must be present in the header (values are the caller's business).
    """

    key: str
    aliases: tuple[str, ...]
    required: bool = False
    label: str = ""  # how messages name the column; defaults to the first alias
    repeatable: bool = False  # several columns may feed it (``key``, ``key#2`` …), the caller sums them

    @property
    def display(self) -> str:
        return self.label or self.aliases[0]


@dataclass(frozen=True, slots=True)
class CellRef:
    """Where a value came from. ``row`` and ``column`` are 1-based, as Excel shows them."""

    sheet: str
    row: int
    column: int

    @property
    def letter(self) -> str:
        return get_column_letter(self.column)

    @property
    def a1(self) -> str:
        return f"{self.letter}{self.row}"

    def __str__(self) -> str:
        return f"{self.sheet}!{self.a1}"


@dataclass(slots=True)
class Cell:
    """One cell's value and where it came from. Treat it as immutable (``dataclasses.replace`` for a
    changed copy); it is not frozen only because a big sheet makes millions of them, and a frozen
    dataclass is several times slower to build. The reference is made when asked for."""

    value: Any
    sheet: str
    row: int  # 1-based, as Excel shows them
    column: int
    formula: str | None = None  # set when the cell is a formula without a cached value

    @property
    def ref(self) -> CellRef:
        return CellRef(self.sheet, self.row, self.column)

    @property
    def is_blank(self) -> bool:
        return is_blank(self.value)


@dataclass(frozen=True)
class HeaderColumn:
    """One column of the header: its position and the text found there."""

    index: int  # 1-based column number
    label: str  # the sub-header (or only) header text, as written
    group: str | None = None  # the merged group header above it, if any
    key: str | None = None  # the ColumnSpec key it matched, None when unknown

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)

    @property
    def full_label(self) -> str:
        return f"{self.group}/{self.label}" if self.group else self.label


@dataclass
class TableRow:
    """One data row. ``cells`` holds recognised columns by key (blank cells included);
    ``extra`` holds unknown columns (and a field's later columns when it is matched twice) by their
    header label, with the column letter when two columns share it (non-blank cells only)."""

    sheet: str
    row: int
    cells: dict[str, Cell]
    extra: dict[str, Cell] = field(default_factory=dict)
    hidden: bool = False  # the row is hidden in Excel

    def get(self, key: str, default: Any = None) -> Any:
        cell = self.cells.get(key)
        return default if cell is None or cell.is_blank else cell.value

    def ref(self, key: str) -> CellRef | None:
        cell = self.cells.get(key)
        return cell.ref if cell else None


@dataclass(frozen=True)
class SkippedRow:
    row: int
    reason: str  # "blank", "total", "note"
    text: str = ""


@dataclass
class Table:
    path: Path
    kind: str  # "xlsx" or "csv"
    sheet: str
    header_rows: tuple[int, ...]
    columns: dict[str, HeaderColumn]
    unknown_columns: list[HeaderColumn]
    rows: list[TableRow]
    skipped: list[SkippedRow]
    sheets: list[str]
    duplicate_columns: list[HeaderColumn] = field(default_factory=list)  # a field matched again: kept as extras
    uncached_formulas: int = 0
    hidden_sheets: list[str] = field(default_factory=list)  # hidden sheets not read (not named)
    ambiguous_columns: list[HeaderColumn] = field(default_factory=list)  # headers that need a choice
    ignored_columns: list[HeaderColumn] = field(default_factory=list)  # mapped to "ignore"
    missing: list[str] = field(default_factory=list)  # required columns not found (lenient reads only)
    header_columns: list[HeaderColumn] = field(default_factory=list)  # every column of the header, in order
    #: Column number → its key in ``TableRow.extra`` (unknown columns, and fields matched twice).
    extra_keys: dict[int, str] = field(default_factory=dict)

    def cells_of(self, row: TableRow, key: str) -> list[Cell]:
        """Every cell of a repeatable key in one row (``key``, ``key#2`` …)."""
        return [cell for k, cell in row.cells.items() if k == key or k.startswith(key + "#")]

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1

    def header_for(self, key: str) -> HeaderColumn | None:
        return self.columns.get(key)
