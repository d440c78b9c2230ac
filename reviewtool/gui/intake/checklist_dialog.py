"""Editing a batch's formal-review checklist (形式审查清单).

Items are matched by code, so results already recorded stay attached; an item
removed here is deactivated by the service, never deleted.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import N_, _
from reviewtool.services.intake import formal_review

CHECKLIST_COLUMNS = (N_("Code"), N_("Checklist item"), N_("In use"))


class ChecklistModel(QAbstractTableModel):
    """Rows of [code, text, active], edited in place."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.items: list[list] = []

    def set_items(self, items) -> None:
        self.beginResetModel()
        self.items = [[i.code, i.text, i.active] for i in items]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(CHECKLIST_COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(CHECKLIST_COLUMNS[section])
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 2:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        code, text, active = self.items[index.row()]
        if index.column() == 2:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if active else Qt.CheckState.Unchecked
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return code if index.column() == 0 else text
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        if index.column() == 2 and role == Qt.ItemDataRole.CheckStateRole:
            self.items[index.row()][2] = Qt.CheckState(value) == Qt.CheckState.Checked
        elif index.column() in (0, 1) and role == Qt.ItemDataRole.EditRole:
            self.items[index.row()][index.column()] = str(value).strip()
        else:
            return False
        self.dataChanged.emit(index, index)
        return True

    def add(self) -> int:
        row = len(self.items)
        self.beginInsertRows(QModelIndex(), row, row)
        self.items.append([f"item_{row + 1}", "", True])
        self.endInsertRows()
        return row

    def move(self, row: int, delta: int) -> int:
        target = row + delta
        if not (0 <= row < len(self.items) and 0 <= target < len(self.items)):
            return row
        self.beginResetModel()
        self.items[row], self.items[target] = self.items[target], self.items[row]
        self.endResetModel()
        return target


class ChecklistDialog(QDialog):
    def __init__(self, ctx: GuiContext, batch_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.batch_id = batch_id
        self.setWindowTitle(_("Formal-review checklist"))
        self.resize(760, 420)
        self.model = ChecklistModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnWidth(0, 150)
        row_buttons = QHBoxLayout()
        self.add_button = QPushButton(_("Add item"))
        self.up_button = QPushButton(_("Move up"))
        self.down_button = QPushButton(_("Move down"))
        self.add_button.clicked.connect(self._add)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        for button in (self.add_button, self.up_button, self.down_button):
            row_buttons.addWidget(button)
        row_buttons.addStretch(1)
        note = QLabel(_("Untick “In use” to stop using an item; results already recorded are kept."))
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row_buttons)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        actor = ctx.actor
        ctx.run_db(
            lambda session, _p, _c: formal_review.ensure_checklist(session, batch_id, actor=actor),
            self.model.set_items,
            self._error,
        )

    def _selected_row(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _add(self) -> None:
        row = self.model.add()
        self.view.selectRow(row)
        self.view.edit(self.model.index(row, 1))

    def _move(self, delta: int) -> None:
        row = self._selected_row()
        if row is not None:
            self.view.selectRow(self.model.move(row, delta))

    def save(self) -> None:
        items = [(code, text, active) for code, text, active in self.model.items]
        batch_id, actor = self.batch_id, self._ctx.actor
        self._ctx.run_db(
            lambda session, _p, _c: formal_review.save_checklist(session, batch_id, items, actor=actor),
            self._saved,
            self._error,
        )

    def _saved(self, changes) -> None:
        self._ctx.bus.announce(changes)
        self.accept()

    def _error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))
