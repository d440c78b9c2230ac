"""The batch page (申报批次): every call for applications with its review
rules, and the ways to set one up: new, edit, close / reopen, its rubric
and its 形式审查 checklist.

The list is loaded by one background task as plain ``BatchRow``s; every
action is a service call through ``ctx.run_db`` and the page reloads when the
change bus announces batch changes (only while shown: a hidden page does no
work and catches up when shown).

Threading: GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from reviewtool.gui.batches.batch_dialog import BatchDialog
from reviewtool.gui.batches.rubric_dialog import BatchRubricDialog
from reviewtool.gui.context import GuiContext
from reviewtool.gui.page_stack import LoadsWhenShown
from reviewtool.gui.widgets.list_tools import filter_and_export
from reviewtool.gui.widgets.reason_dialog import ReasonDialog
from reviewtool.gui.widgets.rows_model import RowsModel, selected_key, table_view
from reviewtool.i18n import N_, _
from reviewtool.services.batches import batch as batches
from reviewtool.services.changes import Changes

COLUMNS = (
    N_("Batch name"),
    N_("State"),
    N_("Year"),
    N_("Deadline"),
    N_("Budget (10k yuan)"),
    N_("Pass mark"),
    N_("Min. sheets"),
    N_("Trimmed from"),
    N_("Spread limit"),
    N_("Applications"),
    N_("Panels finalised"),
    N_("Rubrics"),
)


def _number(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


class BatchPage(LoadsWhenShown, QWidget):
    status_message = Signal(str)
    page_key = "batches"
    guide = "batches"  # docs/batches.md
    loaded = Signal()

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[batches.BatchRow] = []
        self.new_button = QPushButton(_("New batch…"))
        self.edit_button = QPushButton(_("Edit…"))
        self.close_button = QPushButton(_("Close batch…"))
        self.rubric_button = QPushButton(_("Rubrics…"))
        self.checklist_button = QPushButton(_("Formal-review checklist…"))
        self.stages_button = QPushButton(_("Review stages…"))
        for button, tip in (
            (self.new_button, _("Create a call for applications with its budget and review rules.")),
            (self.edit_button, _("Change the selected batch's dates, budget and review rules.")),
            (self.close_button, _("Close the selected batch (no more imports or edits), or reopen it.")),
            (self.rubric_button, _("Choose the rubric the selected batch's applications are scored with.")),
            (self.checklist_button, _("Edit the selected batch's formal-review checklist (形式审查清单).")),
            (self.stages_button, _("The selected batch's review stages (评审阶段): add, finalise, promote.")),
        ):
            button.setToolTip(tip)
        top = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.close_button, self.rubric_button,
                       self.checklist_button, self.stages_button):  # fmt: skip
            top.addWidget(button)
        top.addStretch(1)
        self.hint = QLabel()
        self.hint.setObjectName("batch-hint")
        self.hint.setWordWrap(True)
        self.model = RowsModel([_(c) for c in COLUMNS], self)
        self.view = table_view(self.model)
        self.filter_bar = filter_and_export(ctx, self.view, _("Batches"), self, on_message=self.status_message.emit)
        self.detail = QLabel()
        self.detail.setObjectName("batch-detail")
        self.detail.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)

        self.new_button.clicked.connect(self.new_batch)
        self.edit_button.clicked.connect(self.edit_batch)
        self.close_button.clicked.connect(self.close_or_reopen)
        self.rubric_button.clicked.connect(self.choose_rubric)
        self.checklist_button.clicked.connect(self.open_checklist)
        self.stages_button.clicked.connect(self.open_stages)
        self.view.doubleClicked.connect(lambda _index: self.edit_batch())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        ctx.bus.changed.connect(self._on_changed)
        self._update_buttons()

    # -- loading -----------------------------------------------------------

    def refresh(self) -> None:
        self.ctx.run_db(lambda s, _p, _c: batches.batch_rows(s), self._show, self.show_error, supersede=self)

    def _show(self, rows: list[batches.BatchRow]) -> None:
        chosen = self.selected_id()
        self.rows = rows
        self.model.set_rows(
            [
                (
                    r.name,
                    _("closed") if r.closed else _("open"),
                    r.year or "",
                    r.deadline.isoformat() if r.deadline else "",
                    "" if r.budget is None else f"{r.budget:,.2f}",
                    _number(r.threshold),
                    r.min_sheets,
                    r.trimmed_min_sheets,
                    _number(r.spread_threshold),
                    r.applications,
                    f"{r.finalised_panels}/{r.panels}",
                    "、".join(r.rubrics) or _("none yet"),
                )
                for r in rows
            ],
            [r.id for r in rows],
            ["#eeeeee" if r.closed else None for r in rows],
        )
        self.view.resizeColumnsToContents()
        if rows:
            wanted = chosen if chosen in {r.id for r in rows} else rows[0].id
            for index in range(self.model.rowCount()):
                if self.model.key(index) == wanted:
                    self.view.selectRow(index)
        self.hint.setText(
            _(
                "No batch yet. Start with “New batch…”: name the call, its deadline, budget and pass mark; "
                "then import its applications on the Applications page."
            )  # fmt: skip
            if not rows
            else _("Double-click a batch to edit it. Its review rules apply to ranking, funding and every export.")
        )
        self._update_buttons()
        self.status_message.emit(_("Batches: {count}").format(count=len(rows)))
        self.loaded.emit()

    def _on_changed(self, changes: Changes) -> None:
        if changes.batches or changes.applications or changes.panels or changes.rubrics:
            self.reload_when_seen()

    def selected_id(self) -> int | None:
        return selected_key(self.view)

    def selected_row(self) -> batches.BatchRow | None:
        batch_id = self.selected_id()
        return next((r for r in self.rows if r.id == batch_id), None)

    def _update_buttons(self) -> None:
        row = self.selected_row()
        for button in (self.edit_button, self.rubric_button, self.checklist_button):
            button.setEnabled(row is not None and not row.closed)
        self.stages_button.setEnabled(row is not None)
        self.close_button.setEnabled(row is not None)
        self.close_button.setText(_("Reopen batch…") if row is not None and row.closed else _("Close batch…"))
        if row is None:
            self.detail.setText("")
            return
        state = _("closed: nothing can be imported into it and its rules are fixed") if row.closed else _("open")
        self.detail.setText(
            _("{name}: {state}. {apps} applications; panels finalised {finalised} of {panels}.").format(
                name=row.name, state=state, apps=row.applications, finalised=row.finalised_panels, panels=row.panels
            )
        )

    def show_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))

    # -- actions -----------------------------------------------------------

    def new_batch(self) -> None:
        self._open_form(None)

    def edit_batch(self) -> None:
        row = self.selected_row()
        if row is not None and not row.closed:
            self._open_form(row)

    def _open_form(self, row: batches.BatchRow | None) -> None:
        dialog = BatchDialog(self.ctx, row, self)
        dialog.saved.connect(lambda _batch_id, changes: self.status_message.emit(changes.message))
        self.form = dialog
        dialog.open()

    def close_or_reopen(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if row.closed:
            dialog = ReasonDialog(_("Reopen batch"), _("Why is {name} reopened?").format(name=row.name), self)
        else:
            dialog = ReasonDialog(
                _("Close batch"),
                _("Closing {name} stops imports into it and fixes its rules and funding. Why?").format(name=row.name),
                self,
            )
        batch_id, closed = row.id, row.closed
        # The reason is read here, on the GUI thread; the worker gets plain text.
        dialog.accepted.connect(lambda: self._set_closed(batch_id, not closed, dialog.reason()))
        self.reason_dialog = dialog
        dialog.open()

    def _set_closed(self, batch_id: int, close: bool, reason: str) -> None:
        actor = self.ctx.actor

        def run(session, _p, _c):
            if close:
                return batches.close_batch(session, batch_id, actor=actor, reason=reason)
            return batches.reopen_batch(session, batch_id, actor=actor, reason=reason)

        def done(changes: Changes) -> None:
            self.status_message.emit(changes.message)
            self.ctx.bus.announce(changes)

        self.ctx.run_db(run, done, self.show_error)

    def choose_rubric(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        dialog = BatchRubricDialog(self.ctx, row.id, row.name, self)
        self.rubric_dialog = dialog
        dialog.open()

    def open_checklist(self) -> None:
        from reviewtool.gui.intake.checklist_dialog import ChecklistDialog

        row = self.selected_row()
        if row is None:
            return
        dialog = ChecklistDialog(self.ctx, row.id, self)
        self.checklist_dialog = dialog
        dialog.open()

    def open_stages(self) -> None:
        from reviewtool.gui.stages.stages_dialog import StagesDialog

        row = self.selected_row()
        if row is None:
            return
        dialog = StagesDialog(self.ctx, row.id, row.name, self)
        self.stages_dialog = dialog
        dialog.open()
