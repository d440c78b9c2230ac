"""The application list: search, filters and a lazily loaded table."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import ApplicationStatus
from reviewtool.gui.applications_model import ApplicationsModel
from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.applications import ApplicationQuery, distinct_values, list_batches
from reviewtool.services.taxonomy import list_areas
from reviewtool.storage.models import Unit

SEARCH_DELAY_MS = 250


class ApplicationsPage(QWidget):
    status_message = Signal(str)

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
        self.area_filter = QComboBox()
        self.area_filter.setMinimumContentsLength(14)
        self.area_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        for label, combo in (
            (_("Batch"), self.batch_filter),
            (_("Status"), self.status_filter),
            (_("County"), self.county_filter),
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
        for column, width in enumerate((110, 360, 230, 130, 80, 80, 110, 110, 60)):
            self.table.setColumnWidth(column, width)

        self.count_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(self._search_timer.start)
        for combo in (self.batch_filter, self.status_filter, self.county_filter, self.area_filter):
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
            areas = [(a.code, a.title) for a in list_areas(session) if a.kind != "target"]
            return batches, counties, areas

        self._ctx.run_db(load, self._fill_filters)

    def _fill_filters(self, result) -> None:
        batches, counties, areas = result
        self._filling = True
        try:
            self._refill(self.batch_filter, [(None, _("All batches"))] + batches)
            self._refill(self.status_filter, [(None, _("All statuses"))] + [(s, s.label()) for s in ApplicationStatus])
            self._refill(self.county_filter, [(None, _("All counties"))] + [(c, c) for c in counties])
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
            area_code=self.area_filter.currentData(),
            sort_key=self.model.query.sort_key,
            descending=self.model.query.descending,
        )
        self.model.set_query(query)

    def _show_count(self, loaded: int, total: int) -> None:
        text = _("{total} applications").format(total=total)
        if loaded < total:
            text += " " + _("({loaded} loaded)").format(loaded=loaded)
        self.count_label.setText(text)
        self.status_message.emit(text)

    def _on_changes(self, changes) -> None:
        if changes.batches or changes.areas:
            self.refresh_filters()
        elif changes.applications:
            self.model.reload()
