"""我的评审: what a logged-in 评审专家 (or 专家组长) sees instead of the staff pages.

- The stage chooser lists the review stages in which they have assignments
  (the batch's current stage first); the table lists their own assignments
  with their own sheet's state; the side shows the chosen application's
  summary and the attachments the batch lets experts open.
- 打开评审表 (or a double-click) opens the keyboard-fast score entry
  (``gui/scoring/score_entry.py``) on their own sheet. The first time in a
  stage it first asks for the 回避 declaration and the 保密承诺
  (``DeclarationDialog``); the sheet opens only once they are recorded.
- Blind review: nothing here names another expert or shows their sheets.

Threading: GUI thread only; every read and write goes through ``ctx.run_db``
to ``services.my_reviews``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import AssignmentStatus
from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.my_reviews import declarations, workspace


class MyReviewsPage(QWidget):
    status_message = Signal(str)
    page_key = "my_reviews"
    guide = "my_reviews"  # docs/my_reviews.md

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.stages: list[workspace.MyStage] = []
        self.score_window = None
        self.declaration_dialog = None
        self.error_box: QMessageBox | None = None
        self.heading = QLabel(_("My reviews"))
        self.heading.setStyleSheet("font-size: 16px; font-weight: bold;")
        self.stage_choice = QComboBox()
        self.stage_state = QLabel()
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels([_("Number"), _("Title"), _("Unit"), _("My sheet"), _("My total")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in (0, 2, 3, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(60)
        self.summary_view = QTextBrowser()
        self.attachments = QListWidget()
        self.attachments.itemActivated.connect(self._open_attachment)
        self.declare_button = QPushButton(_("Declarations…"))
        self.score_button = QPushButton(_("Open my sheet"))
        self.refresh_button = QPushButton(_("Refresh"))
        self.empty_label = QLabel()
        self.empty_label.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(QLabel(_("Review stage:")))
        top.addWidget(self.stage_choice, 1)
        top.addWidget(self.stage_state)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel(_("Application summary")))
        side_layout.addWidget(self.summary_view, 3)
        side_layout.addWidget(QLabel(_("Attachments (double-click to open)")))
        side_layout.addWidget(self.attachments, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([760, 380])
        buttons = QHBoxLayout()
        buttons.addWidget(self.empty_label, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.declare_button)
        buttons.addWidget(self.score_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

        self.stage_choice.currentIndexChanged.connect(lambda _i: self._show_stage())
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemDoubleClicked.connect(lambda _item: self.open_sheet())
        self.score_button.clicked.connect(self.open_sheet)
        self.declare_button.clicked.connect(lambda: self.ask_declarations())
        self.refresh_button.clicked.connect(self.reload)
        ctx.bus.changed.connect(lambda changes: self.reload() if changes.sheets or changes.panels else None)
        ctx.bus.database_switched.connect(self.reload)
        self._update_buttons()
        self.reload()

    # -- loading -------------------------------------------------------------

    def reload(self) -> None:
        self.ctx.run_db(lambda s, _p, _c: workspace.my_stages(s), self._loaded, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.empty_label.setText(str(error))
        self.status_message.emit(str(error))

    def _loaded(self, stages: list[workspace.MyStage]) -> None:
        chosen = self.current_stage()
        wanted = chosen.stage_id if chosen else None
        self.stages = sorted(stages, key=lambda s: (not s.current, s.finalised))
        self.stage_choice.blockSignals(True)
        self.stage_choice.clear()
        for stage in self.stages:
            mark = _(" (current)") if stage.current else ""
            self.stage_choice.addItem(stage.title + mark, stage.stage_id)
        index = self.stage_choice.findData(wanted) if wanted is not None else -1
        self.stage_choice.setCurrentIndex(max(index, 0) if self.stages else -1)
        self.stage_choice.blockSignals(False)
        self.empty_label.setText("" if self.stages else _("No applications are assigned to you yet."))
        self._show_stage()

    def current_stage(self) -> workspace.MyStage | None:
        stage_id = self.stage_choice.currentData()
        return next((s for s in self.stages if s.stage_id == stage_id), None)

    def _show_stage(self) -> None:
        stage = self.current_stage()
        items = stage.assignments if stage else ()
        selected = self.selected()
        self.table.setRowCount(len(items))
        for row, item in enumerate(items):
            total = "" if item.total is None else format(item.total.normalize(), "f")
            for column, text in enumerate((item.number, item.title, item.unit, item.state, total)):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, item.application_id)
                self.table.setItem(row, column, cell)
        if stage is None:
            self.stage_state.setText("")
        else:
            self.stage_state.setText(_("Declarations accepted") if stage.declared else _("Declarations not yet made"))
            done = sum(1 for a in items if a.sheet_status is not None and a.sheet_status.value == "submitted")
            self.status_message.emit(
                _("{count} applications assigned to you, {done} submitted").format(count=len(items), done=done)
            )
        keep = next((r for r, a in enumerate(items) if selected and a.application_id == selected.application_id), 0)
        if items:
            self.table.selectRow(keep)
        else:
            self._selected()
        self._update_buttons()

    def selected(self) -> workspace.MyAssignment | None:
        stage = self.current_stage()
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if stage is None or not rows or rows[0].row() >= len(stage.assignments):
            return None
        return stage.assignments[rows[0].row()]

    def _selected(self) -> None:
        self._update_buttons()
        item, stage = self.selected(), self.current_stage()
        self.summary_view.clear()
        self.attachments.clear()
        if item is None or stage is None:
            return
        stage_id, app_id = stage.stage_id, item.application_id
        self.ctx.run_db(lambda s, _p, _c: workspace.summary(s, stage_id, app_id), self._show_summary, self._failed)

    def _show_summary(self, summary: workspace.Summary) -> None:
        item = self.selected()
        if item is None or item.application_id != summary.application_id:
            return
        amount = "" if summary.requested_amount is None else f"{summary.requested_amount:,.2f}"
        self.summary_view.setHtml(
            f"<p style='font-size:15px'><b>{summary.number}</b>　{summary.title}</p><p>"
            + _("Unit: {unit}").format(unit=summary.unit)
            + "<br>"
            + _("Category: {category}　Requested: {amount} 万元").format(category=summary.category, amount=amount)
            + "</p><p>"
            + (summary.abstract or _("(no abstract)")).replace("\n", "<br>")
            + "</p>"
        )
        for attachment_id, kind, filename in summary.attachments:
            entry = QListWidgetItem(f"{filename}（{kind}）")
            entry.setData(Qt.ItemDataRole.UserRole, attachment_id)
            self.attachments.addItem(entry)
        if not summary.attachments:
            self.attachments.addItem(_("(no attachments)"))

    def _update_buttons(self) -> None:
        stage, item = self.current_stage(), self.selected()
        self.declare_button.setEnabled(stage is not None and not stage.declared and not stage.finalised)
        self.score_button.setEnabled(item is not None and item.status is AssignmentStatus.ACTIVE)

    # -- declarations and the sheet -----------------------------------------

    def ask_declarations(self, then_open: workspace.MyAssignment | None = None) -> None:
        from reviewtool.gui.my_reviews.declaration_dialog import DeclarationDialog

        stage = self.current_stage()
        if stage is None:
            return
        dialog = DeclarationDialog(stage, declarations.conflict_text(), declarations.confidentiality_text(), self)
        dialog.accepted.connect(lambda: self._record(stage, dialog.conflicts_chosen(), then_open))
        dialog.finished.connect(dialog.deleteLater)
        self.declaration_dialog = dialog
        dialog.open()  # open(), not exec(): no nested event loop

    def _record(self, stage: workspace.MyStage, conflicts: dict[int, str], then_open) -> None:
        actor = self.ctx.actor

        def done(changes) -> None:
            self.ctx.bus.announce(changes)
            self.status_message.emit(changes.message)
            self.reload()
            if then_open is not None and then_open.application_id not in conflicts:
                self._open_score_entry(stage.stage_id, then_open.application_id)

        self.ctx.run_db(
            lambda s, _p, _c: declarations.accept_declarations(
                s, stage.stage_id, conflicts=conflicts, confidentiality=True, actor=actor
            ),
            done,
            self._show_error,
        )

    def open_sheet(self) -> None:
        stage, item = self.current_stage(), self.selected()
        if stage is None or item is None or item.status is not AssignmentStatus.ACTIVE:
            return
        if not stage.declared:
            self.ask_declarations(then_open=item)
            return
        self._open_score_entry(stage.stage_id, item.application_id)

    def _open_score_entry(self, stage_id: int, application_id: int) -> None:
        """Only once the service agrees (declared, assigned, not avoided): then the score entry."""
        self.ctx.run_db(
            lambda s, _p, _c: declarations.require_declared(s, stage_id, application_id),
            lambda expert_id: self._show_score_entry(stage_id, application_id, expert_id),
            self._show_error,
        )

    def _show_score_entry(self, stage_id: int, application_id: int, expert_id: int) -> None:
        from reviewtool.gui.scoring.score_entry import ScoreEntryWindow

        window = ScoreEntryWindow(self.ctx, application_id, expert_id, transcribe=False, stage_id=stage_id, parent=self)
        window.transcribe.setVisible(False)  # an expert scores their own sheet; nobody transcribes here
        window.next_button.setVisible(False)  # the next sheet is chosen here, in their own list
        window.saved.connect(lambda _result: self.reload())
        window.finished.connect(lambda _code: self.reload())
        self.score_window = window
        window.show()

    def _open_attachment(self, entry: QListWidgetItem) -> None:
        attachment_id = entry.data(Qt.ItemDataRole.UserRole)
        if attachment_id is None:
            return
        import tempfile
        from pathlib import Path

        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from reviewtool.services.intake.attachments import export_attachment

        folder = Path(tempfile.gettempdir()) / "reviewtool-attachments"
        self.ctx.run_db(
            lambda s, _p, _c: export_attachment(s, attachment_id, folder),
            lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
            self._show_error,
        )

    def _show_error(self, error: BaseException) -> None:
        """Told in a window that does not block (open(), not exec(): this runs in a task's callback)."""
        self.status_message.emit(str(error))
        box = QMessageBox(QMessageBox.Icon.Warning, _("Error"), str(error), QMessageBox.StandardButton.Ok, self)
        box.finished.connect(box.deleteLater)
        self.error_box = box
        box.open()
