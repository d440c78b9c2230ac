"""A safe reader for the tabular workbooks people really send.

One call, :func:`read_table`, takes a file and a list of :class:`ColumnSpec`
(a field key and the header texts it may appear under) and returns a
:class:`Table`: the sheet and header row(s) it found, which columns it
recognised, the unknown columns (kept, not dropped), and the data rows, each
cell carrying its sheet/row/column reference for error messages.

What it copes with:

- the file is sniffed by its bytes, not its name: a CSV or HTML page renamed
  ``.xlsx``/``.xls``, an old binary ``.xls``, a password-protected
  (encrypted OLE) workbook, a corrupt or truncated zip, a Word file, a PDF …
  each give one clear, translated :class:`TableError` naming the file;
- real ``.csv`` files (UTF-8 with or without BOM, or GB18030 as Chinese Excel
  writes them) are read through the same pipeline;
- the header row is found by content within the first ``header_search_rows``
  rows of every sheet, after a merged title row; one or two header rows, with
  merged group headers over sub-headers (``经费（万元）`` over ``申请经费`` /
  ``自筹经费``); header text is compared after NFKC normalisation, without
  spaces, line breaks, ``*`` markers and bracketed units;
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

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

from reviewtool.core.errors import UserError
from reviewtool.i18n import _

# -- limits ------------------------------------------------------------------

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 600 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 300
MAX_BLANK_RUN = 1_000
HEADER_SEARCH_ROWS = 30

TOTAL_WORDS = ("合计", "总计", "小计", "共计", "total", "subtotal")
NOTE_PREFIXES = ("注：", "注:", "说明", "填表说明", "备注：", "备注:", "note:", "notes:")
SEQUENCE_ALIASES = ("序号", "序", "no", "no.", "#", "seq")


class TableError(UserError):
    """The file cannot be read as a table; ``str()`` is the translated message."""


# -- public data types -------------------------------------------------------


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

    @property
    def display(self) -> str:
        return self.label or self.aliases[0]


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Cell:
    value: Any
    ref: CellRef
    formula: str | None = None  # set when the cell is a formula without a cached value

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
    ``extra`` holds unknown columns by their header label (non-blank cells only)."""

    sheet: str
    row: int
    cells: dict[str, Cell]
    extra: dict[str, Cell] = field(default_factory=dict)

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
    duplicate_columns: list[HeaderColumn] = field(default_factory=list)
    uncached_formulas: int = 0

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1

    def header_for(self, key: str) -> HeaderColumn | None:
        return self.columns.get(key)


# -- helpers -----------------------------------------------------------------

_BRACKETS = re.compile(r"[\(\[【〔][^\)\]】〕]*[\)\]】〕]")
_STRIP = re.compile(r"[\s\*＊:：·•_\-—]+")


def normalise_header(text: Any) -> str:
    """Header text reduced for comparison: NFKC, no brackets, spaces, ``*`` or colons, lower case."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = _BRACKETS.sub("", value)
    value = _STRIP.sub("", value)
    return value.lower()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# -- sniffing ----------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def sniff(path: Path) -> str:
    """What the file really is: ``"xlsx"`` or ``"csv"``; anything else raises :class:`TableError`."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise TableError(_("{file}: the file does not exist.").format(file=name))
    if path.is_dir():
        raise TableError(_("{file}: is a folder, not a workbook.").format(file=name))
    size = path.stat().st_size
    if size == 0:
        raise TableError(_("{file}: the file is empty (0 bytes).").format(file=name))
    if size > MAX_FILE_BYTES:
        raise TableError(
            _("{file}: the file is too large ({size} MB; at most {limit} MB can be imported).").format(
                file=name, size=size // (1024 * 1024), limit=MAX_FILE_BYTES // (1024 * 1024)
            )
        )
    with path.open("rb") as handle:
        head = handle.read(8192)
    suffix = path.suffix.lower()
    if head.startswith(ZIP_MAGIC) or head.startswith(b"PK\x05\x06"):
        _check_zip(path)
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise TableError(_describe_ole(path))
    if head.startswith(b"%PDF"):
        raise TableError(_("{file}: is a PDF document, not a workbook.").format(file=name))
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(_("{file}: is not a workbook or a text table (unrecognised binary data).").format(file=name))
    text = head.decode("utf-8", errors="ignore") if not head.startswith((b"\xff\xfe", b"\xfe\xff")) else ""
    lowered = text.lstrip("\ufeff \r\n\t").lower()
    if lowered.startswith(("<!doctype html", "<html", "<table", "<?xml", "<meta")):
        if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
            raise TableError(
                _("{file}: is an Excel 2003 XML spreadsheet; open it in Excel or WPS and save it as .xlsx.").format(
                    file=name
                )
            )
        raise TableError(
            _(
                "{file}: is a web page (HTML) with a spreadsheet name, as some online systems export; "
                "open it in Excel or WPS and save it as .xlsx."
            ).format(file=name)
        )
    if suffix in (".xlsx", ".xlsm", ".xls", ".xltx", ".et"):
        raise TableError(
            _(
                "{file}: is a plain-text (CSV) file renamed {suffix}, not a real workbook; "
                "rename it to .csv or open it in Excel or WPS and save it as .xlsx."
            ).format(file=name, suffix=suffix)
        )
    return "csv"


def _decode(data: bytes) -> str:
    """CSV text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 as Chinese Excel writes it."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _check_zip(path: Path) -> None:
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise TableError(
            _("{file}: the workbook is damaged or incomplete (not a valid zip package: {error}).").format(
                file=name, error=exc
            )
        ) from exc
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise TableError(_("{file}: is a Word document, not a workbook.").format(file=name))
        if "ppt/presentation.xml" in names:
            raise TableError(_("{file}: is a PowerPoint presentation, not a workbook.").format(file=name))
        if "content.xml" in names and "mimetype" in names:
            raise TableError(
                _("{file}: is an OpenDocument spreadsheet; save it as .xlsx in WPS or LibreOffice.").format(file=name)
            )
        raise TableError(_("{file}: is a zip archive, not an Excel workbook.").format(file=name))
    if total > MAX_UNCOMPRESSED_BYTES:
        raise TableError(
            _("{file}: the workbook unpacks to {size} MB, more than the {limit} MB allowed.").format(
                file=name, size=total // (1024 * 1024), limit=MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
            )
        )


def _describe_ole(path: Path) -> str:
    """An OLE compound file: encrypted OOXML, old binary .xls, or something else."""
    import olefile

    name = path.name
    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - any parse failure means a damaged file
        return _("{file}: the file is damaged (an unreadable Office compound file).").format(file=name)
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        return _(
            "{file}: the workbook is protected with a password; open it in Excel or WPS, "
            "remove the password (File → Info → Protect Workbook) and save it again."
        ).format(file=name)
    if "workbook" in streams or "book" in streams:
        return _(
            "{file}: is an old Excel 97-2003 workbook (.xls); open it in Excel or WPS and save it as .xlsx."
        ).format(file=name)
    if "worddocument" in streams:
        return _("{file}: is an old Word document (.doc), not a workbook.").format(file=name)
    return _("{file}: is an Office compound file but not an Excel workbook.").format(file=name)


# -- raw rows ----------------------------------------------------------------


@dataclass
class _RawSheet:
    name: str
    rows: Callable[[], Iterator[tuple]]  # fresh iterator over value tuples from row 1
    dimension_rows: int | None
    formulas: Callable[[], dict[tuple[int, int], str]]


_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF_RE = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA_RE = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE_RE = re.compile(rb"<v\b[^>]*>[^<]+</v>|<is\b", re.S)


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def _uncached_formulas(archive_path: Path, member: str) -> dict[tuple[int, int], str]:
    """Cells of one sheet XML that hold a formula but no cached value: (row, col) → formula text."""
    found: dict[tuple[int, int], str] = {}
    with zipfile.ZipFile(archive_path) as archive:
        try:
            data = archive.read(member)
        except KeyError:
            return found
    if b"<f" not in data:
        return found
    for match in _CELL_RE.finditer(data):
        body = match.group(2)
        if not body or b"<f" not in body:
            continue
        formula = _FORMULA_RE.search(body)
        if formula is None or _VALUE_RE.search(body):
            continue
        ref = _REF_RE.search(match.group(1))
        if ref is None:
            continue
        text = (formula.group(1) or b"").decode("utf-8", "replace")
        text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        found[(int(ref.group(2)), _column_number(ref.group(1)))] = "=" + text
    return found


def _sheet_members(path: Path) -> dict[str, str]:
    """Sheet name → zip member of its XML, read from the workbook's relationships."""
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    ns_pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    result: dict[str, str] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        return result
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{ns_pkg}Relationship")}
    for sheet in workbook.iter(f"{ns_main}sheet"):
        target = targets.get(sheet.get(f"{ns_rel}id"), "")
        member = target.lstrip("/") if target.startswith("/") else "xl/" + target
        result[sheet.get("name", "")] = member
    return result


def _open_xlsx(path: Path) -> tuple[Any, list[_RawSheet]]:
    import openpyxl

    name = path.name
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise TableError(
            _("{file}: the workbook cannot be read; it may be damaged ({error}).").format(
                file=name, error=type(exc).__name__
            )
        ) from exc
    members = _sheet_members(path)
    sheets: list[_RawSheet] = []
    for worksheet in workbook.worksheets:
        if not hasattr(worksheet, "iter_rows") or not hasattr(worksheet, "reset_dimensions"):
            continue  # chart sheets
        try:
            dimension_rows = worksheet.max_row
        except Exception:  # noqa: BLE001 - a malformed dimension element
            dimension_rows = None
        worksheet.reset_dimensions()  # do not pad to a bogus <dimension>; we pad rows ourselves

        def rows(ws=worksheet):
            return ws.iter_rows(values_only=True)

        member = members.get(worksheet.title)

        def formulas(member=member):
            return _uncached_formulas(path, member) if member else {}

        sheets.append(_RawSheet(worksheet.title, rows, dimension_rows, formulas))
    return workbook, sheets


def _open_csv(path: Path) -> list[_RawSheet]:
    data = path.read_bytes()
    try:
        text = _decode(data)
    except UnicodeDecodeError as exc:
        raise TableError(_("{file}: the text is neither UTF-8 nor GB18030 encoded.").format(file=path.name)) from exc
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    parsed = list(csv.reader(io.StringIO(text), dialect))
    if len(parsed) > MAX_ROWS:
        raise TableError(
            _("{file}: too many rows ({rows}; at most {limit}).").format(
                file=path.name, rows=len(parsed), limit=MAX_ROWS
            )
        )

    def rows():
        return iter(tuple(value if value != "" else None for value in row) for row in parsed)

    return [_RawSheet(path.stem, rows, len(parsed), dict)]


# -- header detection --------------------------------------------------------


def _alias_index(specs: Sequence[ColumnSpec]) -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in specs:
        for alias in spec.aliases:
            index.setdefault(normalise_header(alias), spec.key)
    return index


def _match(label: str, group: str | None, index: dict[str, str]) -> str | None:
    candidates = []
    if group:
        candidates.append(normalise_header(group + label))
    candidates.append(normalise_header(label))
    for candidate in candidates:
        if candidate and candidate in index:
            return index[candidate]
    return None


def _header_columns(top: tuple, sub: tuple | None, index: dict[str, str]) -> list[HeaderColumn]:
    width = max(len(top), len(sub) if sub else 0)
    columns: list[HeaderColumn] = []
    group: str | None = None
    for position in range(width):
        upper = _text(top[position]) if position < len(top) else ""
        lower = _text(sub[position]) if sub and position < len(sub) else ""
        if sub is None:
            if upper:
                columns.append(HeaderColumn(position + 1, upper, None, _match(upper, None, index)))
            continue
        if upper:
            group = upper if lower else None  # a header with a sub-header under it starts a group
        elif not lower:
            group = None
        if lower:
            columns.append(HeaderColumn(position + 1, lower, group, _match(lower, group, index)))
        elif upper:
            columns.append(HeaderColumn(position + 1, upper, None, _match(upper, None, index)))
    return columns


def _score(columns: list[HeaderColumn]) -> int:
    return len({c.key for c in columns if c.key})


@dataclass
class _Header:
    sheet: _RawSheet
    rows: tuple[int, ...]
    columns: list[HeaderColumn]
    score: int


def _find_header(sheet: _RawSheet, index: dict[str, str], search_rows: int) -> _Header | None:
    head: list[tuple] = []
    for number, row in enumerate(sheet.rows(), start=1):
        head.append(tuple(row))
        if number > search_rows:
            break
    best: _Header | None = None
    for position, row in enumerate(head[:search_rows]):
        if sum(1 for v in row if not is_blank(v)) < 2:
            continue
        single = _header_columns(row, None, index)
        candidate = _Header(sheet, (position + 1,), single, _score(single))
        if position + 1 < len(head):
            pair = _header_columns(row, head[position + 1], index)
            if _score(pair) > candidate.score:
                candidate = _Header(sheet, (position + 1, position + 2), pair, _score(pair))
        if best is None or candidate.score > best.score:
            best = candidate
    return best


# -- reading -----------------------------------------------------------------


def _is_sequence(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.\-()（）]*", text))


def _row_kind(values: tuple, sequence_columns: set[int]) -> tuple[str | None, str]:
    """``"blank"``, ``"total"``, ``"note"`` or None for a data row, with the text that decided."""
    texts = [(i, _text(v)) for i, v in enumerate(values, start=1) if not is_blank(v)]
    # A 序号 cell does not make a row data, unless it holds words (a note typed into column A).
    meaningful = [(i, t) for i, t in texts if i not in sequence_columns or not _is_sequence(t)]
    if not meaningful:
        return "blank", ""
    first = meaningful[0][1]
    compact = normalise_header(first)
    for _i, text in meaningful[:3]:
        if normalise_header(text) in TOTAL_WORDS or any(normalise_header(text).startswith(w) for w in ("合计", "总计")):
            return "total", text
    if len(meaningful) == 1 and first.lower().startswith(NOTE_PREFIXES):
        return "note", first
    if len(meaningful) == 1 and compact in TOTAL_WORDS:
        return "total", first
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
) -> Table:
    """Read the table described by ``specs`` from an .xlsx/.xlsm or .csv file.

    The sheet is the one named, or else the sheet whose header matches the
    most of ``specs``. Raises :class:`TableError` for files that are not
    readable tables, for a missing header, and for missing required columns.
    """
    path = Path(path)
    kind = sniff(path)
    workbook = None
    if kind == "xlsx":
        workbook, sheets = _open_xlsx(path)
    else:
        sheets = _open_csv(path)
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
    sheets: list[_RawSheet],
    specs: Sequence[ColumnSpec],
    *,
    sheet: str | None,
    header_search_rows: int,
    max_rows: int,
    max_columns: int,
    max_blank_run: int,
    on_progress: Callable[[int, int], None] | None,
    check_cancel: Callable[[], None] | None,
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
    index = _alias_index(specs)
    for alias in SEQUENCE_ALIASES:
        index.setdefault(normalise_header(alias), "__sequence__")
    best: _Header | None = None
    for raw in sheets:
        found = _find_header(raw, index, header_search_rows)
        if found is not None and (best is None or found.score > best.score):
            best = found
    required = [s for s in specs if s.required]
    expected = "、".join(s.display for s in (required or list(specs))[:6])
    if best is None or best.score - (1 if any(c.key == "__sequence__" for c in best.columns) else 0) < min(
        2, max(len(specs), 1)
    ):
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
    for column in best.columns:
        if column.key == "__sequence__":
            sequence_columns.add(column.index)
        elif column.key is None:
            unknown.append(column)
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
    missing = [s for s in required if s.key not in columns]
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
    known = list(columns.items())
    extra_columns = [c for c in unknown if c.label]
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
            cells[key] = Cell(value, CellRef(raw.name, number, column.index), formula)
        extra: dict[str, Cell] = {}
        for column in extra_columns:
            value = values[column.index - 1] if column.index <= len(values) else None
            if not is_blank(value):
                extra[column.full_label] = Cell(value, CellRef(raw.name, number, column.index))
        rows.append(TableRow(raw.name, number, cells, extra))
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
    )


def iter_values(table: Table, key: str) -> Iterable[tuple[Any, CellRef]]:
    """Every (value, ref) of one recognised column, blank cells skipped."""
    for row in table.rows:
        cell = row.cells.get(key)
        if cell is not None and not cell.is_blank:
            yield cell.value, cell.ref


def cell_text(value: Any) -> str:
    """A cell value as clean text (integers written as floats lose their ``.0``; dates as ISO)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)
