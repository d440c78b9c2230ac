"""The batch dashboard (批次进度): one page per batch showing where the call
stands, step by step — received, formal review, each expert stage (panels
drawn, members confirmed, sheets submitted out of those due, overdue,
conflicts, finalised), the funding line, the 公示 and objections. Each step
says what to do next, and its button opens the page that does it.

Below, the reminder list (staff only): each expert with sheets due or
overdue, their phone and what is missing, exportable as a call list.

Loaded by one background task (``services.dashboard``) as plain data; a
hidden page does no work and reloads when shown after a change.
Threading: GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.errors import Refused
from reviewtool.gui.context import GuiContext
from reviewtool.gui.page_stack import LoadsWhenShown
from reviewtool.gui.widgets.rows_model import RowsModel, table_view
from reviewtool.i18n import N_, _
from reviewtool.services.applications import list_batches
from reviewtool.services.changes import Changes
from reviewtool.services.dashboard.progress import DOING, DONE, TODO, Dashboard, Step, dashboard
from reviewtool.services.dashboard.reminders import Reminder, export_call_list, reminders

STATE_STYLES = {
    DONE: ("✓", "#1b7f3b"),
    DOING: ("●", "#b36b00"),
    TODO: ("○", "#1f4e9a"),
}
WAITING_STYLE = ("·", "#888888")
REMINDER_COLUMNS = (N_("Expert"), N_("Phone"), N_("Work unit"), N_("Stage"), N_("Panel"), N_("Due date"),
                    N_("Missing sheets"))  # fmt: skip
#: Where a step's button goes when the page it names is not in the window.
FALLBACK_PAGE = "panels"


class DashboardPage(LoadsWhenShown, QWidget):
    status_message = Signal(str)
    loaded = Signal()
    page_key = "dashboard"
    guide = "dashboard"  # docs/dashboard.md

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.board: Dashboard | None = None
        self.reminder_rows: list[Reminder] = []
        self._batch_id: int | None = None
        self.step_buttons: dict[str, QPushButton] = {}
        self.step_labels: dict[str, QLabel] = {}

        self.batch_combo = QComboBox()
        self.batch_combo.setMinimumContentsLength(24)
        self.refresh_button = QPushButton(_("Refresh"))
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Batch")))
        top.addWidget(self.batch_combo, 2)
        top.addWidget(self.refresh_button)
        top.addStretch(1)

        self.steps_box = QWidget()
        self.steps_layout = QGridLayout(self.steps_box)
        self.steps_layout.setColumnStretch(2, 1)
        # The steps keep their height (the scroll area scrolls them) instead of being squeezed flat.
        self.steps_layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.steps_box)

        self.reminders_model = RowsModel([_(c) for c in REMINDER_COLUMNS], self)
        self.reminders_view = table_view(self.reminders_model)
        self.reminders_label = QLabel()
        self.reminders_label.setObjectName("reminders-summary")
        self.reminders_label.setWordWrap(True)
        self.call_list_button = QPushButton(_("Export call list…"))
        self.call_list_button.setToolTip(_("The reminder list as an Excel call list, with the experts' phone numbers."))
        reminders_box = QWidget()
        inner = QVBoxLayout(reminders_box)
        inner.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        title = QLabel(_("Reminder list: experts with sheets due or overdue"))
        title.setStyleSheet("font-weight: bold;")
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.call_list_button)
        inner.addLayout(head)
        inner.addWidget(self.reminders_label)
        inner.addWidget(self.reminders_view, 1)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(scroll)
        split.addWidget(reminders_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([560, 240])  # the steps first; the reminder list below
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self.batch_combo.activated.connect(self._batch_chosen)
        self.refresh_button.clicked.connect(self.refresh)
        self.call_list_button.clicked.connect(self.export_call_list)
        ctx.bus.changed.connect(self._on_changed)

    # -- loading -----------------------------------------------------------

    def refresh(self) -> None:
        batch_id = self._batch_id

        def load(session, _p, _c):
            batches = [(b.id, b.name) for b in list_batches(session)]
            chosen = batch_id if batch_id in {b for b, _n in batches} else (batches[0][0] if batches else None)
            if chosen is None:
                return batches, None, None, ""
            board = dashboard(session, chosen)
            try:
                rows, refused = reminders(session, chosen), ""
            except Refused as error:  # not staff: no phone numbers
                rows, refused = None, str(error)
            return batches, board, rows, refused

        self.ctx.run_db(load, self._show, self.show_error, supersede=self)

    def _show(self, result) -> None:
        batches, board, rows, refused = result
        self.batch_combo.clear()
        for batch_id, name in batches:
            self.batch_combo.addItem(name, batch_id)
        self.board = board
        self._clear_steps()
        if board is None:
            self._batch_id = None
            self.steps_layout.addWidget(QLabel(_("No batch yet: create one on the Batches page.")), 0, 0, 1, 4)
            self.reminders_model.set_rows([], [])
            self.loaded.emit()
            return
        self._batch_id = board.batch_id
        self.batch_combo.setCurrentIndex(self.batch_combo.findData(board.batch_id))
        for row, step in enumerate(board.steps):
            self._add_step(row, step)
        self.reminder_rows = rows or []
        self.reminders_model.set_rows(
            [(r.name, r.phone, r.unit, r.stage, r.panel, r.due_date.isoformat() if r.due_date else "", r.what())
             for r in self.reminder_rows],
            [(r.expert_id, r.panel) for r in self.reminder_rows],
            ["#f8d7da" if r.overdue else None for r in self.reminder_rows],
        )  # fmt: skip
        self.reminders_view.resizeColumnsToContents()
        overdue = sum(1 for r in self.reminder_rows if r.overdue)
        if rows is None:
            self.reminders_label.setText(refused)
        elif not self.reminder_rows:
            self.reminders_label.setText(_("No sheet is due: nobody to remind."))
        else:
            self.reminders_label.setText(
                _("{count} experts to remind, {overdue} of them overdue.").format(
                    count=len(self.reminder_rows), overdue=overdue
                )
            )
        self.call_list_button.setEnabled(bool(self.reminder_rows))
        doing = next((s for s in board.steps if s.state in (DOING, TODO)), None)
        self.status_message.emit(
            _("Next: {step}").format(step=f"{doing.title} — {doing.next}") if doing else _("Every step is done.")
        )
        self.loaded.emit()

    def _clear_steps(self) -> None:
        while self.steps_layout.count():
            widget = self.steps_layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.step_buttons.clear()
        self.step_labels.clear()

    def _add_step(self, row: int, step: Step) -> None:
        mark, colour = STATE_STYLES.get(step.state, WAITING_STYLE)
        state = QLabel(f"<span style='color:{colour}; font-size:16px'>{mark}</span>")
        title = QLabel(f"<b>{step.title}</b><br><span style='color:{colour}'>{step.state_label}</span>")
        text = step.summary + (f"<br>→ {step.next}" if step.next else "")
        body = QLabel(text)
        body.setObjectName(f"step-{step.key}")
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button = QPushButton(_("Open"))
        button.setObjectName(f"go-{step.key}")
        button.setToolTip(_("Open the page that does this step."))
        button.clicked.connect(lambda _checked=False, key=step.page: self.go(key))
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setStyleSheet("color: #dddddd;")
        self.steps_layout.addWidget(state, 2 * row, 0, Qt.AlignmentFlag.AlignTop)
        self.steps_layout.addWidget(title, 2 * row, 1, Qt.AlignmentFlag.AlignTop)
        self.steps_layout.addWidget(body, 2 * row, 2)
        self.steps_layout.addWidget(button, 2 * row, 3, Qt.AlignmentFlag.AlignTop)
        self.steps_layout.addWidget(line, 2 * row + 1, 0, 1, 4)
        self.step_buttons[step.key] = button
        self.step_labels[step.key] = body

    def go(self, page: str) -> None:
        """Open the page that does a step (the reminder list is on this page)."""
        if page == self.page_key:
            self.reminders_view.setFocus()
            return
        select_page = getattr(self.window(), "select_page", None)
        if select_page is not None and not select_page(page):
            select_page(FALLBACK_PAGE)

    def _batch_chosen(self, _index: int) -> None:
        self._batch_id = self.batch_combo.currentData()
        self.refresh()

    def _on_changed(self, changes: Changes) -> None:
        self.reload_when_seen()

    def show_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))

    # -- the call list -----------------------------------------------------

    def export_call_list(self) -> None:
        if self._batch_id is None or self.board is None:
            return
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Export call list"), _("call list") + f"_{self.board.batch}.xlsx", _("Excel workbook (*.xlsx)")
        )
        if not path:
            return
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        batch_id, actor = self._batch_id, self.ctx.actor

        def run(session, _p, _c):
            return export_call_list(session, batch_id, path, actor=actor)

        self.ctx.run_db(run, lambda changes: self.status_message.emit(changes.message), self.show_error)
