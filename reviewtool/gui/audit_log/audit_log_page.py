"""The audit log page (审计日志): who did what, when, to what, with the old and
the new value in words; filtered by batch, action, application, expert, user
and dates (and, among the rows shown, by any word); exported to Excel for 纪检 or an auditor.

The records are read by one background task (``services.audit_log``) as plain
rows; a hidden page does no work and reloads when shown after a change.
Threading: GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.gui.page_stack import LoadsWhenShown
from reviewtool.gui.widgets.filter_bar import FilterBar
from reviewtool.gui.widgets.rows_model import RowsModel, table_view
from reviewtool.i18n import N_, _
from reviewtool.services.applications import list_batches
from reviewtool.services.audit_log.query import AuditFilter, AuditRow, audit_rows
from reviewtool.services.audit_log.wording import ACTION_GROUPS
from reviewtool.services.audit_log.workbook import export_audit_log
from reviewtool.services.changes import Changes

COLUMNS = (N_("Time"), N_("Who"), N_("What"), N_("Object"), N_("Summary"), N_("Old value"), N_("New value"))
#: The newest records shown at most (the Excel export has them all).
SHOWN_LIMIT = 5000


class AuditLogPage(LoadsWhenShown, QWidget):
    status_message = Signal(str)
    loaded = Signal()
    page_key = "audit_log"
    guide = "audit_log"  # docs/audit_log.md

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[AuditRow] = []
        self._batches_loaded = False

        self.batch_combo = QComboBox()
        self.batch_combo.setMinimumContentsLength(20)
        self.batch_combo.addItem(_("All batches"), None)
        self.action_combo = QComboBox()
        self.action_combo.addItem(_("All actions"), None)
        for code, title in ACTION_GROUPS.items():
            self.action_combo.addItem(_(title), code)
        self.application_edit = QLineEdit()
        self.application_edit.setPlaceholderText(_("Application number"))
        self.expert_edit = QLineEdit()
        self.expert_edit.setPlaceholderText(_("Expert's name"))
        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("audit-user")
        self.user_edit.setPlaceholderText(_("Login of the user"))
        self.since_check = QCheckBox(_("From date"))
        self.since_edit = QDateEdit(QDate.currentDate().addMonths(-1))
        self.since_edit.setCalendarPopup(True)
        self.since_edit.setDisplayFormat("yyyy-MM-dd")
        self.since_edit.setEnabled(False)
        self.since_check.toggled.connect(self.since_edit.setEnabled)
        self.until_check = QCheckBox(_("To date"))
        self.until_edit = QDateEdit(QDate.currentDate())
        self.until_edit.setCalendarPopup(True)
        self.until_edit.setDisplayFormat("yyyy-MM-dd")
        self.until_edit.setEnabled(False)
        self.until_check.toggled.connect(self.until_edit.setEnabled)
        self.search_button = QPushButton(_("Show"))
        self.export_button = QPushButton(_("Export to Excel…"))
        self.export_button.setToolTip(
            _("Save the records shown by this filter as an Excel workbook (for 纪检 or an auditor).")
        )
        filters = QGridLayout()
        filters.addWidget(QLabel(_("Batch")), 0, 0)
        filters.addWidget(self.batch_combo, 0, 1)
        filters.addWidget(QLabel(_("Kind of action")), 0, 2)
        filters.addWidget(self.action_combo, 0, 3)
        filters.addWidget(self.since_check, 0, 4)
        filters.addWidget(self.since_edit, 0, 5)
        filters.addWidget(QLabel(_("Application")), 1, 0)
        filters.addWidget(self.application_edit, 1, 1)
        filters.addWidget(QLabel(_("Expert")), 1, 2)
        filters.addWidget(self.expert_edit, 1, 3)
        filters.addWidget(self.until_check, 1, 4)
        filters.addWidget(self.until_edit, 1, 5)
        filters.addWidget(QLabel(_("User")), 2, 0)
        filters.addWidget(self.user_edit, 2, 1)
        filters.addWidget(self.search_button, 2, 4)
        filters.addWidget(self.export_button, 2, 5)
        filters.setColumnStretch(1, 2)
        filters.setColumnStretch(3, 2)

        self.model = RowsModel([_(c) for c in COLUMNS], self)
        self.view = table_view(self.model)
        # Filter the rows shown (any word, or one user / action picked from those shown).
        self.filter_bar = FilterBar(self.view, choices=((1, _("Everyone")), (2, _("Every action"))))
        self.detail = QTextBrowser()
        self.detail.setObjectName("audit-detail")
        self.count_label = QLabel()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.count_label)
        layout.addWidget(self.filter_bar)
        layout.addWidget(split, 1)

        self.search_button.clicked.connect(self.refresh)
        self.application_edit.returnPressed.connect(self.refresh)
        self.expert_edit.returnPressed.connect(self.refresh)
        self.user_edit.returnPressed.connect(self.refresh)
        self.batch_combo.activated.connect(lambda _i: self.refresh())
        self.action_combo.activated.connect(lambda _i: self.refresh())
        self.export_button.clicked.connect(lambda _checked=False: self.export())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._show_detail())
        ctx.bus.changed.connect(self._on_changed)

    # -- loading -----------------------------------------------------------

    def current_filter(self, *, limit: int | None = SHOWN_LIMIT) -> AuditFilter:
        since = self.since_edit.date().toPython() if self.since_check.isChecked() else None
        until = self.until_edit.date().toPython() if self.until_check.isChecked() else None
        return AuditFilter(
            batch=self.batch_combo.currentData(),
            application=self.application_edit.text().strip() or None,
            expert=self.expert_edit.text().strip() or None,
            action=self.action_combo.currentData(),
            actor=self.user_edit.text().strip() or None,
            since=since,
            until=until,
            limit=limit,
        )

    def refresh(self) -> None:
        wanted = self.current_filter()
        need_batches = not self._batches_loaded

        def load(session, _p, _c):
            batches = [(b.id, b.name) for b in list_batches(session)] if need_batches else None
            return batches, audit_rows(session, wanted)

        self.ctx.run_db(load, self._show, self.show_error, supersede=self)

    def _show(self, result) -> None:
        batches, rows = result
        if batches is not None:
            self._batches_loaded = True
            for batch_id, name in batches:
                self.batch_combo.addItem(name, batch_id)
        rows = list(reversed(rows))  # newest first
        self.rows = rows
        self.model.set_rows(
            [(r.local_time, r.actor, r.action_title, r.entity, r.summary, r.old, r.new) for r in rows],
            [r.id for r in rows],
        )
        self.view.resizeColumnsToContents()
        for column in (4, 5, 6):
            self.view.setColumnWidth(column, min(self.view.columnWidth(column), 320))
        self.count_label.setText(
            _("{count} records, newest first.").format(count=len(rows))
            + (
                " " + _("Only the newest {limit} are shown; the export has them all.").format(limit=SHOWN_LIMIT)
                if len(rows) >= SHOWN_LIMIT
                else ""
            )  # fmt: skip
        )
        self.detail.setPlainText("")
        self.status_message.emit(_("Audit log: {count} records").format(count=len(rows)))
        self.loaded.emit()

    def _show_detail(self) -> None:
        indexes = self.view.selectionModel().selectedRows()
        if not indexes:
            return
        record_id = self.model.key(indexes[0].row())
        row = next((r for r in self.rows if r.id == record_id), None)
        if row is None:
            return
        lines = [
            f"{row.local_time}　{row.actor}　{row.action_title}",
            _("Object: {entity}").format(entity=row.entity),
        ]
        if row.batch:
            lines.append(_("Batch: {batch}").format(batch=row.batch))
        if row.summary:
            lines.append(row.summary)
        if row.old:
            lines.append(_("Before: {text}").format(text=row.old))
        if row.new:
            lines.append(_("After: {text}").format(text=row.new))
        self.detail.setPlainText("\n".join(lines))

    def _on_changed(self, changes: Changes) -> None:
        self.reload_when_seen()

    def show_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))

    # -- export ------------------------------------------------------------

    def export(self, path: str | None = None) -> None:
        if path is None:
            path, _filter = QFileDialog.getSaveFileName(
                self, _("Export the audit log"), _("audit log") + ".xlsx", _("Excel workbook (*.xlsx)")
            )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        wanted, actor = self.current_filter(limit=None), self.ctx.actor

        def run(session, _p, _c):
            return export_audit_log(session, path, wanted, actor=actor)

        def done(changes: Changes) -> None:
            self.status_message.emit(changes.message)
            self.refresh()

        self.ctx.run_db(run, done, self.show_error, label=_("Exporting the audit log…"), parent=self)
