"""Merged cells of one .xlsx sheet (``<mergeCell ref="B5:B7"/>``).

The table reader opens workbooks read-only, where a merged range shows its
value in the top-left cell only and the others read as empty. A caller that
must not take those for blanks (a unit merged over several experts' rows)
asks here for the ranges and decides: fill the value down, or refuse.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl.utils import get_column_letter, range_boundaries

from reviewtool.core.tables.raw import _sheet_members

_MERGE_RE = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')


@dataclass(frozen=True)
class MergedRange:
    """A merged block; rows and columns are 1-based and inclusive."""

    min_col: int
    min_row: int
    max_col: int
    max_row: int

    @property
    def ref(self) -> str:
        return f"{get_column_letter(self.min_col)}{self.min_row}:{get_column_letter(self.max_col)}{self.max_row}"

    @property
    def vertical(self) -> bool:
        """One column over several rows."""
        return self.min_col == self.max_col and self.max_row > self.min_row


def merged_ranges(path: str | Path, sheet: str) -> list[MergedRange]:
    """The merged ranges of ``sheet`` (empty for CSV files and unreadable workbooks)."""
    path = Path(path)
    member = _sheet_members(path).get(sheet)
    if not member:
        return []
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read(member)
    except (KeyError, zipfile.BadZipFile, OSError):
        return []
    out = []
    for match in _MERGE_RE.finditer(data):
        try:
            min_col, min_row, max_col, max_row = range_boundaries(match.group(1).decode("ascii"))
        except ValueError:
            continue
        if None not in (min_col, min_row, max_col, max_row):
            out.append(MergedRange(min_col, min_row, max_col, max_row))
    return out
