"""The import dialog's column mapping (表头对应): every header of the sheet with a
drop-down of the import's fields beside it (and “ignore” / “keep as extra
field”), pre-filled with what the import recognised. Choosing a field emits
``mapping_changed``; the dialog previews again with the new mapping."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from reviewtool.core.intake.fields import EXTRA, FIELDS, IGNORE
from reviewtool.i18n import N_, _

COLUMNS = (N_("Column letter"), N_("Header in the sheet"), N_("Read as"))
AMBIGUOUS_COLOUR = "#fff3cd"
MAPPED_COLOUR = "#e3f2fd"


class MappingTable(QTableWidget):
    """Header → field drop-downs. Thread: GUI only; holds plain values, no session."""

    mapping_changed = Signal(str, str)  # header text, field key (or IGNORE / EXTRA)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([_(c) for c in COLUMNS])
        self.verticalHeader().setVisible(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.combos: dict[str, QComboBox] = {}

    def set_headers(self, uses) -> None:
        """Show the headers the import read (``HeaderUse`` rows), each with its current field chosen."""
        self.combos = {}
        self.setRowCount(len(uses))
        for row, use in enumerate(uses):
            letter = QTableWidgetItem(use.letter)
            text = QTableWidgetItem(use.header)
            if use.ambiguous:
                text.setToolTip(_("This header can mean two things: choose what it is."))
            colour = AMBIGUOUS_COLOUR if use.ambiguous else (MAPPED_COLOUR if use.mapped else None)
            for item in (letter, text):
                if colour:
                    item.setBackground(QBrush(QColor(colour)))
                self.setItem(row, 0 if item is letter else 1, item)
            combo = QComboBox()
            for field in FIELDS:
                combo.addItem(field.header, field.key)
            combo.addItem(_("keep as extra field"), EXTRA)
            combo.addItem(_("ignore"), IGNORE)
            combo.setCurrentIndex(max(combo.findData(use.key), 0))
            combo.setAccessibleName(use.header)
            combo.currentIndexChanged.connect(
                lambda _i, h=use.header, c=combo: self.mapping_changed.emit(h, c.currentData())
            )
            self.setCellWidget(row, 2, combo)
            self.combos[use.header] = combo
        self.resizeColumnToContents(0)
        self.resizeColumnToContents(2)
