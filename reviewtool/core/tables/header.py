"""Finding the header row by content: one or two header rows after a merged
title row, merged group headers over sub-headers, each header matched to a
field by its aliases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reviewtool.core.tables.raw import RawSheet
from reviewtool.core.tables.text import is_blank, normalise_header, plain_text
from reviewtool.core.tables.types import ColumnSpec, HeaderColumn


def alias_index(specs: Sequence[ColumnSpec], overrides: dict[str, str | None] | None = None) -> dict[str, str]:
    """Normalised header text → key. ``overrides`` (header text as the sheet writes it, with a
    group as ``组/子表头``) win over the aliases; a value of None makes the column unknown."""
    index: dict[str, str] = {}
    for spec in specs:
        for alias in spec.aliases:
            index.setdefault(normalise_header(alias), spec.key)
    for header, key in (overrides or {}).items():
        for form in {header, header.replace("/", "")}:
            index[OVERRIDE_PREFIX + normalise_header(form)] = key or UNKNOWN
    return index


OVERRIDE_PREFIX = "\x00"
UNKNOWN = "__unknown__"


def column_forms(column: HeaderColumn) -> set[str]:
    """The normalised texts an override may name a column by: its sub-header, its full ``组/子表头``
    (with or without the slash) and group and sub-header run together."""
    forms = [column.label, column.full_label, column.full_label.replace("/", "")]
    if column.group:
        forms.append(column.group + column.label)
    return {normalise_header(form) for form in forms} - {""}


def names_column(header: str, column: HeaderColumn) -> bool:
    """Whether an override's header text (``--map 'HEADER=…'``) names this column of the sheet."""
    return bool({normalise_header(header), normalise_header(header.replace("/", ""))} & column_forms(column))


def _match(label: str, group: str | None, index: dict[str, str]) -> str | None:
    candidates = []
    if group:
        candidates.append(normalise_header(group + label))
    candidates.append(normalise_header(label))
    for candidate in candidates:  # a mapping the user gave wins, the full header first
        found = index.get(OVERRIDE_PREFIX + candidate) if candidate else None
        if found is not None:
            return None if found == UNKNOWN else found
    for candidate in candidates:
        if candidate and candidate in index:
            return index[candidate]
    return None


def _header_columns(top: tuple, sub: tuple | None, index: dict[str, str]) -> list[HeaderColumn]:
    width = max(len(top), len(sub) if sub else 0)
    columns: list[HeaderColumn] = []
    group: str | None = None
    for position in range(width):
        upper = plain_text(top[position]) if position < len(top) else ""
        lower = plain_text(sub[position]) if sub and position < len(sub) else ""
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
class FoundHeader:
    sheet: RawSheet
    rows: tuple[int, ...]
    columns: list[HeaderColumn]
    score: int


def find_header(sheet: RawSheet, index: dict[str, str], search_rows: int) -> FoundHeader | None:
    head: list[tuple] = []
    for number, row in enumerate(sheet.rows(), start=1):
        head.append(tuple(row))
        if number > search_rows:
            break
    best: FoundHeader | None = None
    for position, row in enumerate(head[:search_rows]):
        filled = sum(1 for v in row if not is_blank(v))
        if not filled:
            continue
        single = _header_columns(row, None, index)
        candidate = FoundHeader(sheet, (position + 1,), single, _score(single))
        if filled < 2 and not candidate.score:
            continue  # a merged title row (…申报汇总表) or a lone note; a lone known header (项目名称) may be one
        if filled >= 2 and position + 1 < len(head):
            pair = _header_columns(row, head[position + 1], index)
            if _score(pair) > candidate.score:
                candidate = FoundHeader(sheet, (position + 1, position + 2), pair, _score(pair))
        if best is None or candidate.score > best.score:
            best = candidate
    return best
