"""The expert pool page: search, list, create / edit / suspend, import and export.

Contact details (personal data) are hidden unless "Show contact details" is ticked.
The table sorts by a click on a header; "导出 Excel…" saves it as shown.
Fields are shown as area codes with their titles.
All database work runs through ``ctx.run_db``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import ExpertStatus
from reviewtool.gui.context import GuiContext
from reviewtool.gui.experts.expert_dialog import ExpertDialog
from reviewtool.gui.widgets.area_titles import area_text, area_titles
from reviewtool.gui.widgets.reason_dialog import ReasonDialog
from reviewtool.gui.widgets.rows_model import RowsModel, selected_key, table_view
from reviewtool.gui.widgets.table_export import ExportTableAction
from reviewtool.i18n import _
from reviewtool.services.changes import Changes
from reviewtool.services.experts import pool, pool_workbook

FIELDS_COLUMN = 3
FIELDS_WIDTH = 280


class ExpertPoolPage(QWidget):
    status_message = Signal(str)
    guide = "experts"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[pool.ExpertRow] = []
        self.titles: dict[str, str] = {}
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search name, unit, speciality or keyword…"))
        self.search.setClearButtonEnabled(True)
        self.status_filter = QComboBox()
        self.status_filter.addItem(_("All"), None)
        for status in ExpertStatus:
            self.status_filter.addItem(status.label(), status.value)
        self.show_contact = QCheckBox(_("Show contact details"))
        self.new_button = QPushButton(_("New expert…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.status_button = QPushButton(_("Suspend…"))
        self.record_button = QPushButton(_("Service record…"))
        self.record_button.setToolTip(
            _("Staff only: the selected expert's panels, sheets on time or late, declines and calibration offset.")
        )
        self.import_button = QPushButton(_("Import…"))
        self.export_button = QPushButton(_("Export…"))
        self.template_button = QPushButton(_("Template…"))
        self.export_button.setToolTip(_("The whole pool in the import format, to edit in Excel and import again."))
        top = QHBoxLayout()
        top.addWidget(self.search, 2)
        top.addWidget(QLabel(_("Status")))
        top.addWidget(self.status_filter)
        top.addWidget(self.show_contact)
        top.addStretch(1)
        buttons = QHBoxLayout()
        for b in (self.new_button, self.edit_button, self.status_button, self.record_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.import_button, self.export_button, self.template_button):
            buttons.addWidget(b)
        self.model = RowsModel([])
        self.view = table_view(self.model)
        self.export_table_action = ExportTableAction(
            ctx, self.view, lambda: _("Expert pool"), self, on_message=self.status_message.emit
        )
        self.export_table_button = QPushButton(self.export_table_action.text())
        self.export_table_button.setToolTip(self.export_table_action.toolTip())
        self.export_table_button.clicked.connect(self.export_table_action.trigger)
        buttons.insertWidget(buttons.count() - 3, self.export_table_button)
        self.count_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        self.search.textChanged.connect(lambda _t: self.refresh())
        self.status_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.show_contact.toggled.connect(lambda _b: self.refresh())
        self.new_button.clicked.connect(self.new_expert)
        self.edit_button.clicked.connect(self.edit_expert)
        self.view.doubleClicked.connect(lambda _i: self.edit_expert())
        self.status_button.clicked.connect(self.toggle_status)
        self.record_button.clicked.connect(self.open_record)
        self.import_button.clicked.connect(lambda: self.import_pool())
        self.export_button.clicked.connect(lambda: self.export_pool())
        self.template_button.clicked.connect(lambda: self.write_template())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        ctx.bus.changed.connect(self._on_changed)
        self.refresh()

    # -- loading ------------------------------------------------------

    def _headers(self, contact: bool) -> list[str]:
        headers = [
            _("Name"),
            _("Work unit"),
            _("Professional title"),
            _("Fields"),
            _("Keywords"),
            _("Status"),
            _("Suspension reason"),
        ]
        if contact:
            headers += [_("Mobile phone"), _("E-mail")]
        return headers

    def refresh(self) -> None:
        text = self.search.text()
        data = self.status_filter.currentData()
        status = ExpertStatus(data) if data else None
        contact = self.show_contact.isChecked()

        def load(session, _p, _c):
            return pool.list_experts(session, text=text, status=status, with_contact=contact), area_titles(session)

        self.ctx.run_db(load, lambda result: self._show(*result, contact), self.show_error, supersede=self)

    def _show(self, rows: list[pool.ExpertRow], titles: dict[str, str], contact: bool) -> None:
        self.rows = rows
        self.titles = titles
        self.model._headers = self._headers(contact)
        values, colours = [], []
        for r in rows:
            line = [
                r.name,
                r.unit,
                r.title,
                "、".join(area_text(code, titles.get(code)) for code in r.area_codes),
                r.keywords,
                r.status.label(),
                r.status_reason or "",
            ]
            if contact:
                line += [r.phone or "", r.email or ""]
            values.append(line)
            colours.append("#f4e3e3" if r.status is ExpertStatus.SUSPENDED else None)
        self.model.set_rows(values, [r.id for r in rows], colours)
        self.view.resizeColumnsToContents()
        self.view.setColumnWidth(FIELDS_COLUMN, min(self.view.columnWidth(FIELDS_COLUMN), FIELDS_WIDTH))
        self.count_label.setText(_("{count} experts").format(count=len(rows)))
        self._update_buttons()

    def _selected(self) -> pool.ExpertRow | None:
        key = selected_key(self.view)
        return next((r for r in self.rows if r.id == key), None)

    def _update_buttons(self) -> None:
        row = self._selected()
        self.edit_button.setEnabled(row is not None)
        self.status_button.setEnabled(row is not None)
        self.record_button.setEnabled(row is not None)
        self.status_button.setText(
            _("Reactivate") if row is not None and row.status is ExpertStatus.SUSPENDED else _("Suspend…")
        )

    def _on_changed(self, changes: Changes) -> None:
        if changes.experts:
            self.refresh()

    def show_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))

    # -- actions ------------------------------------------------------

    def open_dialog(self, row: pool.ExpertRow | None) -> ExpertDialog:
        """The dialog for a new (``row`` None) or existing expert; shown by the caller."""
        return ExpertDialog(row, self, areas=self.titles)

    def open_record(self) -> None:
        """履职记录…: the selected expert's service record (staff only; refused otherwise)."""
        from reviewtool.gui.experts.service_record_dialog import ServiceRecordDialog

        row = self._selected()
        if row is None:
            return
        dialog = ServiceRecordDialog(self.ctx, row.id, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.record_dialog = dialog

    def new_expert(self) -> None:
        self._show_dialog(None)

    def _show_dialog(self, row: pool.ExpertRow | None) -> ExpertDialog:
        """Window-modal (``open``, not a nested ``exec``); saved when accepted."""
        dialog = self.open_dialog(row)
        dialog.accepted.connect(lambda: self.save_dialog(dialog, row.id if row else None))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.last_dialog = dialog
        return dialog

    def edit_expert(self) -> None:
        row = self._selected()
        if row is None:
            return

        def load(session, _p, _c):
            return pool.get_expert(session, row.id, with_contact=True)

        self.ctx.run_db(load, self._show_dialog, self.show_error)

    def save_dialog(self, dialog: ExpertDialog, expert_id: int | None) -> None:
        data = dialog.values()
        new_relations, removed = dialog.new_relations(), dialog.removed_relations()
        actor = self.ctx.actor

        def save(session, _p, _c):
            if expert_id is None:
                target, changes = pool.create_expert(session, data, actor=actor)
            else:
                target, changes = expert_id, pool.update_expert(session, expert_id, data, actor=actor)
            for relation_id in removed:
                pool.remove_relation(session, relation_id, actor=actor)
            for kind, text in new_relations:
                pool.add_relation(session, target, kind, text, actor=actor)
            return changes

        self.ctx.run_db(save, self._done, self.show_error)

    def _done(self, changes: Changes) -> None:
        if changes.message:
            self.status_message.emit(changes.message)
        self.ctx.bus.announce(changes)

    def toggle_status(self) -> None:
        row = self._selected()
        if row is None:
            return
        actor = self.ctx.actor
        if row.status is ExpertStatus.SUSPENDED:
            new_status, reason = ExpertStatus.ACTIVE, ""
        else:
            dialog = ReasonDialog(_("Suspend expert"), _("Why is {name} suspended?").format(name=row.name), self)
            if not dialog.exec():
                return
            new_status, reason = ExpertStatus.SUSPENDED, dialog.reason()

        def save(session, _p, _c):
            return pool.set_status(session, row.id, new_status, reason, actor=actor)

        self.ctx.run_db(save, self._done, self.show_error)

    def import_pool(self, path: str | None = None) -> None:
        """Check the file first (a dry run); when the check has notes (hidden sheets or rows,
        merged cells filled down, a phone or e-mail another expert has), show them and import
        only on 导入; a file without notes is imported at once."""
        if not path:
            path, _f = QFileDialog.getOpenFileName(self, _("Import expert pool"), "", _("Workbooks (*.xlsx *.csv)"))
        if not path:
            return
        actor = self.ctx.actor

        def check(session, progress, cancel):
            return pool_workbook.import_pool(
                session, Path(path), actor=actor, dry_run=True, progress=progress, cancel=cancel
            )

        self.ctx.run_db(
            check,
            lambda preview: self._confirm_import(path, preview),
            self.show_error,
            label=_("Checking the expert pool file…"),
            cancellable=True,
        )

    def _confirm_import(self, path: str, preview: pool_workbook.PoolImportResult) -> None:
        if not preview.notes:
            self._run_import(path)
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(_("Import expert pool"))
        box.setText(
            _("Check these notes before importing {file}:").format(file=Path(path).name) + "\n\n" + preview.summary()
        )
        box.setObjectName("expert-import-preview")
        go = box.addButton(_("Import"), QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(box.addButton(_("Cancel"), QMessageBox.ButtonRole.RejectRole))
        box.buttonClicked.connect(lambda button: button is go and self._run_import(path))
        self.import_preview = box
        box.open()

    def _run_import(self, path: str) -> None:
        actor = self.ctx.actor

        def run(session, progress, cancel):
            result = pool_workbook.import_pool(session, Path(path), actor=actor, progress=progress, cancel=cancel)
            result.changes.message = result.summary()  # the counts, kept columns and merged cells filled down
            return result.changes

        self.ctx.run_db(run, self._done, self.show_error, label=_("Importing the expert pool…"), cancellable=True)

    def export_pool(self, path: str | None = None) -> None:
        if not path:
            path, _f = QFileDialog.getSaveFileName(
                self, _("Export expert pool"), "专家库.xlsx", _("Workbooks (*.xlsx)")
            )
        if not path:
            return
        actor = self.ctx.actor
        contact = self.show_contact.isChecked()

        def run(session, _p, _c):
            saved, count = pool_workbook.export_pool(session, Path(path), actor=actor, with_contact=contact)
            return Changes(message=_("Exported {count} experts to {path}").format(count=count, path=saved))

        self.ctx.run_db(run, self._done, self.show_error)

    def write_template(self, path: str | None = None) -> None:
        if not path:
            path, _f = QFileDialog.getSaveFileName(self, _("Save template"), "专家库模板.xlsx", _("Workbooks (*.xlsx)"))
        if path:
            pool_workbook.write_template(Path(path))
            self.status_message.emit(_("Template written to {path}").format(path=path))
