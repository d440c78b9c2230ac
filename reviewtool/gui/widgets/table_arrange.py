"""Sorting and filtering for the in-memory table models.

The tables of computed rows (ranking, 拟立项, the expert pool, 评审表 …) hold
at most a few thousand rows a service has already computed. Their models
(``RowTableModel``, ``RowsModel``) keep every row in the service's order and
show an *arranged* list: the rows the filter lets through, in the order the
user chose by clicking a header. A view row is therefore a model row, so
page code that reads ``model.rows[view_row]`` or ``model.key(view_row)``
stays right after the user sorts or filters: there is no proxy index to map,
and so none to forget. (The application list, which can be large and is
loaded page by page, sorts and filters in SQL instead.)

- **Sorting**: numbers by value (``1,234.50``, ``7.5``, ``80%``, ``30.00 ✎``),
  text by the Chinese collation (pinyin order; ``HD-I5`` before ``HD-I14``),
  blanks and ``—`` last in either direction; ties keep the service's order.
  Clicking a header a third time returns to the service's order.
- **Filtering**: ``RowFilter`` — words that must all appear in the row
  (case-insensitive), and exact values for chosen columns (expert, status …).

GUI thread only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QCollator, QLocale, QModelIndex, Qt

#: Optional role a model may answer with the exact value to sort by.
SORT_ROLE = Qt.ItemDataRole.UserRole + 20

_BLANKS = {"", "—", "-", "–"}
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_DECORATION = re.compile(r"\s*(✎|%|万元)$")
_collator: QCollator | None = None


def _collate(text: str) -> Any:
    global _collator
    if _collator is None:
        _collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        _collator.setNumericMode(True)
        _collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return _collator.sortKey(text)


def cell_text(value: Any) -> str:
    return "" if value is None else str(value)


def sort_key(value: Any) -> tuple[int, Any] | None:
    """(0, number) or (1, collation key); None for a blank (sorted last)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return (0, Decimal(int(value)))
    if isinstance(value, (int, Decimal)):
        return (0, Decimal(value))
    if isinstance(value, float):
        return (0, Decimal(repr(value)))
    text = str(value).strip()
    if text in _BLANKS:
        return None
    bare = _DECORATION.sub("", text)
    if _NUMBER.match(bare):
        try:
            return (0, Decimal(bare.replace(",", "")))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            pass
    return (1, _collate(text))


@dataclass(frozen=True)
class RowFilter:
    """Which rows to show: every word of ``text`` somewhere in the row, and
    ``columns`` — (column, exact text) pairs — all equal."""

    text: str = ""
    columns: tuple[tuple[int, str], ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.text.strip() or self.columns)

    def matches(self, texts: Sequence[str], joined: str | None = None) -> bool:
        """``joined``: the row's ``joined_text`` when the caller keeps it."""
        for column, value in self.columns:
            if column >= len(texts) or texts[column] != value:
                return False
        words = self.text.casefold().split()
        if not words:
            return True
        joined = joined_text(texts) if joined is None else joined
        return all(word in joined for word in words)


def joined_text(texts: Sequence[str]) -> str:
    """A row's texts as one string the filter's words are looked for in."""
    return "\u0001".join(texts).casefold()


def arrange(
    texts: Sequence[Sequence[str]],
    row_filter: RowFilter,
    column: int,
    descending: bool,
    sort_values: Sequence[Any] | None = None,
    *,
    keys: Sequence[Any] | None = None,
    joined: Sequence[str] | None = None,
) -> list[int]:
    """Indices of the rows to show, in the order to show them. ``keys`` (the
    ``sort_key`` of every row's cell in ``column``) and ``joined`` (every row's
    ``joined_text``) may be given when the caller keeps them."""
    if not row_filter.active:
        shown = list(range(len(texts)))
    elif joined is not None:
        shown = [i for i, row in enumerate(texts) if row_filter.matches(row, joined[i])]
    else:
        shown = [i for i, row in enumerate(texts) if row_filter.matches(row)]
    if column < 0:
        return shown
    if keys is None:
        keys = [sort_key(sort_values[i] if sort_values is not None else row[column]) for i, row in enumerate(texts)]
    filled = [i for i in shown if keys[i] is not None]
    blank = [i for i in shown if keys[i] is None]
    # Numbers before text; Python's sort is stable (also with reverse=True),
    # so ties keep the service's order.
    filled.sort(key=keys.__getitem__, reverse=descending)
    return filled + blank


class ArrangedRows:
    """Mixin for a ``QAbstractItemModel`` holding all its rows in memory.

    The model implements ``_all_count()``, ``_texts_of_all()`` (display text of
    every cell of every row, in the service's order) and ``_show_order(order)``
    (make ``order``, a list of indices into all rows, what the model shows);
    optionally ``_sort_values_of_all(column)``. It calls ``_arrangement_changed()``
    (inside its reset) whenever it gets new rows.
    """

    def _init_arrangement(self) -> None:
        self._sort_column = -1
        self._descending = False
        self._filter = RowFilter()
        self._text_cache: list[list[str]] | None = None
        self._joined_cache: list[str] | None = None
        self._key_cache: dict[int, list[Any]] = {}  # column -> sort_key of each row's cell
        self._order: list[int] = []

    # -- hooks ---------------------------------------------------------------

    def _all_count(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def _texts_of_all(self) -> list[list[str]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _sort_values_of_all(self, column: int) -> list[Any] | None:
        return None

    def _show_order(self, order: list[int]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- state ---------------------------------------------------------------

    @property
    def row_filter(self) -> RowFilter:
        return self._filter

    @property
    def total_count(self) -> int:
        """Rows before filtering."""
        return self._all_count()

    def all_texts(self) -> list[list[str]]:
        if self._text_cache is None:
            self._text_cache = self._texts_of_all()
        return self._text_cache

    def distinct_values(self, column: int) -> list[str]:
        """The column's different non-blank texts over all rows, in sort order."""
        values = {row[column] for row in self.all_texts() if column < len(row) and row[column].strip()}
        return sorted(values, key=lambda v: sort_key(v) or (2, ""))

    def _sort_keys(self, column: int) -> list[Any]:
        """``sort_key`` of every row's cell in ``column``, kept until new rows arrive."""
        keys = self._key_cache.get(column)
        if keys is None:
            values = self._sort_values_of_all(column)
            if values is None:
                values = [row[column] if column < len(row) else None for row in self.all_texts()]
            keys = self._key_cache[column] = [sort_key(v) for v in values]
        return keys

    def _compute_order(self) -> list[int]:
        if not self._filter.active and self._sort_column < 0:
            return list(range(self._all_count()))
        keys = self._sort_keys(self._sort_column) if self._sort_column >= 0 else None
        joined = None
        if self._filter.text.strip():
            if self._joined_cache is None:
                self._joined_cache = [joined_text(row) for row in self.all_texts()]
            joined = self._joined_cache
        return arrange(self.all_texts(), self._filter, self._sort_column, self._descending, keys=keys, joined=joined)

    def _arrangement_changed(self) -> None:
        """New rows arrived: forget cached texts and keys, arrange them (no signals)."""
        self._text_cache = None
        self._joined_cache = None
        self._key_cache = {}
        self._order = self._compute_order()
        self._show_order(self._order)

    # -- Qt API ----------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        model: QAbstractItemModel = self  # type: ignore[assignment]
        column = column if 0 <= column < model.columnCount() else -1
        model.layoutAboutToBeChanged.emit()
        persistent = model.persistentIndexList()
        before = [self._order[p.row()] if 0 <= p.row() < len(self._order) else None for p in persistent]
        self._sort_column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._order = self._compute_order()
        self._show_order(self._order)
        position = {source: row for row, source in enumerate(self._order)}
        after = [
            model.index(position[source], p.column()) if source in position else QModelIndex()
            for p, source in zip(persistent, before, strict=True)
        ]
        model.changePersistentIndexList(persistent, after)
        model.layoutChanged.emit()

    def set_filter(self, row_filter: RowFilter) -> None:
        if row_filter == self._filter:
            return
        model: QAbstractItemModel = self  # type: ignore[assignment]
        model.beginResetModel()
        self._filter = row_filter
        self._order = self._compute_order()
        self._show_order(self._order)
        model.endResetModel()


def make_sortable(view) -> None:
    """Let the user sort ``view`` (whose model is ``ArrangedRows``) by clicking
    a header: ascending, descending, then back to the service's order. The
    table opens in the service's order."""
    header = view.horizontalHeader()
    header.setSortIndicatorClearable(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
