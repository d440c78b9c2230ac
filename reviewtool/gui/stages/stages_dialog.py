"""评审阶段: the batch's stages in order, with the buttons that act on them —
新增阶段…, 阶段定稿…, 重新打开…, 晋级…, 计分规则… — and whether experts see their own
earlier-stage sheets, and which attachments they may open. Opened from the batch page.

Every action is a service call on the worker (``ctx.run_db``); the list
reloads when the change bus announces batch or panel changes. GUI thread only.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.enums import StageKind, StageStatus
from reviewtool.gui.context import GuiContext
from reviewtool.gui.stages.add_stage_dialog import AddStageDialog
from reviewtool.gui.stages.final_rule_dialog import FinalRuleDialog
from reviewtool.gui.stages.promotion_dialog import PromotionDialog
from reviewtool.gui.widgets.rows_model import RowsModel, selected_key, table_view
from reviewtool.i18n import N_, _
from reviewtool.services.changes import Changes
from reviewtool.services.my_reviews.workspace import allowed_attachment_kinds
from reviewtool.services.stages import expert_attachments, finalise, visibility
from reviewtool.services.stages import stage as stages
from reviewtool.services.stages.standing import final_rule

COLUMNS = (
    N_("Order"),
    N_("Stage"),
    N_("Kind"),
    N_("Mode"),
    N_("State"),
    N_("Applications"),
    N_("Panels finalised"),
    N_("Weight"),
)


def load(session, batch_id: int) -> tuple[list[stages.StageRow], str, bool, frozenset[str] | None]:
    rows = stages.list_stages(session, batch_id)
    batch = stages.find_batch(session, batch_id)
    names = [r.name for r in rows if r.kind is StageKind.EXPERT]
    shown = visibility.shows_earlier_sheets(batch)
    return rows, final_rule(batch).text(names), shown, allowed_attachment_kinds(batch)


class StagesDialog(QDialog):
    def __init__(self, ctx: GuiContext, batch_id: int, batch_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.batch_id = batch_id
        self.rows: list[stages.StageRow] = []
        self.setWindowTitle(_("Review stages — {batch}").format(batch=batch_name))
        self.resize(860, 420)
        self.model = RowsModel([_(c) for c in COLUMNS], self)
        self.view = table_view(self.model)
        self.view.setObjectName("stages-table")
        self.rule_label = QLabel()
        self.rule_label.setObjectName("final-rule")
        self.rule_label.setWordWrap(True)
        self.show_earlier = QCheckBox(_("Experts see their own sheet of an earlier stage"))
        self.allow_missing = QCheckBox(_("Finalise even with sheets not submitted"))
        # 专家可查看的附件: one box per attachment kind; all ticked is every kind, none ticked is none.
        self.attachment_boxes = {key: QCheckBox(label) for key, label in expert_attachments.kind_labels()}
        self.add_button = QPushButton(_("Add stage…"))
        self.finalise_button = QPushButton(_("Finalise stage…"))
        self.reopen_button = QPushButton(_("Reopen stage…"))
        self.promote_button = QPushButton(_("Promote…"))
        self.rule_button = QPushButton(_("Final-score rule…"))
        self.close_button = QPushButton(_("Close"))
        for button, tip in (
            (self.add_button, _("Add an expert stage (a meeting review, a defence, a re-review …).")),
            (self.finalise_button, _("Finalise the selected stage and its open panels.")),
            (self.reopen_button, _("Reopen the selected finalised stage; the reason is recorded.")),
            (self.promote_button, _("Choose which applications of the selected stage go on to the next stage.")),
            (self.rule_button, _("How the final score is made: the last stage, or stages weighted.")),
        ):
            button.setToolTip(tip)
        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.finalise_button,
            self.reopen_button,
            self.promote_button,
            self.rule_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.rule_label)
        options = QHBoxLayout()
        options.addWidget(self.show_earlier)
        options.addWidget(self.allow_missing)
        options.addStretch(1)
        layout.addLayout(options)
        files = QHBoxLayout()
        files.addWidget(QLabel(_("Experts may open these attachments:")))
        for box in self.attachment_boxes.values():
            files.addWidget(box)
            box.clicked.connect(self._set_attachment_kinds)
        files.addStretch(1)
        layout.addLayout(files)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self.add_stage)
        self.finalise_button.clicked.connect(self.finalise)
        self.reopen_button.clicked.connect(self.reopen)
        self.promote_button.clicked.connect(self.promote)
        self.rule_button.clicked.connect(self.edit_rule)
        self.close_button.clicked.connect(self.accept)
        self.show_earlier.clicked.connect(self._set_show_earlier)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        ctx.bus.changed.connect(self._on_changed)
        self.refresh()

    # -- loading -----------------------------------------------------------

    def refresh(self) -> None:
        batch_id = self.batch_id
        self.ctx.run_db(lambda s, _p, _c: load(s, batch_id), self._show, self.show_error)

    def _show(self, result) -> None:
        rows, rule, shown, kinds = result
        chosen = self.selected_id()
        self.rows = rows
        self.model.set_rows(
            [
                (
                    r.order,
                    r.name + (_(" (current)") if r.current else ""),
                    r.kind.label(),
                    r.mode.label() if r.kind is StageKind.EXPERT else "",
                    r.status.label(),
                    r.applications,
                    f"{r.finalised_panels}/{r.panels}" if r.kind is StageKind.EXPERT else "",
                    f"{r.weight}%" if r.weight else "",
                )
                for r in rows
            ],
            [r.id for r in rows],
            ["#e3f4e6" if r.current else ("#eeeeee" if r.status is StageStatus.FINALISED else None) for r in rows],
        )
        self.view.resizeColumnsToContents()
        wanted = chosen if chosen in {r.id for r in rows} else next((r.id for r in rows if r.current), None)
        for index in range(self.model.rowCount()):
            if self.model.key(index) == wanted:
                self.view.selectRow(index)
        self.rule_label.setText(rule)
        self.show_earlier.setChecked(shown)
        for key, box in self.attachment_boxes.items():
            box.setChecked(kinds is None or key in kinds)
        self._update_buttons()

    def _on_changed(self, changes: Changes) -> None:
        if changes.batches or changes.panels:
            self.refresh()

    def selected_id(self) -> int | None:
        return selected_key(self.view)

    def selected(self) -> stages.StageRow | None:
        chosen = self.selected_id()
        return next((r for r in self.rows if r.id == chosen), None)

    def _update_buttons(self) -> None:
        row = self.selected()
        experts = [r for r in self.rows if r.kind is StageKind.EXPERT]
        self.finalise_button.setEnabled(row is not None and row.status is not StageStatus.FINALISED)
        self.reopen_button.setEnabled(row is not None and row.status is StageStatus.FINALISED)
        self.promote_button.setEnabled(
            row is not None and row.kind is StageKind.EXPERT and bool(experts) and row.id != experts[-1].id
        )

    def show_error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))

    def _run(self, operation) -> None:
        def done(changes: Changes) -> None:
            self.ctx.bus.announce(changes)
            self.refresh()

        self.ctx.run_db(operation, done, self.show_error)

    # -- actions -----------------------------------------------------------

    def add_stage(self) -> AddStageDialog:
        dialog = AddStageDialog(self.ctx, self.batch_id, [r.name for r in self.rows], self)
        dialog.added.connect(lambda changes: self.ctx.bus.announce(changes))
        self.dialog = dialog
        dialog.open()
        return dialog

    def finalise(self) -> None:
        row = self.selected()
        if row is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            _("Finalise stage"),
            _(
                "Finalise {stage}? Its panels not yet finalised are finalised too; sheets and results are locked."
            ).format(stage=row.name),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("finalise-stage")
        batch_id, stage_id, actor = self.batch_id, row.id, self.ctx.actor
        allow = self.allow_missing.isChecked()
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.buttonClicked.connect(
            lambda button: (
                button is yes
                and self._run(
                    lambda s, _p, _c: finalise.finalize_stage(s, batch_id, stage_id, actor=actor, allow_missing=allow)
                )
            )
        )
        self.question = box
        box.open()

    def reopen(self) -> None:
        """Ask for the reason, then reopen the selected stage (refused once applications went on from it)."""
        row = self.selected()
        if row is None:
            return
        box = QInputDialog(self)
        box.setObjectName("reopen-stage")
        box.setWindowTitle(_("Reopen stage"))
        box.setLabelText(_("Why is {stage} reopened? The reason is recorded.").format(stage=row.name))
        batch_id, stage_id, actor = self.batch_id, row.id, self.ctx.actor
        box.textValueSelected.connect(
            lambda reason: self._run(
                lambda s, _p, _c: finalise.reopen_stage(s, batch_id, stage_id, reason, actor=actor)
            )
        )
        self.question = box
        box.open()

    def promote(self) -> PromotionDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = PromotionDialog(self.ctx, self.batch_id, row.id, row.name, self)
        dialog.applied.connect(lambda changes: self.ctx.bus.announce(changes))
        self.dialog = dialog
        dialog.open()
        return dialog

    def edit_rule(self) -> FinalRuleDialog:
        experts = [r for r in self.rows if r.kind is StageKind.EXPERT]
        dialog = FinalRuleDialog(self.ctx, self.batch_id, experts, self)
        dialog.saved.connect(lambda changes: self.ctx.bus.announce(changes))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _set_attachment_kinds(self) -> None:
        batch_id, actor = self.batch_id, self.ctx.actor
        kinds = {key for key, box in self.attachment_boxes.items() if box.isChecked()}
        self._run(lambda s, _p, _c: expert_attachments.set_expert_attachment_kinds(s, batch_id, kinds, actor=actor))

    def _set_show_earlier(self, checked: bool) -> None:
        batch_id, actor = self.batch_id, self.ctx.actor
        self._run(lambda s, _p, _c: visibility.set_show_earlier_sheets(s, batch_id, checked, actor=actor))
