"""A read-only table model over rows a service has already computed.

``headers`` are ``N_()``-marked strings, translated when shown; subclasses
implement ``data``, reading ``self.rows[index.row()]``. The user can sort
and filter the table (``widgets.table_arrange``): ``all_rows`` keeps every
row in the service's order and ``rows`` is what the view shows, so
``rows[view_row]`` is always the row the user sees there. Assigning
``rows`` (inside a model reset) stores new rows and arranges them.
GUI thread only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from reviewtool.gui.widgets.table_arrange import SORT_ROLE, ArrangedRows, cell_text
from reviewtool.i18n import _


class RowTableModel(ArrangedRows, QAbstractTableModel):
    headers: tuple[str, ...] = ()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.all_rows: list[Any] = []
        self._shown: list[Any] = []
        self._init_arrangement()

    @property
    def rows(self) -> list[Any]:
        """The rows shown, in the order shown."""
        return self._shown

    @rows.setter
    def rows(self, rows: Iterable[Any]) -> None:
        self.all_rows = list(rows)
        self._arrangement_changed()

    def set_rows(self, rows: Iterable[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    # -- arrangement hooks (the subclass's ``data`` reads ``self.rows``) ----------

    def _all_count(self) -> int:
        return len(self.all_rows)

    def _show_order(self, order: list[int]) -> None:
        self._shown = [self.all_rows[i] for i in order]

    def _cells_of_all(self, role: int, columns: Iterable[int] | None = None) -> list[list[Any]]:
        shown, self._shown = self._shown, self.all_rows
        try:
            columns = list(range(self.columnCount()) if columns is None else columns)
            return [[self.data(self.createIndex(r, c), role) for c in columns] for r in range(len(self.all_rows))]
        finally:
            self._shown = shown

    def _texts_of_all(self) -> list[list[str]]:
        return [[cell_text(v) for v in row] for row in self._cells_of_all(Qt.ItemDataRole.DisplayRole)]

    def _sort_values_of_all(self, column: int) -> list[Any] | None:
        values = [row[0] for row in self._cells_of_all(SORT_ROLE, [column])]
        return values if any(v is not None for v in values) else None

    # -- Qt API ----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self.headers[section])
        return None
