"""The 公示 and objections page (公示与异议) of a batch.

Top: the 公示's state with 开启公示… (the list within the funding line is
frozen as it goes public), 结束公示… (the decisions become final) and
修改最终决定… (after closing, with a reason). Then the published list with
each application's final decision, and the objection register — who, when,
about which application, the grounds, the answer date, the handling, the
outcome, the 复审 stage, the closing date — with 登记异议…, 记录处理…,
作出结论…, 送复审…, 结案….

Loaded by one background task as plain data; every action is a service call
through ``ctx.run_db``; a hidden page does no work. GUI thread only.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import ObjectionOutcome
from reviewtool.gui.context import GuiContext
from reviewtool.gui.page_stack import LoadsWhenShown
from reviewtool.gui.publicity import dialogs
from reviewtool.gui.widgets.list_tools import filter_and_export
from reviewtool.gui.widgets.rows_model import RowsModel, selected_key, table_view
from reviewtool.i18n import N_, _
from reviewtool.services.applications import list_batches
from reviewtool.services.changes import Changes
from reviewtool.services.progress import Cancelled
from reviewtool.services.publicity import notice, objections

LIST_COLUMNS = (N_("#"), N_("Number"), N_("Project"), N_("Unit"), N_("Project leader"), N_("Amount (10k yuan)"),
                N_("Final decision"))  # fmt: skip
OBJECTION_COLUMNS = (N_("#"), N_("Application"), N_("Lodged by"), N_("Received on"), N_("Answer by"), N_("Outcome"),
                     N_("Re-review"), N_("Closed on"))  # fmt: skip


@dataclass
class PublicitySnapshot:
    batches: list[tuple[int, str]]
    batch_id: int | None
    view: notice.PublicityView | None
    objections: list[objections.ObjectionRow]
    applications: list[tuple[int, str]]  # reviewed applications: id, "number title"
    funded_now: int  # within the funding line now (what 开启公示 would freeze)


def load_snapshot(session, batch_id: int | None) -> PublicitySnapshot:
    batches = [(b.id, b.name) for b in list_batches(session)]
    if batch_id not in {b for b, _n in batches}:
        batch_id = batches[0][0] if batches else None
    if batch_id is None:
        return PublicitySnapshot(batches, None, None, [], [], 0)
    view = notice.publicity_view(session, batch_id)
    funded_now = 0
    if view.status is None:
        from reviewtool.services.funding import funding_view

        funded_now = sum(1 for r in funding_view(session, batch_id).rows if r.funded)
    apps = [(a.id, f"{a.number} {a.title}") for a in notice.reviewed_applications(session, batch_id)]
    return PublicitySnapshot(batches, batch_id, view, objections.objection_rows(session, batch_id), apps, funded_now)


class PublicityPage(LoadsWhenShown, QWidget):
    status_message = Signal(str)
    loaded = Signal()
    page_key = "publicity"
    guide = "publicity"  # docs/publicity.md

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.snapshot: PublicitySnapshot | None = None
        self._batch_id: int | None = None

        self.batch_combo = QComboBox()
        self.batch_combo.setMinimumContentsLength(24)
        self.state_label = QLabel()
        self.state_label.setObjectName("publicity-state")
        self.state_label.setWordWrap(True)
        self.open_button = QPushButton(_("Open the 公示…"))
        self.close_button = QPushButton(_("Close the 公示…"))
        self.amend_button = QPushButton(_("Change a final decision…"))
        top = QHBoxLayout()
        top.addWidget(QLabel(_("Batch")))
        top.addWidget(self.batch_combo, 2)
        for button in (self.open_button, self.close_button, self.amend_button):
            top.addWidget(button)
        top.addStretch(1)

        self.list_model = RowsModel([_(c) for c in LIST_COLUMNS], self)
        self.list_view = table_view(self.list_model)
        self.list_filter = filter_and_export(
            ctx, self.list_view, lambda: _("Publicity list — {batch}").format(batch=self.batch_combo.currentText()), self,
            on_message=self.status_message.emit,
        )  # fmt: skip
        self.register_button = QPushButton(_("Register objection…"))
        self.handle_button = QPushButton(_("Record handling…"))
        self.decide_button = QPushButton(_("Decide…"))
        self.review_button = QPushButton(_("Send to re-review…"))
        self.review_button.setToolTip(_("An upheld objection: the application goes to a 复审 stage with a new panel."))
        self.close_objection_button = QPushButton(_("Close objection…"))
        self.objection_model = RowsModel([_(c) for c in OBJECTION_COLUMNS], self)
        self.objection_view = table_view(self.objection_model)
        self.objection_filter = filter_and_export(
            ctx, self.objection_view, lambda: _("Objection register — {batch}").format(batch=self.batch_combo.currentText()),
            self, on_message=self.status_message.emit,
        )  # fmt: skip
        self.detail = QTextBrowser()
        self.detail.setObjectName("objection-detail")
        buttons = QHBoxLayout()
        for button in (self.register_button, self.handle_button, self.decide_button, self.review_button,
                       self.close_objection_button):  # fmt: skip
            buttons.addWidget(button)
        buttons.addStretch(1)
        lower = QWidget()
        inner = QVBoxLayout(lower)
        inner.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(_("Objection register"))
        heading.setStyleSheet("font-weight: bold;")
        inner.addWidget(heading)
        inner.addLayout(buttons)
        inner.addWidget(self.objection_filter)
        row = QSplitter(Qt.Orientation.Horizontal)
        row.addWidget(self.objection_view)
        row.addWidget(self.detail)
        row.setSizes([700, 300])
        inner.addWidget(row, 1)
        upper = QWidget()
        top_box = QVBoxLayout(upper)
        top_box.setContentsMargins(0, 0, 0, 0)
        list_heading = QLabel(_("Published list"))
        list_heading.setStyleSheet("font-weight: bold;")
        top_box.addWidget(list_heading)
        top_box.addWidget(self.list_filter)
        top_box.addWidget(self.list_view, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(upper)
        split.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.state_label)
        layout.addWidget(split, 1)

        self.batch_combo.activated.connect(self._batch_chosen)
        self.open_button.clicked.connect(self.open_publicity)
        self.close_button.clicked.connect(self.close_publicity)
        self.amend_button.clicked.connect(self.amend_decision)
        self.register_button.clicked.connect(self.register_objection)
        self.handle_button.clicked.connect(self.record_handling)
        self.decide_button.clicked.connect(self.decide)
        self.review_button.clicked.connect(self.send_to_review)
        self.close_objection_button.clicked.connect(self.close_objection)
        self.objection_view.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        ctx.bus.changed.connect(self._on_changed)

    # -- loading -----------------------------------------------------------

    def refresh(self) -> None:
        batch_id = self._batch_id
        self.ctx.run_db(
            lambda session, _p, _c: load_snapshot(session, batch_id), self._show, self.show_error, supersede=self
        )

    def _show(self, snap: PublicitySnapshot) -> None:
        chosen = selected_key(self.objection_view)
        self.snapshot = snap
        self._batch_id = snap.batch_id
        self.batch_combo.clear()
        for batch_id, name in snap.batches:
            self.batch_combo.addItem(name, batch_id)
        if snap.batch_id is not None:
            self.batch_combo.setCurrentIndex(self.batch_combo.findData(snap.batch_id))
        view = snap.view
        if view is None:
            self.state_label.setText(_("No batch yet."))
        elif view.status is None:
            self.state_label.setText(
                _("Not opened. {count} applications are within the funding line now.").format(count=snap.funded_now)
            )
        else:
            self.state_label.setText(view.label() + (f"（{view.closing_note}）" if view.closing_note else ""))
        labels = {notice.FUNDED: _("funded"), notice.NOT_FUNDED: _("not funded")}
        rows = list(view.rows) if view else []
        self.list_model.set_rows(
            [(i, r["number"], r["title"], r["unit"], r["pi_name"], r.get("amount") or "",
              labels.get((view.decisions or {}).get(str(r["application_id"])), "")) for i, r in enumerate(rows, 1)],
            [r["application_id"] for r in rows],
        )  # fmt: skip
        self.objection_model.set_rows(
            [
                (
                    o.id,
                    f"{o.number} {o.title}",
                    o.lodged_by,
                    o.received_on.isoformat(),
                    o.deadline.isoformat(),
                    o.outcome.label(),
                    o.review_stage,
                    o.closed_on.isoformat() if o.closed_on else "",
                )
                for o in snap.objections
            ],
            [o.id for o in snap.objections],
            ["#eeeeee" if o.closed_on else ("#f8d7da" if o.overdue() else None) for o in snap.objections],
        )
        for table in (self.list_view, self.objection_view):
            table.resizeColumnsToContents()
        if chosen is not None:
            for index in range(self.objection_model.rowCount()):
                if self.objection_model.key(index) == chosen:
                    self.objection_view.selectRow(index)
        self._selection_changed()
        self.status_message.emit(
            _("Objections: {open} open of {total}").format(
                open=sum(1 for o in snap.objections if o.is_open), total=len(snap.objections)
            )
        )
        self.loaded.emit()

    def _selected_objection(self) -> objections.ObjectionRow | None:
        key = selected_key(self.objection_view)
        if self.snapshot is None or key is None:
            return None
        return next((o for o in self.snapshot.objections if o.id == key), None)

    def _selection_changed(self) -> None:
        view = self.snapshot.view if self.snapshot else None
        state = view.status if view else None
        self.open_button.setEnabled(view is not None and state is None)
        self.close_button.setEnabled(view is not None and view.is_open)
        self.amend_button.setEnabled(view is not None and view.final)
        self.register_button.setEnabled(view is not None and view.is_open)
        o = self._selected_objection()
        is_open = o is not None and o.is_open
        self.handle_button.setEnabled(is_open)
        self.decide_button.setEnabled(is_open and o.review_stage_id is None)
        self.review_button.setEnabled(is_open and o.outcome is ObjectionOutcome.UPHELD and o.review_stage_id is None)
        self.close_objection_button.setEnabled(is_open and o.outcome is not ObjectionOutcome.PENDING)
        if o is None:
            self.detail.setPlainText("")
            return
        lines = [
            f"#{o.id}　{o.number} {o.title}",
            _("Lodged by: {who}").format(who=o.lodged_by) + (f"（{o.contact}）" if o.contact else ""),
            _("Received on {received}; answer by {deadline}").format(
                received=o.received_on.isoformat(), deadline=o.deadline.isoformat()
            ),
            _("Grounds: {text}").format(text=o.grounds),
        ]
        if o.handling:
            lines.append(_("Handling:"))
            lines += [f"  · {line}" for line in o.handling.splitlines()]
        lines.append(
            _("Outcome: {outcome}").format(outcome=o.outcome.label())
            + (f"（{o.outcome_note}）" if o.outcome_note else "")
        )
        if o.review_stage:
            lines.append(_("Sent to re-review: {stage}").format(stage=o.review_stage))
        if o.decision:
            labels = {notice.FUNDED: _("funded"), notice.NOT_FUNDED: _("not funded")}
            lines.append(_("Decision after the objection: {decision}").format(decision=labels[o.decision]))
        if o.closed_on:
            lines.append(_("Closed on {date}").format(date=o.closed_on.isoformat()))
        self.detail.setPlainText("\n".join(lines))

    def _batch_chosen(self, _index: int) -> None:
        self._batch_id = self.batch_combo.currentData()
        self.refresh()

    def _on_changed(self, changes: Changes) -> None:
        self.reload_when_seen()

    def show_error(self, error: BaseException) -> None:
        if isinstance(error, Cancelled):
            self.status_message.emit(str(error))
            return
        QMessageBox.warning(self, _("Error"), str(error))

    def _run(self, operation, *, label: str | None = None) -> None:
        def done(changes: Changes) -> None:
            if changes.message:
                self.status_message.emit(changes.message)
            changes.applications = True
            self.ctx.bus.announce(changes)

        self.ctx.run_db(operation, done, self.show_error, label=label, parent=self)

    def _ask(self, dialog, then) -> None:
        """Open ``dialog`` (window-modal); on OK run ``then(dialog)``."""
        dialog.accepted.connect(lambda: then(dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    # -- 公示 -----------------------------------------------------------------

    def open_publicity(self) -> None:
        if self.snapshot is None or self._batch_id is None:
            return
        batch_id, actor = self._batch_id, self.ctx.actor

        def then(dialog: dialogs.OpenPublicityDialog) -> None:
            start, end = dialog.period()
            self._run(lambda s, _p, _c: notice.open_publicity(s, batch_id, starts_on=start, ends_on=end, actor=actor))

        self._ask(dialogs.OpenPublicityDialog(self.snapshot.funded_now, self), then)

    def close_publicity(self) -> None:
        if self._batch_id is None:
            return
        batch_id, actor = self._batch_id, self.ctx.actor

        def then(dialog: dialogs.ClosePublicityDialog) -> None:
            on, note = dialog.closed_on.date().toPython(), dialog.note.text().strip()
            self._run(lambda s, _p, _c: notice.close_publicity(s, batch_id, actor=actor, closed_on=on, note=note))

        self._ask(dialogs.ClosePublicityDialog(self), then)

    def amend_decision(self) -> None:
        snap = self.snapshot
        if snap is None or snap.view is None or not snap.view.final:
            return
        decided = [(i, label, snap.view.decisions.get(str(i)) == notice.FUNDED)
                   for i, label in snap.applications if str(i) in snap.view.decisions]  # fmt: skip
        actor = self.ctx.actor

        def then(dialog: dialogs.AmendDecisionDialog) -> None:
            app_id, funded, reason = dialog.values()
            self._run(lambda s, _p, _c: notice.amend_decision(s, app_id, funded=funded, reason=reason, actor=actor))

        self._ask(dialogs.AmendDecisionDialog(decided, self), then)

    # -- objections ---------------------------------------------------------

    def register_objection(self) -> None:
        snap = self.snapshot
        if snap is None or self._batch_id is None:
            return
        batch_id, actor = self._batch_id, self.ctx.actor

        def then(dialog: dialogs.ObjectionDialog) -> None:
            v = dialog.values()

            def run(session, _p, _c):
                _id, changes = objections.register_objection(
                    session, batch_id, v["application"], lodged_by=v["lodged_by"], received_on=v["received_on"],
                    grounds=v["grounds"], deadline=v["deadline"], contact=v["contact"], actor=actor,
                )  # fmt: skip
                return changes

            self._run(run)

        self._ask(dialogs.ObjectionDialog(snap.applications, self), then)

    def record_handling(self) -> None:
        o = self._selected_objection()
        if o is None:
            return
        actor = self.ctx.actor

        def then(dialog: dialogs.HandlingDialog) -> None:
            step, on = dialog.step.text().strip(), dialog.on.date().toPython()
            self._run(lambda s, _p, _c: objections.record_handling(s, o.id, step, actor=actor, on=on))

        self._ask(dialogs.HandlingDialog(self), then)

    def decide(self) -> None:
        o = self._selected_objection()
        if o is None:
            return
        actor = self.ctx.actor

        def then(dialog: dialogs.DecisionDialog) -> None:
            outcome, note = dialog.values()
            self._run(lambda s, _p, _c: objections.decide_objection(s, o.id, outcome, note, actor=actor))

        self._ask(dialogs.DecisionDialog(self), then)

    def send_to_review(self) -> None:
        o = self._selected_objection()
        if o is None:
            return
        actor = self.ctx.actor

        def then(dialog: dialogs.ReviewDialog) -> None:
            from reviewtool.services.publicity.review import send_to_review

            size, seed = dialog.values()

            def run(session, _p, _c):
                return send_to_review(session, o.id, size=size, seed=seed, actor=actor).changes

            self._run(run, label=_("Drawing the re-review panel…"))

        self._ask(dialogs.ReviewDialog(o.number, self), then)

    def close_objection(self) -> None:
        o = self._selected_objection()
        if o is None:
            return
        actor = self.ctx.actor

        def then(dialog: dialogs.CloseObjectionDialog) -> None:
            on, decision = dialog.values()
            self._run(
                lambda s, _p, _c: objections.close_objection(s, o.id, actor=actor, closed_on=on, decision=decision)
            )

        self._ask(dialogs.CloseObjectionDialog(o.outcome is ObjectionOutcome.UPHELD, self), then)
