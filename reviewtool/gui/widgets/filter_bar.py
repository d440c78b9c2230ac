"""A small bar above a table: a filter box, a choice box per chosen column
(e.g. expert, status), a count of the rows shown and, optionally, the
"导出 Excel…" button.

The table's model must be one of the in-memory arranged models
(``RowTableModel`` or ``RowsModel``); filtering happens in the model, so
row numbers stay those of the rows shown. GUI thread only.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from reviewtool.gui.widgets.table_arrange import RowFilter
from reviewtool.i18n import _


class FilterBar(QWidget):
    """``choices``: (column, text of the "all" entry) for each column to pick a value of."""

    changed = Signal()

    def __init__(
        self,
        view,
        *,
        choices: Sequence[tuple[int, str]] = (),
        placeholder: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.view = view
        self.model = view.model()
        self.search = QLineEdit()
        self.search.setObjectName("table-filter")
        self.search.setClearButtonEnabled(True)
        self.search.setPlaceholderText(placeholder or _("Filter: type words to show only the rows containing them…"))
        self.search.setToolTip(_("Shows only the rows that contain every word typed (in any column)."))
        self.combos: dict[int, QComboBox] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search, 2)
        for column, all_text in choices:
            combo = QComboBox()
            combo.setObjectName(f"table-filter-{column}")
            combo.addItem(all_text, None)
            combo.setMinimumContentsLength(8)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setToolTip(all_text)
            combo.currentIndexChanged.connect(self._apply)
            self.combos[column] = combo
            layout.addWidget(combo, 1)
        self.count_label = QLabel()
        widest = _("{shown} of {total} shown").format(shown=88888, total=88888)
        self.count_label.setMinimumWidth(self.count_label.fontMetrics().horizontalAdvance(widest))  # no jumps
        layout.addWidget(self.count_label)
        self.action_buttons: list[QPushButton] = []
        self._layout = layout
        self.search.textChanged.connect(self._apply)
        self.model.modelReset.connect(self._rows_changed)
        self.model.layoutChanged.connect(self._show_count)
        self._rows_changed()

    def add_action(self, action: QAction) -> QPushButton:
        """A button for ``action`` (e.g. the table's export) at the bar's right end."""
        button = QPushButton(action.text())
        button.setToolTip(action.toolTip())
        button.clicked.connect(action.trigger)
        self._layout.addWidget(button)
        self.action_buttons.append(button)
        return button

    def row_filter(self) -> RowFilter:
        columns = tuple(
            (column, combo.currentData()) for column, combo in self.combos.items() if combo.currentData() is not None
        )
        return RowFilter(self.search.text(), columns)

    def describe(self) -> str:
        """The filter in words, for an export's title; empty when unfiltered."""
        parts = [
            f"{self.model.headerData(column, Qt.Orientation.Horizontal)}：{combo.currentData()}"
            for column, combo in self.combos.items()
            if combo.currentData() is not None
        ]
        if self.search.text().strip():
            parts.append(_("containing “{text}”").format(text=self.search.text().strip()))
        return "；".join(parts)

    def _apply(self, *_args) -> None:
        self.model.set_filter(self.row_filter())
        self.changed.emit()

    def _rows_changed(self) -> None:
        """New rows: offer their values in the choice boxes, keeping the choice."""
        for column, combo in self.combos.items():
            chosen = combo.currentData()
            values = self.model.distinct_values(column)
            current = [combo.itemData(i) for i in range(1, combo.count())]
            if values != current:
                combo.blockSignals(True)
                while combo.count() > 1:
                    combo.removeItem(1)
                for value in values:
                    combo.addItem(value, value)
                index = combo.findData(chosen) if chosen is not None else 0
                combo.setCurrentIndex(max(index, 0))
                combo.blockSignals(False)
                if chosen is not None and index < 0:
                    self._apply()  # the chosen value is gone: show everything again
        self._show_count()

    def _show_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_count
        self.count_label.setText(
            _("{shown} of {total} shown").format(shown=shown, total=total) if self.model.row_filter.active else ""
        )
