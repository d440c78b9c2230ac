"""The funding page (拟立项): the ranked list with recommended amounts
(edited with a reason), the budget, the rule, the cut line and remaining
budget, the sensitivity marks, and the plan view (table and bar chart).

Threading: GUI thread only; all database work goes through ``ctx.run_db``
and comes back as plain ``FundingView`` data.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import FundingRule
from reviewtool.core.funding import Stability
from reviewtool.gui.context import GuiContext
from reviewtool.gui.funding.amount_dialog import AmountDialog, money, points
from reviewtool.gui.funding.bar_chart import Bar, BarChart
from reviewtool.gui.funding.draft_warning import confirm_draft
from reviewtool.gui.funding.plan_view import PlanModel, QuotaDialog, plan_in_tree_order
from reviewtool.gui.widgets.area_titles import area_text
from reviewtool.gui.widgets.filter_bar import FilterBar
from reviewtool.gui.widgets.row_table_model import RowTableModel
from reviewtool.gui.widgets.stage_choice import StageChoice
from reviewtool.gui.widgets.table_arrange import make_sortable
from reviewtool.gui.widgets.table_export import ExportTableAction
from reviewtool.gui.widgets.window_fit import shrinkable
from reviewtool.i18n import N_, _
from reviewtool.services import funding
from reviewtool.services.applications import list_batches
from reviewtool.services.stages.stage import stage_choices

COLUMNS = (
    N_("Rank"),
    N_("Application no."),
    N_("Project title"),
    N_("Priority area"),
    N_("Score"),
    N_("Mean"),
    N_("Trimmed mean"),
    N_("Median"),
    N_("Requested (10k yuan)"),
    N_("Recommended (10k yuan)"),
    N_("Cumulative (10k yuan)"),
    N_("Decision"),
    N_("Sensitivity"),
    N_("Meeting vote"),
    N_("Reason for the amount"),
)
AMOUNT_COLUMN = 9
RIGHT = (0, 4, 5, 6, 7, 8, 9, 10)
STABILITY_COLOURS = {
    Stability.STABLE_IN: "#e3f4e6",
    Stability.STABLE_OUT: "#f1f1f1",
    Stability.BORDERLINE: "#fff3cd",
}
INCOMPLETE_COLOUR = "#fde8cc"


class FundingModel(RowTableModel):
    """Rows of one ``FundingView`` (``FundingRow``s, ordered by rank by the service)."""

    headers = COLUMNS

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.cut_rank: int | None = None
        self.min_sheets = 3

    def set_view(self, view: funding.FundingView | None) -> None:
        self.beginResetModel()
        self.rows = list(view.rows) if view else []
        self.cut_rank = view.cut_rank if view else None
        self.min_sheets = view.min_sheets if view else 3
        self.endResetModel()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (
                r.position if r.position is not None else "—",
                r.number,
                r.title,
                area_text(r.area_code, r.area_title),
                points(r.score),
                points(r.mean),
                points(r.trimmed_mean),
                points(r.median),
                money(r.requested),
                money(r.recommended) + (" ✎" if r.edited else ""),
                money(r.cumulative) if r.funded else "",
                r.decision.label() + (f" ({r.quota_key})" if r.quota_key else ""),
                r.stability.label() if r.score is not None and not r.incomplete else "",
                r.vote,
                r.reason,
            )
            return values[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 3:
                return r.area_title
            if column == 11 and r.incomplete:
                return _("{count} valid sheets; the batch needs at least {minimum} before a score counts.").format(
                    count=r.sheet_count, minimum=self.min_sheets
                )
            if column == 12 and r.funded_under:
                return _("Funded under: {rules}").format(rules=", ".join(r.funded_under))
            if column == AMOUNT_COLUMN:
                return _("Double-click to change the recommended amount (a reason is required).")
        if role == Qt.ItemDataRole.TextAlignmentRole and column in RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.incomplete and column in (11, 12):
                return QBrush(QColor(INCOMPLETE_COLOUR))
            if column == 12 and r.score is not None and r.stability in STABILITY_COLOURS:
                return QBrush(QColor(STABILITY_COLOURS[r.stability]))
            if r.funded:
                return QBrush(QColor("#eef7ee"))
        if role == Qt.ItemDataRole.FontRole and self.cut_rank is not None and r.position == self.cut_rank:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.UserRole:
            return r.application_id
        return None


class FundingPage(QWidget):
    status_message = Signal(str)
    view_loaded = Signal(object)  # FundingView

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.draft = False  # the shown view is a draft: its exports say 未定稿
        self.view: funding.FundingView | None = None
        self._parents: dict[str, str] = {}

        self.batch = QComboBox()
        shrinkable(self.batch, 6)  # the main window fits 1280 px in English too
        self.stage = StageChoice()  # the final scores up to this review stage
        self.stage.setToolTip(
            _("The final scores up to this review stage (评审阶段); the current stage unless chosen.")
        )
        self.budget = QLineEdit()
        self.budget.setObjectName("budget")
        self.budget.setPlaceholderText(_("no limit"))
        self.cap = QLineEdit()
        self.cap.setObjectName("cap")
        self.cap.setPlaceholderText(_("no limit"))
        self.rule = QComboBox()
        for rule in FundingRule:
            self.rule.addItem(rule.label(), rule.value)
        self.rule.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.rule.setMinimumContentsLength(14)
        self.apply_button = QPushButton(_("Apply"))
        self.apply_button.clicked.connect(self.apply_settings)
        self.export_button = QPushButton(_("Export…"))
        self.export_button.clicked.connect(self.open_export)
        # Two rows, so the window fits 1280 px in English too: what is shown, then the rules.
        top, rules = QHBoxLayout(), QHBoxLayout()
        for row, label, widget in (
            (top, _("Batch:"), self.batch),
            (top, _("Up to stage:"), self.stage),
            (rules, _("Budget (10k yuan):"), self.budget),
            (rules, _("Per-project maximum:"), self.cap),
            (rules, _("When one does not fit:"), self.rule),
        ):
            row.addWidget(QLabel(label))
            row.addWidget(widget, 2 if widget is self.batch else 0)
        shrinkable(self.stage, 12)
        for edit in (self.budget, self.cap):
            edit.setFixedWidth(edit.fontMetrics().horizontalAdvance("100000.00") + 16)
        rules.addWidget(self.apply_button)
        rules.addStretch(1)
        top.addStretch(1)
        top.addWidget(self.export_button)

        self.summary = QLabel()
        self.summary.setObjectName("funding-summary")
        self.summary.setWordWrap(True)

        self.model = FundingModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._double_clicked)
        make_sortable(self.table)  # sort, filter and export the list as shown
        self.filter_bar = FilterBar(
            self.table,
            choices=(
                (COLUMNS.index("Decision"), _("All decisions")),
                (COLUMNS.index("Sensitivity"), _("All sensitivities")),
            ),
        )
        self.export_list_action = ExportTableAction(
            ctx, self.table, self._list_title, self,
            describe=self.filter_bar.describe, on_message=self.status_message.emit,
            before=lambda go: confirm_draft(self.ctx, self, self.batch.currentData(), go),
        )  # fmt: skip
        self.filter_bar.add_action(self.export_list_action)
        self.edit_button = QPushButton(_("Change amount…"))
        self.edit_button.clicked.connect(self.edit_selected)
        list_tab = QWidget()
        list_layout = QVBoxLayout(list_tab)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.filter_bar)
        list_layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        legend = QLabel(
            _("Sensitivity recomputes the line under the mean, the trimmed mean and the median: ")
            + " · ".join(s.label() for s in Stability)
        )
        legend.setWordWrap(True)
        row.addWidget(legend, 1)
        row.addWidget(self.edit_button)
        list_layout.addLayout(row)

        self.plan_model = PlanModel(self)
        self.plan_table = QTableView()
        self.plan_table.setModel(self.plan_model)
        self.plan_table.verticalHeader().setVisible(False)
        self.plan_table.verticalHeader().setDefaultSectionSize(24)
        self.plan_table.horizontalHeader().setStretchLastSection(True)
        self.chart = BarChart()
        self.plan_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.plan_table.doubleClicked.connect(lambda index: self.edit_quota(self.plan_model.rows[index.row()].code))
        self.quota_button = QPushButton(_("Area quota…"))
        self.quota_button.clicked.connect(lambda: self.edit_quota(None))
        plan_left = QWidget()
        plan_left_layout = QVBoxLayout(plan_left)
        plan_left_layout.setContentsMargins(0, 0, 0, 0)
        plan_left_layout.addWidget(self.plan_table, 1)
        quota_row = QHBoxLayout()
        quota_row.addWidget(QLabel(_("Quotas cap the count or money of a direction or key industry.")), 1)
        quota_row.addWidget(self.quota_button)
        plan_left_layout.addLayout(quota_row)
        plan_tab = QSplitter(Qt.Orientation.Horizontal)
        plan_tab.addWidget(plan_left)
        plan_tab.addWidget(self.chart)
        plan_tab.setStretchFactor(0, 3)
        plan_tab.setStretchFactor(1, 2)
        plan_tab.setSizes([780, 480])

        self.tabs = QTabWidget()
        self.tabs.addTab(list_tab, _("Funding list"))
        self.tabs.addTab(plan_tab, _("Plan view"))

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(rules)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)

        self.batch.currentIndexChanged.connect(lambda _i: self.reload())
        self.stage.activated.connect(lambda _i: self.reload())
        ctx.bus.changed.connect(self._on_changed)
        self.load_batches()

    # -- loading -----------------------------------------------------------

    def load_batches(self) -> None:
        def work(session, _p, _c):
            from sqlalchemy import select

            from reviewtool.storage.models import PriorityArea

            areas = {a.id: a for a in session.scalars(select(PriorityArea))}
            parents = {a.code: areas[a.parent_id].code for a in areas.values() if a.parent_id in areas}
            return [(b.id, b.name) for b in list_batches(session)], parents

        self.ctx.run_db(work, self._fill_batches, self._error)

    def _fill_batches(self, result) -> None:
        batches, self._parents = result
        current = self.batch.currentData()
        self.batch.blockSignals(True)
        self.batch.clear()
        for batch_id, name in batches:
            self.batch.addItem(name, batch_id)
        if current is not None:
            self.batch.setCurrentIndex(max(0, self.batch.findData(current)))
        self.batch.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        batch_id = self.batch.currentData()
        if batch_id is None:
            self._show(None)
            return
        wanted = self.stage.wanted()

        def load(session, _p, _c):
            rows, chosen = stage_choices(session, batch_id, wanted)
            return rows, chosen, funding.funding_view(session, batch_id, chosen)

        self.ctx.run_db(load, self._show_stage, self._error, supersede=(self, "view"))

    def _show_stage(self, result) -> None:
        rows, chosen, view = result
        self.stage.fill(rows, chosen)
        self._show(view)

    def _show(self, view: funding.FundingView | None) -> None:
        self.view = view
        self.model.set_view(view)
        if view is None:
            self.summary.setText(_("No batch yet."))
            self.plan_model.set_rows([])
            self.chart.set_bars([])
            return
        self.budget.setText("" if view.budget is None else f"{view.budget:.2f}")
        self.cap.setText("" if view.cap is None else f"{view.cap:.2f}")
        self.rule.setCurrentIndex(max(0, self.rule.findData(view.rule.value)))
        borderline = sum(1 for r in view.rows if r.stability is Stability.BORDERLINE and r.score is not None)
        parts = [
            _("Budget {budget}").format(budget=money(view.budget) or _("no limit")),
            _("Recommended {count} applications, {used}").format(count=view.funded_count, used=money(view.used)),
            _("Remaining {remaining}").format(remaining=money(view.remaining) or "—"),
            _("Cut line after rank {rank} (score {score})").format(rank=view.cut_rank, score=points(view.cut_score))
            if view.cut_rank is not None
            else _("No cut line"),
            _("{count} borderline").format(count=borderline),
        ]
        if view.incomplete_count:
            parts.append(
                _("{count} with review incomplete (fewer than {minimum} valid sheets): not funded").format(
                    count=view.incomplete_count, minimum=view.min_sheets
                )
            )
        self.draft = view.draft
        if view.draft:
            parts.append(_("not final: a panel is not finalised (exports say 未定稿)"))
        self.summary.setText(view.final_rule + "\n" + _("; ").join(parts) + _(" (10k yuan)"))
        ordered = plan_in_tree_order(view, self._parents)
        self.plan_model.set_rows(ordered, view.quotas)
        self.plan_table.resizeColumnsToContents()
        bars = [
            Bar(
                f"{a.code} {a.title}".strip(),
                a.amount,
                _("{count} · {money}").format(count=a.count, money=money(a.amount))
                + ("" if a.share is None else f" · {a.share * 100:.1f}%"),
                secondary=a.kind != "direction",
            )
            for a in ordered
            if a.count or a.kind == "direction"
        ]
        self.chart.set_bars(bars, _("Recommended money per direction and key industry"))
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(2, min(self.table.columnWidth(2), 320))
        self.view_loaded.emit(view)

    def _on_changed(self, changes) -> None:
        if changes.batches:
            self.load_batches()  # a batch created, renamed or closed on the batch page
        elif changes.applications or changes.sheets or changes.panels:
            self.reload()

    def _error(self, error: BaseException) -> None:
        self.status_message.emit(str(error))
        self.summary.setText(_("Error: {message}").format(message=error))

    # -- editing -----------------------------------------------------------

    def apply_settings(self) -> None:
        batch_id = self.batch.currentData()
        if batch_id is None:
            return
        try:
            budget = funding.parse_money(self.budget.text(), what=_("Budget"))
            cap = funding.parse_money(self.cap.text(), what=_("Per-project maximum"))
        except Exception as exc:  # noqa: BLE001 - UserError with the message
            self._error(exc)
            return
        rule = FundingRule(self.rule.currentData())
        actor = self.ctx.actor
        self.ctx.run_db(
            lambda s, _p, _c: funding.set_funding_settings(s, batch_id, budget=budget, cap=cap, rule=rule, actor=actor),
            self._changed,
            self._error,
        )

    def _double_clicked(self, index: QModelIndex) -> None:
        self.table.selectRow(index.row())
        self.edit_selected()

    def selected_row(self) -> funding.FundingRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.model.rows[rows[0].row()]

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        dialog = AmountDialog(row, self)
        if dialog.exec():
            amount, reason = dialog.result_values()
            self.change_amount(row.application_id, amount, reason)

    def change_amount(self, application_id: int, amount: Decimal | None, reason: str) -> None:
        actor = self.ctx.actor
        self.ctx.run_db(
            lambda s, _p, _c: funding.set_recommended_amount(s, application_id, amount, reason=reason, actor=actor),
            self._changed,
            self._error,
        )

    def _changed(self, changes) -> None:
        if changes.message:
            self.status_message.emit(changes.message)
        self.ctx.bus.announce(changes)
        if not (changes.applications or changes.batches):
            self.reload()

    def edit_quota(self, code: str | None) -> None:
        if self.view is None:
            return
        areas = [(a.code, a.title) for a in plan_in_tree_order(self.view, self._parents)]
        dialog = QuotaDialog(areas, self.plan_model.quotas, code, self)
        if dialog.exec() and dialog.values is not None:
            self.set_quota(*dialog.values)

    def set_quota(self, code: str, max_count: int | None, max_amount: Decimal | None) -> None:
        batch_id = self.batch.currentData()
        actor = self.ctx.actor
        self.ctx.run_db(
            lambda s, _p, _c: funding.set_quota(
                s, batch_id, code, max_count=max_count, max_amount=max_amount, actor=actor
            ),
            self._changed,
            self._error,
        )

    def _list_title(self) -> str:
        title = _("Funding list — {batch}").format(batch=self.batch.currentText())
        return title + (_(" (not final: 未定稿)") if self.draft else "")

    def open_export(self) -> None:
        from reviewtool.gui.documents.export_dialog import ExportDialog

        dialog = ExportDialog(
            self.ctx, batch_id=self.batch.currentData(), what="funding_xlsx", parent=self, stage_id=self.stage.wanted()
        )
        dialog.show()
        self._export_dialog = dialog
