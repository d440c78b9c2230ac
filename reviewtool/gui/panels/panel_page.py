"""The panel page of a batch: members and the draw, assignment, sheet status
(missing / late / conflict), workbooks, finalise / reopen, meeting votes,
and the calibrated results with the discussion queue.

Everything is loaded by one background task into a ``PanelSnapshot`` (plain
data); every action is a service call through ``ctx.run_db`` and the page
reloads when the change bus announces panel or sheet changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import MemberStatus, PanelStatus
from reviewtool.core.scoring.rubric import points_text
from reviewtool.gui.context import GuiContext
from reviewtool.gui.panels.dialogs import AddReviewerDialog, AssignmentDialog, DrawDialog, NewPanelDialog, VoteDialog
from reviewtool.gui.panels.member_answers import MemberAnswers, invitation_text, is_pending, member_colour
from reviewtool.gui.panels.workbook_actions import WorkbookActions
from reviewtool.gui.widgets.filter_bar import FilterBar
from reviewtool.gui.widgets.list_tools import filter_and_export
from reviewtool.gui.widgets.reason_dialog import ReasonDialog
from reviewtool.gui.widgets.rows_model import RowsModel, selected_key, table_view
from reviewtool.gui.widgets.stage_choice import StageChoice
from reviewtool.gui.widgets.table_export import ExportTableAction
from reviewtool.i18n import _
from reviewtool.services.applications import list_batches
from reviewtool.services.changes import Changes
from reviewtool.services.panels import (
    assignment,
    calibration,
    conflicts,
    finalise,
    membership,
)
from reviewtool.services.panels import panel as panels_panel
from reviewtool.services.panels import status as panels_status
from reviewtool.services.panels import votes as panels_votes
from reviewtool.services.progress import Cancelled
from reviewtool.services.stages.stage import stage_choices

STATE_COLOURS = {
    panels_status.STATE_MISSING: "#fff3cd",
    panels_status.STATE_LATE: "#f8d7da",
    panels_status.STATE_CONFLICT: "#e2d9f3",
    panels_status.STATE_DRAFT: "#e7f1ff",
    panels_status.STATE_SUBMITTED: None,
}


@dataclass
class PanelSnapshot:
    batches: list[tuple[int, str]]
    batch_id: int | None
    panels: list[panels_panel.PanelRow]
    panel: panels_panel.PanelRow | None
    members: list[membership.MemberRow]
    status: panels_status.PanelStatusView | None
    votes: list[panels_votes.VoteOutcome]
    calibration: calibration.CalibrationView | None
    applications: list[tuple[int, str]]
    stages: list = field(default_factory=list)  # the batch's StageRows, for the stage chooser
    stage_id: int | None = None  # the review stage whose panels are shown


def load_snapshot(session, batch_id: int | None, panel_id: int | None, stage_id: int | None = None) -> PanelSnapshot:
    batches = [(b.id, b.name) for b in list_batches(session)]
    if batch_id is None and batches:
        batch_id = batches[0][0]
    stages, stage_id = stage_choices(session, batch_id, stage_id) if batch_id is not None else ([], None)
    rows = panels_panel.list_panels(session, batch_id, stage_id) if batch_id is not None else []
    panel = next((p for p in rows if p.id == panel_id), rows[0] if rows else None)
    if panel is None:
        return PanelSnapshot(batches, batch_id, rows, None, [], None, [], None, [], stages, stage_id)
    status = panels_status.sheet_status(session, panel.id)
    apps = [(o.application_id, o.number) for o in panels_votes.vote_outcomes(session, panel.id)]
    return PanelSnapshot(
        batches, batch_id, rows, panel, membership.members(session, panel.id), status,
        panels_votes.vote_outcomes(session, panel.id), calibration.calibration_view(session, batch_id, stage_id), apps,
        stages, stage_id,
    )  # fmt: skip


class PanelPage(QWidget):
    status_message = Signal(str)
    loaded = Signal()

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.snapshot: PanelSnapshot | None = None
        self._batch_id: int | None = None
        self._panel_id: int | None = None
        self._stage_id: int | None = None
        self._loading = False
        self.workbooks = WorkbookActions(self)
        self.member_answers = MemberAnswers(self)

        self.batch_combo = QComboBox()
        self.batch_combo.setMinimumContentsLength(24)
        self.panel_combo = QComboBox()
        self.stage_combo = StageChoice()
        self.new_panel_button = QPushButton(_("New panel…"))
        self.info = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Batch")))
        top.addWidget(self.batch_combo, 2)
        top.addWidget(QLabel(_("Review stage")))
        top.addWidget(self.stage_combo, 1)
        top.addWidget(QLabel(_("Panel")))
        top.addWidget(self.panel_combo, 1)
        top.addWidget(self.new_panel_button)
        top.addWidget(self.info, 2)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._members_tab(), _("Members"))
        self.tabs.addTab(self._sheets_tab(), _("Score sheets"))
        self.tabs.addTab(self._votes_tab(), _("Meeting votes"))
        self.tabs.addTab(self._calibration_tab(), _("Calibration"))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        self.batch_combo.activated.connect(self._batch_chosen)
        self.stage_combo.activated.connect(self._stage_chosen)
        self.panel_combo.activated.connect(self._panel_chosen)
        self.new_panel_button.clicked.connect(self.new_panel)
        ctx.bus.changed.connect(self._on_changed)
        self.refresh()

    # -- tabs -------------------------------------------------------------

    def _members_tab(self) -> QWidget:
        self.members_model = RowsModel([_("Name"), _("Work unit"), _("Professional title"), _("Status"),
                                        _("Invitation"), _("Reason / replaced by"), _("Assigned")])  # fmt: skip
        self.members_view = table_view(self.members_model)
        self.members_filter = filter_and_export(
            self.ctx, self.members_view, lambda: _("Panel members — {panel}").format(panel=self.panel_combo.currentText()),
            self, choices=((3, _("All states")),), on_message=self.status_message.emit,
        )  # fmt: skip
        self.draw_button = QPushButton(_("Draw experts…"))
        self.confirm_button = QPushButton(_("Member confirms…"))
        self.confirm_button.setToolTip(_("Record that the selected member accepted the invitation, with the date."))
        self.confirm_all_button = QPushButton(_("All pending confirmed…"))
        self.confirm_all_button.setToolTip(_("Record that every member awaiting confirmation accepted, with the date."))
        self.decline_button = QPushButton(_("Member declines…"))
        self.assign_button = QPushButton(_("Assign reviewers…"))
        row = QHBoxLayout()
        for b in (self.draw_button, self.confirm_button, self.confirm_all_button, self.decline_button,
                  self.assign_button):  # fmt: skip
            row.addWidget(b)
        row.addStretch(1)
        self.draw_button.clicked.connect(self.open_draw)
        self.confirm_button.clicked.connect(self.member_answers.confirm)
        self.confirm_all_button.clicked.connect(self.member_answers.confirm_all)
        self.decline_button.clicked.connect(self.member_answers.decline)
        self.assign_button.clicked.connect(self.open_assignment)
        self.pending_label = QLabel()
        self.pending_label.setObjectName("pending-members")
        self.pending_label.setWordWrap(True)
        self.pending_label.setStyleSheet("color: #8a4b00;")
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(row)
        layout.addWidget(self.pending_label)
        layout.addWidget(self.members_filter)
        layout.addWidget(self.members_view)
        return tab

    def _sheets_tab(self) -> QWidget:
        self.sheets_model = RowsModel([_("Number"), _("Application"), _("Expert"), _("State"), _("Total"), _("Note")])
        self.sheets_view = table_view(self.sheets_model)  # sorts; filtered by expert and state, exported as shown
        self.sheets_filter = FilterBar(self.sheets_view, choices=((2, _("All experts")), (3, _("All states"))))
        self.sheets_export_action = ExportTableAction(
            self.ctx, self.sheets_view, lambda: _("Review sheets — {panel}").format(panel=self.panel_combo.currentText()),
            self, describe=self.sheets_filter.describe, on_message=self.status_message.emit,
        )  # fmt: skip
        self.sheets_filter.add_action(self.sheets_export_action)
        self.counts_label = QLabel()
        self.replacement_label = QLabel()
        self.replacement_label.setWordWrap(True)
        self.replacement_label.setStyleSheet("color: #8a4b00;")
        self.conflict_button = QPushButton(_("Declare conflict…"))
        self.replace_button = QPushButton(_("Add replacement reviewer"))
        self.add_reviewer_button = QPushButton(_("Add reviewer…"))
        self.export_button = QPushButton(_("Export workbooks…"))
        self.import_button = QPushButton(_("Import workbooks…"))
        self.finalise_button = QPushButton(_("Finalise panel…"))
        self.reopen_button = QPushButton(_("Reopen…"))
        row = QHBoxLayout()
        for b in (self.conflict_button, self.replace_button, self.add_reviewer_button):
            row.addWidget(b)
        row.addStretch(1)
        for b in (self.export_button, self.import_button, self.finalise_button, self.reopen_button):
            row.addWidget(b)
        self.conflict_button.clicked.connect(self.declare_conflict)
        self.replace_button.clicked.connect(self.add_replacement)
        self.add_reviewer_button.clicked.connect(self.add_reviewer)
        self.export_button.clicked.connect(lambda: self.export_workbooks())
        self.import_button.clicked.connect(lambda: self.import_workbooks())
        self.finalise_button.clicked.connect(self.finalise)
        self.reopen_button.clicked.connect(self.reopen)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(row)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.replacement_label)
        layout.addWidget(self.sheets_filter)
        layout.addWidget(self.sheets_view, 1)
        return tab

    def _votes_tab(self) -> QWidget:
        self.votes_model = RowsModel([_("Number"), _("For"), _("Against"), _("Abstain"), _("May vote"), _("Result")])
        self.votes_view = table_view(self.votes_model)
        self.votes_filter = filter_and_export(
            self.ctx, self.votes_view, lambda: _("Meeting votes — {panel}").format(panel=self.panel_combo.currentText()),
            self, on_message=self.status_message.emit,
        )  # fmt: skip
        self.majority_combo = QComboBox()
        for code, title in panels_panel.MAJORITY_RULES.items():
            self.majority_combo.addItem(_(title), code)
        self.vote_button = QPushButton(_("Record vote…"))
        row = QHBoxLayout()
        row.addWidget(QLabel(_("Majority rule")))
        row.addWidget(self.majority_combo)
        row.addStretch(1)
        row.addWidget(self.vote_button)
        self.majority_combo.activated.connect(self._majority_chosen)
        self.vote_button.clicked.connect(self.record_vote)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(row)
        layout.addWidget(self.votes_filter)
        layout.addWidget(self.votes_view)
        return tab

    def _calibration_tab(self) -> QWidget:
        self.results_model = RowsModel([_("Number"), _("Application"), _("Sheets"), _("Mean"), _("Trimmed mean"),
                                        _("Meeting vote"), _("Normalised (z-score)")])  # fmt: skip
        self.experts_model = RowsModel([_("Expert"), _("Sheets"), _("Mean"), _("Offset from co-reviewers"), _("Spread (std. dev.)"),
                                        _("Outside the panel's range"), _("Offset, all batches")])  # fmt: skip
        self.queue_model = RowsModel([_("Number"), _("Application"), _("Why it needs discussion")])
        self.results_view = table_view(self.results_model)
        self.experts_view = table_view(self.experts_model)
        self.queue_view = table_view(self.queue_model)
        self.calibration_label = QLabel()
        split = QSplitter(Qt.Orientation.Vertical)
        for title, view in ((_("Results"), self.results_view), (_("Expert calibration"), self.experts_view),
                            (_("Discussion queue"), self.queue_view)):  # fmt: skip
            box = QWidget()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            label = QLabel(title)
            label.setStyleSheet("font-weight: bold;")
            inner.addWidget(label)
            inner.addWidget(filter_and_export(
                self.ctx, view, lambda t=title: f"{t} — {self.panel_combo.currentText()}", self,
                on_message=self.status_message.emit,
            ))  # fmt: skip
            inner.addWidget(view)
            split.addWidget(box)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addWidget(self.calibration_label)
        layout.addWidget(split, 1)
        return tab

    # -- loading ----------------------------------------------------------

    def refresh(self) -> None:
        batch_id, panel_id, stage_id = self._batch_id, self._panel_id, self._stage_id
        self._loading = True

        def load(session, _p, _c):
            return load_snapshot(session, batch_id, panel_id, stage_id)

        self.ctx.run_db(load, self._show, self.show_error, supersede=self)

    def _show(self, snap: PanelSnapshot) -> None:
        self._loading = False
        self.snapshot = snap
        self._batch_id = snap.batch_id
        self._panel_id = snap.panel.id if snap.panel else None
        self._stage_id = snap.stage_id
        self.stage_combo.fill(snap.stages, snap.stage_id)
        self.batch_combo.clear()
        for batch_id, name in snap.batches:
            self.batch_combo.addItem(name, batch_id)
        if snap.batch_id is not None:
            self.batch_combo.setCurrentIndex(self.batch_combo.findData(snap.batch_id))
        self.panel_combo.clear()
        for p in snap.panels:
            self.panel_combo.addItem(p.name, p.id)
        if snap.panel is not None:
            self.panel_combo.setCurrentIndex(self.panel_combo.findData(snap.panel.id))
        p = snap.panel
        has_panel = p is not None
        finalised = has_panel and p.status is PanelStatus.FINALIZED
        self.info.setText(
            _("{mode} · {status} · {apps} applications · {members} members").format(
                mode=p.mode.label(), status=p.status.label(), apps=p.applications, members=p.members
            )
            if has_panel
            else _("No panel yet in this stage: create one for it.")
        )
        for b in (self.draw_button, self.confirm_button, self.confirm_all_button, self.decline_button,
                  self.assign_button, self.conflict_button, self.replace_button,
                  self.add_reviewer_button, self.import_button, self.finalise_button, self.vote_button):  # fmt: skip
            b.setEnabled(has_panel and not finalised)
        self.draw_button.setEnabled(has_panel and not finalised and p.members == 0)
        self.export_button.setEnabled(has_panel)
        self.reopen_button.setEnabled(bool(finalised))
        self.new_panel_button.setEnabled(snap.batch_id is not None)

        self.members_model.set_rows(
            [
                (
                    m.name,
                    m.unit,
                    m.title,
                    m.status.label(),
                    invitation_text(m),
                    (m.reason or "") + (f" → {m.replaced_by}" if m.replaced_by else ""),
                    m.assigned,
                )
                for m in snap.members
            ],  # fmt: skip
            [m.expert_id for m in snap.members],
            [member_colour(m) for m in snap.members],
        )
        pending = [m.name for m in snap.members if is_pending(m)]
        self.confirm_all_button.setEnabled(bool(pending) and not finalised)
        self.pending_label.setText(
            _("Awaiting confirmation: {names}. Only confirmed members are assigned reviews.").format(
                names="、".join(pending)
            )
            if pending
            else ""
        )
        if snap.status is not None:
            rows = snap.status.rows
            self.sheets_model.set_rows(
                [(r.number, r.title, r.expert, r.state_label, points_text(r.total), r.note) for r in rows],
                [(r.application_id, r.expert_id) for r in rows],
                [STATE_COLOURS[r.state] for r in rows],
            )
            self.counts_label.setText(
                "　".join(f"{_(panels_status.STATE_LABELS[k])}：{n}" for k, n in snap.status.counts.items())
            )
            needs = list(snap.status.needs_replacement.values())
            self.replacement_label.setText(
                _("Needs a replacement reviewer: {text}").format(text="；".join(needs)) if needs else ""
            )
        else:
            self.sheets_model.set_rows([], [])
            self.counts_label.setText("")
            self.replacement_label.setText("")
        self.votes_model.set_rows(
            [(v.number, v.votes_for, v.against, v.abstain, v.eligible, v.label) for v in snap.votes],
            [v.application_id for v in snap.votes],
            [None if v.passed is None else ("#d4edda" if v.passed else "#f8d7da") for v in snap.votes],
        )
        if has_panel:
            self.majority_combo.setCurrentIndex(
                max(0, self.majority_combo.findData(p.settings.get("majority", "simple")))
            )
        cal = snap.calibration
        if cal is not None:
            self.results_model.set_rows(
                [
                    (
                        r.number,
                        r.title,
                        r.sheets,
                        points_text(r.mean),
                        points_text(r.trimmed_mean),
                        r.vote,
                        points_text(r.normalised) if r.normalised is not None else r.reason,
                    )
                    for r in cal.results
                ],  # fmt: skip
                [r.application_id for r in cal.results],
            )

            def fmt(c, attr):
                value = getattr(c, attr) if c is not None else None
                return "" if value is None else (points_text(value) if isinstance(value, Decimal) else value)

            self.experts_model.set_rows(
                [
                    (
                        e.name,
                        fmt(e.batch, "sheets"),
                        fmt(e.batch, "mean"),
                        fmt(e.batch, "offset"),
                        fmt(e.batch, "spread"),
                        f"{e.batch.outside}/{e.batch.compared}" if e.batch else "",
                        fmt(e.overall, "offset"),
                    )
                    for e in cal.experts
                ],  # fmt: skip
                [e.expert_id for e in cal.experts],
            )
            self.queue_model.set_rows(
                [(q.number, q.title, "；".join(q.item.reasons)) for q in cal.queue],
                [q.application_id for q in cal.queue],
            )
            self.calibration_label.setText(
                _("Normalised only where every expert has at least {minimum} sheets in the batch.").format(
                    minimum=cal.min_sheets
                )
            )
        for view in (self.members_view, self.sheets_view, self.votes_view, self.results_view, self.experts_view,
                     self.queue_view):  # fmt: skip
            view.resizeColumnsToContents()
        self.loaded.emit()

    def _batch_chosen(self, _index: int) -> None:
        self._batch_id = self.batch_combo.currentData()
        self._panel_id = None
        self._stage_id = None  # the new batch's current stage
        self.refresh()

    def _stage_chosen(self, _index: int) -> None:
        self._stage_id = self.stage_combo.wanted()
        self._panel_id = None
        self.refresh()

    def _panel_chosen(self, _index: int) -> None:
        self._panel_id = self.panel_combo.currentData()
        self.refresh()

    def _on_changed(self, changes: Changes) -> None:
        if changes.panels or changes.sheets or changes.experts or changes.batches:
            self.refresh()

    def show_error(self, error: BaseException) -> None:
        self._loading = False
        if isinstance(error, Cancelled):
            self.status_message.emit(str(error))
            return
        QMessageBox.warning(self, _("Error"), str(error))

    def _run(self, operation, *, label: str | None = None, cancellable: bool = False) -> None:
        def done(changes: Changes) -> None:
            if changes.message:
                self.status_message.emit(changes.message)
            changes.panels = True
            self.ctx.bus.announce(changes)

        self.ctx.run_db(operation, done, self.show_error, label=label, cancellable=cancellable, parent=self)

    # -- actions ----------------------------------------------------------

    def new_panel(self) -> None:
        """新建专家组…: the dialog opens; its OK creates the panel."""
        if self._batch_id is None:
            return
        dialog = NewPanelDialog(self)
        dialog.accepted.connect(lambda: self._create_panel(dialog))
        self.dialog = dialog
        dialog.open()

    def _create_panel(self, dialog: NewPanelDialog) -> None:
        name, mode, due, majority = dialog.values()
        numbers = dialog.application_numbers()
        batch_id, actor, stage_id = self._batch_id, self.ctx.actor, self._stage_id

        def run(session, _p, _c):
            ids = panels_panel.application_ids_by_number(session, batch_id, numbers) if numbers else None
            panel_id, changes = panels_panel.create_panel(
                session, batch_id, name, actor=actor, mode=mode, due_date=due, settings={"majority": majority},
                application_ids=ids, stage_id=stage_id,
            )  # fmt: skip
            self._panel_id = panel_id
            return changes

        self._run(run)

    def open_draw(self) -> DrawDialog | None:
        if self._panel_id is None:
            return None
        dialog = DrawDialog(self.ctx, self._panel_id, self)
        dialog.drawn.connect(lambda _o: self.ctx.bus.announce(Changes(panels=True)))
        dialog.open()
        return dialog

    def open_assignment(self) -> AssignmentDialog | None:
        if self._panel_id is None:
            return None
        dialog = AssignmentDialog(self.ctx, self._panel_id, self)
        dialog.applied.connect(lambda changes: self.ctx.bus.announce(changes))
        dialog.open()
        return dialog

    def declare_conflict(self) -> None:
        key = selected_key(self.sheets_view)
        if key is None or self._panel_id is None:
            return
        dialog = ReasonDialog(
            _("Declare a conflict"),
            _("The sheet is excluded from the results and the application needs a replacement reviewer. Reason:"),
            self,
        )
        if not dialog.exec():
            return
        panel_id, reason, actor = self._panel_id, dialog.reason(), self.ctx.actor

        def run(session, _p, _c):
            return conflicts.declare_conflict(session, panel_id, key[0], key[1], reason, actor=actor)

        self._run(run)

    def add_replacement(self) -> None:
        key = selected_key(self.sheets_view)
        if key is None or self._panel_id is None:
            return
        panel_id, actor = self._panel_id, self.ctx.actor

        def run(session, _p, _c):
            _expert, changes = conflicts.replace_reviewer(session, panel_id, key[0], actor=actor)
            return changes

        self._run(run)

    def add_reviewer(self) -> None:
        """手工指派…: one member to one application, by hand."""
        snap = self.snapshot
        if snap is None or snap.panel is None:
            return
        members = [(m.expert_id, m.name) for m in snap.members if m.status is MemberStatus.ACTIVE]
        dialog = AddReviewerDialog(snap.applications, members, self)
        dialog.accepted.connect(lambda: self._assign_by_hand(snap, dialog))
        self.dialog = dialog
        dialog.open()

    def _assign_by_hand(self, snap: PanelSnapshot, dialog: AddReviewerDialog) -> None:
        app_id, expert_id = dialog.values()
        panel_id, actor = snap.panel.id, self.ctx.actor

        def run(session, _p, _c):
            return assignment.add_assignment(session, panel_id, app_id, expert_id, actor=actor)

        self._run(run)

    def export_workbooks(self, folder: str | None = None) -> None:
        self.workbooks.export(folder)

    def import_workbooks(self, paths: list[str] | None = None, *, confirm: bool = True) -> None:
        """Check first (dry run), show every file and error, then import on confirmation."""
        self.workbooks.import_(paths, confirm=confirm)

    def finalise(self) -> None:
        if self._panel_id is None or self.snapshot is None or self.snapshot.status is None:
            return
        counts = self.snapshot.status.counts
        open_sheets = (
            counts[panels_status.STATE_MISSING] + counts[panels_status.STATE_DRAFT] + counts[panels_status.STATE_LATE]
        )
        text = _("Finalising locks every sheet of this panel; results computed from them no longer change.")
        if open_sheets:
            text += "\n" + _("{count} sheets are not submitted; finalise anyway?").format(count=open_sheets)
        if QMessageBox.question(self, _("Finalise panel"), text) != QMessageBox.StandardButton.Yes:
            return
        panel_id, actor = self._panel_id, self.ctx.actor

        def run(session, _p, _c):
            return finalise.finalize_panel(session, panel_id, actor=actor, allow_missing=bool(open_sheets))

        self._run(run)

    def reopen(self) -> None:
        if self._panel_id is None:
            return
        dialog = ReasonDialog(_("Reopen panel"), _("Reopening unlocks the sheets. The reason is recorded:"), self)
        if not dialog.exec():
            return
        panel_id, reason, actor = self._panel_id, dialog.reason(), self.ctx.actor

        def run(session, _p, _c):
            return finalise.reopen_panel(session, panel_id, reason, actor=actor)

        self._run(run)

    def _majority_chosen(self, _index: int) -> None:
        if self._panel_id is None:
            return
        panel_id, rule, actor = self._panel_id, self.majority_combo.currentData(), self.ctx.actor

        def run(session, _p, _c):
            return panels_panel.update_settings(session, panel_id, {"majority": rule}, actor=actor)

        self._run(run)

    def record_vote(self) -> None:
        """记录投票…: one member's vote on one application."""
        snap = self.snapshot
        if snap is None or snap.panel is None:
            return
        members = [(m.expert_id, m.name) for m in snap.members if m.status is MemberStatus.ACTIVE]
        dialog = VoteDialog(snap.applications, members, self)
        dialog.accepted.connect(lambda: self._store_vote(snap, dialog))
        self.dialog = dialog
        dialog.open()

    def _store_vote(self, snap: PanelSnapshot, dialog: VoteDialog) -> None:
        app_id, expert_id, choice = dialog.values()
        panel_id, actor = snap.panel.id, self.ctx.actor

        def run(session, _p, _c):
            return panels_votes.record_vote(session, panel_id, app_id, expert_id, choice, actor=actor)

        self._run(run)
