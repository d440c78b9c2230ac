"""Create or edit one expert: identity, fields of expertise, contact details
(personal data, shown only here) and declared relations.

The fields are typed as area codes and named under the box. Cancel, Esc or
closing the window with changes not saved asks 保存 / 放弃 / 取消
(``widgets.unsaved_changes``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import RelationKind
from reviewtool.gui.widgets.area_titles import AreaCodesLabel, split_area_codes
from reviewtool.gui.widgets.unsaved_changes import UnsavedChanges
from reviewtool.gui.widgets.window_fit import fit_to_screen
from reviewtool.i18n import _
from reviewtool.services.experts.pool import ExpertInput, ExpertRow


def split_codes(text: str) -> list[str]:
    return split_area_codes(text)


class ExpertDialog(QDialog):
    """``values()`` gives the ``ExpertInput``; ``new_relations()`` and
    ``removed_relations()`` the relation edits, applied by the caller."""

    def __init__(
        self, row: ExpertRow | None = None, parent: QWidget | None = None, *, areas: dict[str, str] | None = None
    ) -> None:
        """``areas``: code → title of the plan's areas, to name the fields typed."""
        super().__init__(parent)
        self.setWindowTitle(_("Edit expert") if row else _("New expert"))
        self._row = row
        self.name = QLineEdit(row.name if row else "")
        self.unit = QLineEdit(row.unit or "" if row else "")
        self.title = QLineEdit(row.title or "" if row else "")
        self.speciality = QLineEdit(row.speciality or "" if row else "")
        self.areas = QLineEdit("、".join(row.area_codes) if row else "")
        self.areas.setPlaceholderText(_("e.g. HD-I01、HD-C1-1"))
        self.keywords = QLineEdit(row.keywords if row else "")
        self.phone = QLineEdit(row.phone or "" if row else "")
        self.email = QLineEdit(row.email or "" if row else "")
        self.id_tail = QLineEdit(row.id_number_tail or "" if row else "")
        self.id_tail.setMaxLength(8)
        self.is_staff = QCheckBox(_("Bureau staff (pre-scoring, not drawn)"))
        self.is_staff.setChecked(bool(row and row.is_staff))

        form = QFormLayout()
        form.addRow(_("Name") + " *", self.name)
        form.addRow(_("Work unit"), self.unit)
        form.addRow(_("Professional title"), self.title)
        form.addRow(_("Speciality"), self.speciality)
        form.addRow(_("Fields (priority-area codes)"), self.areas)
        self.area_titles = AreaCodesLabel(self.areas)
        self.area_titles.set_titles(areas or {})
        form.addRow("", self.area_titles)
        form.addRow(_("Keywords"), self.keywords)
        contact = QLabel(_("Contact details are personal data: used only to reach the expert."))
        contact.setWordWrap(True)
        contact.setStyleSheet("color: #666;")
        form.addRow(contact)
        form.addRow(_("Mobile phone"), self.phone)
        form.addRow(_("E-mail"), self.email)
        form.addRow(_("ID number, last digits"), self.id_tail)
        form.addRow(self.is_staff)

        self.relations = QListWidget()
        self._removed: list[int] = []
        self._new: list[tuple[RelationKind, str]] = []
        for relation in row.relations if row else ():
            item = QListWidgetItem(f"{relation.kind.label()}：{relation.target}")
            item.setData(Qt.ItemDataRole.UserRole, relation.id)
            self.relations.addItem(item)
        self.relation_kind = QComboBox()
        for kind in RelationKind:
            self.relation_kind.addItem(kind.label(), kind.value)
        self.relation_target = QLineEdit()
        self.relation_target.setPlaceholderText(_("Unit name, person's name or application number"))
        self.add_relation_button = QPushButton(_("Add"))
        self.remove_relation_button = QPushButton(_("Remove"))
        self.add_relation_button.clicked.connect(self._add_relation)
        self.remove_relation_button.clicked.connect(self._remove_relation)
        rel_row = QHBoxLayout()
        rel_row.addWidget(self.relation_kind)
        rel_row.addWidget(self.relation_target, 1)
        rel_row.addWidget(self.add_relation_button)
        rel_row.addWidget(self.remove_relation_button)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel(_("Declared relations (回避)")))
        layout.addWidget(self.relations)
        layout.addLayout(rel_row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 560, 620)
        self.unsaved = UnsavedChanges(
            self,
            lambda: (self.values(), self.relation_target.text(), tuple(self._new), tuple(self._removed)),
            self._accept,
        )
        self.unsaved.mark_saved()

    def reject(self) -> None:
        """Cancel, Esc and the close button: ask first when something typed is not saved."""
        if self.unsaved.may_close():
            super().reject()

    def _add_relation(self) -> None:
        target = self.relation_target.text().strip()
        if not target:
            return
        kind = RelationKind(self.relation_kind.currentData())
        self._new.append((kind, target))
        item = QListWidgetItem(f"{kind.label()}：{target}")
        item.setData(Qt.ItemDataRole.UserRole, None)
        self.relations.addItem(item)
        self.relation_target.clear()

    def _remove_relation(self) -> None:
        item = self.relations.currentItem()
        if item is None:
            return
        relation_id = item.data(Qt.ItemDataRole.UserRole)
        if relation_id is not None:
            self._removed.append(relation_id)
        else:
            text = item.text()
            self._new = [(k, t) for k, t in self._new if f"{k.label()}：{t}" != text]
        self.relations.takeItem(self.relations.row(item))

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.error.setText(_("The expert's name is required."))
            return
        self.accept()

    def values(self) -> ExpertInput:
        return ExpertInput(
            name=self.name.text().strip(),
            unit=self.unit.text().strip() or None,
            title=self.title.text().strip() or None,
            speciality=self.speciality.text().strip() or None,
            keywords=self.keywords.text().strip(),
            phone=self.phone.text().strip() or None,
            email=self.email.text().strip() or None,
            id_number_tail=self.id_tail.text().strip() or None,
            area_codes=split_codes(self.areas.text()),
            is_staff=self.is_staff.isChecked(),
        )

    def new_relations(self) -> list[tuple[RelationKind, str]]:
        return list(self._new)

    def removed_relations(self) -> list[int]:
        return list(self._removed)
