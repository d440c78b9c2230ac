"""Raw rows of every sheet of an .xlsx (with the formulas that have no cached
value) or of a .csv (UTF-8 with or without BOM, or GB18030).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from reviewtool.core.tables.sniff import decode_text
from reviewtool.core.tables.types import MAX_ROWS, TableError
from reviewtool.i18n import _


@dataclass
class RawSheet:
    name: str
    rows: Callable[[], Iterator[tuple]]  # fresh iterator over value tuples from row 1
    dimension_rows: int | None
    formulas: Callable[[], dict[tuple[int, int], str]]
    hidden: bool = False  # the sheet is hidden (or very hidden) in the workbook
    hidden_rows: Callable[[], set[int]] = set  # 1-based numbers of rows hidden in Excel


_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF_RE = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA_RE = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE_RE = re.compile(rb"<v\b[^>]*>[^<]+</v>|<is\b", re.S)
_ROW_RE = re.compile(rb"<row\b([^>]*)>")
_HIDDEN_RE = re.compile(rb'\bhidden="(?:1|true)"')
_ROW_NUMBER_RE = re.compile(rb'\br="(\d+)"')


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


def _hidden_rows(archive_path: Path, member: str) -> set[int]:
    """Rows marked hidden in one sheet's XML (``<row r="7" hidden="1">``)."""
    with zipfile.ZipFile(archive_path) as archive:
        try:
            data = archive.read(member)
        except KeyError:
            return set()
    if b"hidden" not in data:
        return set()
    found = set()
    for match in _ROW_RE.finditer(data):
        attributes = match.group(1)
        if _HIDDEN_RE.search(attributes):
            number = _ROW_NUMBER_RE.search(attributes)
            if number:
                found.add(int(number.group(1)))
    return found


def _sheet_states(path: Path) -> dict[str, str]:
    """Sheet name → its state in workbook.xml (``visible``, ``hidden``, ``veryHidden``)."""
    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        return {}
    return {sheet.get("name", ""): sheet.get("state", "visible") for sheet in workbook.iter(f"{ns_main}sheet")}


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


def open_xlsx(path: Path) -> tuple[Any, list[RawSheet]]:
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
    states = _sheet_states(path)
    sheets: list[RawSheet] = []
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

        def hidden_rows(member=member):
            return _hidden_rows(path, member) if member else set()

        hidden = states.get(worksheet.title, "visible") != "visible"
        sheets.append(RawSheet(worksheet.title, rows, dimension_rows, formulas, hidden, hidden_rows))
    return workbook, sheets


def open_csv(path: Path) -> list[RawSheet]:
    data = path.read_bytes()
    try:
        text = decode_text(data)
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

    return [RawSheet(path.stem, rows, len(parsed), dict)]
