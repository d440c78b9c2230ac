"""The application list: search, filters and a lazily loaded table.

On a database without applications it shows the first steps of a call
instead (``intake.first_steps``). Every toolbar button has a tooltip;
"导出 Excel…" saves the list as filtered and sorted (all matching rows, not
only those loaded).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import ApplicationStatus
from reviewtool.gui.applications_model import ApplicationsModel
from reviewtool.gui.context import GuiContext
from reviewtool.gui.intake.first_steps import FirstStepsPanel
from reviewtool.gui.widgets.table_export import ExportTableAction
from reviewtool.i18n import _
from reviewtool.services.applications import ApplicationQuery, distinct_values, list_batches
from reviewtool.services.taxonomy import list_areas
from reviewtool.storage.models import Application, Unit

SEARCH_DELAY_MS = 250


class ApplicationsPage(QWidget):
    status_message = Signal(str)
    guide = "intake"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.model = ApplicationsModel(ctx, self)

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search title, unit, project leader or number…"))
        self.search.setClearButtonEnabled(True)
        self.batch_filter = QComboBox()
        self.status_filter = QComboBox()
        self.county_filter = QComboBox()
        self.category_filter = QComboBox()
        self.area_filter = QComboBox()
        self.area_filter.setMinimumContentsLength(14)
        self.area_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for label, combo in (
            (_("Batch"), self.batch_filter),
            (_("Status"), self.status_filter),
            (_("County"), self.county_filter),
            (_("Category"), self.category_filter),
            (_("Area"), self.area_filter),
        ):
            filters.addWidget(QLabel(label))
            filters.addWidget(combo, 1)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in enumerate((110, 340, 220, 130, 80, 240, 110, 110, 60)):
            self.table.setColumnWidth(column, width)

        self.count_label = QLabel()
        self.first_steps = FirstStepsPanel()
        self.first_steps.batch_button.clicked.connect(self.new_batch)
        self.first_steps.import_button.clicked.connect(self.import_applications)
        self.first_steps.new_button.clicked.connect(self.new_application)
        self.first_steps.sample_button.clicked.connect(self.import_applications)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.first_steps)
        self.toolbar = self._build_toolbar()
        self.table.doubleClicked.connect(
            lambda index: self.open_application(self.model.data(index, Qt.ItemDataRole.UserRole))
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.count_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._search_timer.start)
        for combo in (
            self.batch_filter,
            self.status_filter,
            self.county_filter,
            self.category_filter,
            self.area_filter,
        ):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.model.loaded.connect(self._show_count)
        self.model.failed.connect(self.status_message)
        ctx.bus.changed.connect(self._on_changes)
        self._filling = False
        self.refresh_filters()

    # -- filters -----------------------------------------------------------

    def refresh_filters(self) -> None:
        def load(session, _p, _c):
            batches = [(b.id, b.name) for b in list_batches(session)]
            counties = distinct_values(session, Unit.county)
            categories = distinct_values(session, Application.category)
            areas = [(a.code, a.title) for a in list_areas(session) if a.kind != "target"]
            return batches, counties, categories, areas

        self._ctx.run_db(load, self._fill_filters)

    def _fill_filters(self, result) -> None:
        batches, counties, categories, areas = result
        self._filling = True
        try:
            self._refill(self.batch_filter, [(None, _("All batches"))] + batches)
            self._refill(self.status_filter, [(None, _("All statuses"))] + [(s, s.label()) for s in ApplicationStatus])
            self._refill(self.county_filter, [(None, _("All counties"))] + [(c, c) for c in counties])
            self._refill(self.category_filter, [(None, _("All categories"))] + [(c, c) for c in categories])
            self._refill(
                self.area_filter, [(None, _("All areas"))] + [(code, f"{code} {title}") for code, title in areas]
            )
        finally:
            self._filling = False
        self.apply_filters()

    @staticmethod
    def _refill(combo: QComboBox, items) -> None:
        current = combo.currentData()
        combo.clear()
        for data, text in items:
            combo.addItem(text, data)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))

    def apply_filters(self) -> None:
        if self._filling:
            return
        status = self.status_filter.currentData()
        query = ApplicationQuery(
            text=self.search.text(),
            batch_id=self.batch_filter.currentData(),
            statuses=(status,) if status else (),
            county=self.county_filter.currentData(),
            category=self.category_filter.currentData(),
            area_code=self.area_filter.currentData(),
            sort_key=self.model.query.sort_key,
            descending=self.model.query.descending,
        )
        self.model.set_query(query)

    def _unfiltered(self) -> bool:
        query = self.model.query
        return not (query.text.strip() or query.batch_id or query.statuses or query.county or query.category
                    or query.area_code)  # fmt: skip

    def _show_count(self, loaded: int, total: int) -> None:
        first_run = total == 0 and self._unfiltered()
        if first_run:
            self.first_steps.show_batches(
                sum(1 for i in range(self.batch_filter.count()) if self.batch_filter.itemData(i))
            )
        self.stack.setCurrentWidget(self.first_steps if first_run else self.table)
        text = _("{total} applications").format(total=total)
        if loaded < total:
            text += " " + _("({loaded} loaded)").format(loaded=loaded)
        self.count_label.setText(text)
        self.status_message.emit(text)

    def _on_changes(self, changes) -> None:
        if changes.batches or changes.areas or changes.details.get("filter_values"):
            self.refresh_filters()  # imports and edits may bring new counties and categories
        elif changes.applications:
            self.model.reload()

    # -- intake actions ----------------------------------------------------------

    def _build_toolbar(self) -> QToolBar:
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.new_action = QAction(_("New application…"), self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self.new_application)
        self.open_action = QAction(_("Open…"), self)
        self.open_action.triggered.connect(lambda: self.open_application(self.selected_id()))
        self.import_action = QAction(_("Import…"), self)
        self.import_action.triggered.connect(self.import_applications)
        self.template_action = QAction(_("Template…"), self)
        self.template_action.triggered.connect(self.save_template)
        self.formal_action = QAction(_("Formal review…"), self)
        self.formal_action.triggered.connect(self.formal_review)
        self.confirm_areas_action = QAction(_("Confirm suggested areas"), self)
        self.confirm_areas_action.setToolTip(
            _("Make the suggested primary area the confirmed one for the selected applications that have none.")
        )
        self.confirm_areas_action.triggered.connect(lambda: self.confirm_suggested(self.selected_ids()))
        self.export_action = ExportTableAction(
            self._ctx,
            self.table,
            _("Applications"),
            self,
            describe=self._describe_filter,
            collect=self.model.export_rows,
            on_message=self.status_message.emit,
        )
        for action, tip in (
            (self.new_action, _("Type a new application into the form (in the batch chosen in the Batch filter).")),
            (self.open_action, _("Open the selected application's form (or double-click it).")),
            (self.import_action, _("Import applications from the bureau's summary sheet (Excel), with a preview.")),
            (self.template_action, _("Save a blank import sheet with every column the import reads.")),
            (self.formal_action, _("Record the formal review (形式审查) of the selected applications.")),
        ):
            action.setToolTip(tip)
        for action in (self.new_action, self.open_action, None, self.import_action, self.template_action, None,
                       self.formal_action, self.confirm_areas_action, None, self.export_action):  # fmt: skip
            if action is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(action)
        return toolbar

    def _describe_filter(self) -> str:
        parts = [self.search.text().strip()]
        parts += [combo.currentText() for combo in (self.batch_filter, self.status_filter, self.county_filter,
                  self.category_filter, self.area_filter) if combo.currentData() is not None]  # fmt: skip
        return "；".join(p for p in parts if p)

    def new_batch(self) -> None:
        """The first step of a call: the batches page when the window has one, else the import (which creates it)."""
        select_page = getattr(self.window(), "select_page", None)
        if select_page is not None and select_page("batches"):
            return
        self.import_applications()

    def selected_ids(self) -> list[int]:
        return [self.model.row(index.row()).id for index in self.table.selectionModel().selectedRows()]

    def pass_selected(self, ids: list[int], *, confirm: bool = True) -> None:
        """Formal review passed on every item, for several applications at once."""
        from reviewtool.services.intake.formal_review import pass_all

        if confirm and (
            QMessageBox.question(
                self,
                _("Formal review"),
                _("Mark every checklist item as passed for the {count} selected applications?").format(count=len(ids)),
            )
            != QMessageBox.StandardButton.Yes
        ):
            return
        actor = self._ctx.actor
        self._ctx.run_db(
            lambda session, _p, _c: pass_all(session, ids, actor=actor),
            self._ctx.bus.announce,
            lambda error: QMessageBox.warning(self, _("Error"), str(error)),
            label=_("Recording the formal review…"),
        )

    def confirm_suggested(self, ids: list[int]) -> None:
        from reviewtool.services.intake.tagging import confirm_suggestions

        if not ids:
            self.status_message.emit(_("Select an application first."))
            return
        actor = self._ctx.actor

        def done(changes) -> None:
            self.status_message.emit(changes.message)
            self._ctx.bus.announce(changes)

        self._ctx.run_db(
            lambda session, _p, _c: confirm_suggestions(session, ids, actor=actor),
            done,
            lambda error: QMessageBox.warning(self, _("Error"), str(error)),
        )

    def selected_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()).id if rows else None

    def _batch_for_new(self) -> int | None:
        batch_id = self.batch_filter.currentData()
        if batch_id is not None:
            return batch_id
        ids = [self.batch_filter.itemData(i) for i in range(self.batch_filter.count()) if self.batch_filter.itemData(i)]
        if len(ids) == 1:
            return ids[0]
        QMessageBox.information(
            self,
            _("New application"),
            _("Choose the batch in the Batch filter first (or import a sheet, which creates its batch)."),
        )
        return None

    def new_application(self) -> None:
        from reviewtool.gui.intake.application_form import ApplicationFormDialog

        batch_id = self._batch_for_new()
        if batch_id is None:
            return
        ApplicationFormDialog(self._ctx, batch_id=batch_id, parent=self).open()

    def open_application(self, application_id: int | None) -> None:
        from reviewtool.gui.intake.application_form import ApplicationFormDialog

        if application_id is None:
            return
        dialog = ApplicationFormDialog(self._ctx, application_id=application_id, parent=self)
        dialog.open()
        self.last_dialog = dialog

    def import_applications(self) -> None:
        from reviewtool.gui.intake.import_dialog import ImportDialog

        dialog = ImportDialog(self._ctx, self)
        dialog.open()
        self.last_dialog = dialog

    def save_template(self) -> None:
        from reviewtool.services.intake.template import write_template

        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the import template"), _("application-import-template.xlsx"), _("Workbooks (*.xlsx)")
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        self._ctx.run_db(
            lambda session, _p, _c: write_template(session, path),
            lambda written: self.status_message.emit(_("Template written: {path}").format(path=written)),
            lambda error: QMessageBox.warning(self, _("Error"), str(error)),
        )

    def formal_review(self) -> None:
        from reviewtool.gui.intake.formal_review_dialog import FormalReviewDialog

        ids = self.selected_ids()
        if not ids:
            self.status_message.emit(_("Select an application first."))
            return
        if len(ids) > 1:
            self.pass_selected(ids)
            return
        dialog = FormalReviewDialog(self._ctx, ids[0], self)
        dialog.open()
        self.last_dialog = dialog
