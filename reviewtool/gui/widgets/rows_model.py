"""A small read-only table model over plain row tuples.

Used for the panel screens' tables (members, plans, sheet status, votes,
calibration), which hold at most a few thousand rows already computed by a
service; each row keeps an opaque key (an id or id pair) for the actions.
Every such table sorts by a click on its header, and a ``FilterBar`` can
filter it (``widgets.table_arrange``). GUI thread only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from reviewtool.gui.widgets.table_arrange import ArrangedRows, cell_text, make_sortable

KEY_ROLE = Qt.ItemDataRole.UserRole + 1


class RowsModel(ArrangedRows, QAbstractTableModel):
    """Rows of values with a key and an optional background colour each. The
    user may sort and filter (``widgets.table_arrange``); row numbers are
    always those of the rows shown."""

    def __init__(self, headers: Sequence[str], parent=None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._all: list[tuple[tuple, Any, str | None]] = []  # (values, key, colour), the service's order
        self._rows: list[tuple] = []
        self._keys: list[Any] = []
        self._colours: list[str | None] = []
        self._init_arrangement()

    def set_rows(self, rows: Sequence[tuple], keys: Sequence[Any], colours: Sequence[str | None] | None = None) -> None:
        self.beginResetModel()
        colours = list(colours) if colours is not None else [None] * len(rows)
        self._all = [(tuple(r), k, c) for r, k, c in zip(rows, keys, colours, strict=False)]
        self._arrangement_changed()
        self.endResetModel()

    def _all_count(self) -> int:
        return len(self._all)

    def _texts_of_all(self) -> list[list[str]]:
        return [[cell_text(v) for v in values] for values, _key, _colour in self._all]

    def _sort_values_of_all(self, column: int) -> list[Any] | None:
        # Numbers given as numbers sort as numbers; texts go through sort_key.
        return [values[column] if column < len(values) else None for values, _key, _colour in self._all]

    def _show_order(self, order: list[int]) -> None:
        self._rows = [self._all[i][0] for i in order]
        self._keys = [self._all[i][1] for i in order]
        self._colours = [self._all[i][2] for i in order]

    def key(self, row: int) -> Any:
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def row_values(self, row: int) -> tuple:
        return self._rows[row]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(value)
        if role == KEY_ROLE:
            return self._keys[index.row()]
        if role == Qt.ItemDataRole.BackgroundRole and self._colours[index.row()]:
            return QBrush(QColor(self._colours[index.row()]))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None


def table_view(model: RowsModel):
    """A read-only, row-selecting table view for a ``RowsModel``."""
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    # Chinese headers of two to four characters stay readable on an empty table.
    view.horizontalHeader().setMinimumSectionSize(64)
    view.horizontalHeader().setDefaultSectionSize(110)
    make_sortable(view)
    return view


def selected_key(view) -> Any:
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    if not rows:
        return None
    return view.model().key(rows[0].row())
