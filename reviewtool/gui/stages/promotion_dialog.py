"""晋级…: which applications of a stage go on to the next one, by a stated rule —
the top N, everything at or above a score, or chosen by hand with a reason.

预览 shows the rule in words, who goes on and who does not (nothing is
stored); 应用 is possible only for the rule last previewed, and stores it
(``services.stages.promotion``). GUI thread only; the work runs on the worker.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.numbers import parse_number
from reviewtool.core.scoring.rubric import figure_text
from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.scoring.ranking import ranked_applications
from reviewtool.services.stages import promotion


def _line(candidate) -> str:
    place = "—" if candidate.position is None else str(candidate.position)
    note = f"（{candidate.reason}）" if candidate.reason else ""
    return f"{place:>3}  {candidate.number}  {figure_text(candidate.score) or '—'}  {candidate.title}{note}"


class PromotionDialog(QDialog):
    applied = Signal(object)  # Changes

    def __init__(
        self, ctx: GuiContext, batch_id: int, stage_id: int, stage_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.batch_id = batch_id
        self.stage_id = stage_id
        self.preview: promotion.PromotionPreview | None = None
        self._previewed: dict | None = None  # the rule the shown preview is for
        self.setWindowTitle(_("Promote from {stage}").format(stage=stage_name))
        self.resize(900, 560)

        self.by_top = QRadioButton(_("The top"))
        self.top = QSpinBox()
        self.top.setObjectName("promote-top")
        self.top.setRange(1, 100_000)
        self.top.setValue(15)
        self.by_score = QRadioButton(_("At or above the score"))
        self.score = QLineEdit()
        self.score.setObjectName("promote-score")
        self.score.setPlaceholderText("80")
        self.by_hand = QRadioButton(_("Chosen by hand, because:"))
        self.reason = QLineEdit()
        self.reason.setObjectName("promote-reason")
        self.choices = QListWidget()
        self.choices.setObjectName("promote-choices")
        self.group = QButtonGroup(self)
        for button in (self.by_top, self.by_score, self.by_hand):
            self.group.addButton(button)
        self.by_top.setChecked(True)
        rules = QGridLayout()
        rules.addWidget(self.by_top, 0, 0)
        rules.addWidget(self.top, 0, 1)
        rules.addWidget(QLabel(_("applications of the stage's ranking")), 0, 2)
        rules.addWidget(self.by_score, 1, 0)
        rules.addWidget(self.score, 1, 1)
        rules.addWidget(self.by_hand, 2, 0)
        rules.addWidget(self.reason, 2, 1, 1, 2)
        rules.setColumnStretch(2, 1)

        self.rule_label = QLabel(_("Choose a rule and press Preview."))
        self.rule_label.setObjectName("promotion-rule")
        self.rule_label.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #9a3412;")
        self.promoted = QListWidget()
        self.promoted.setObjectName("promoted-list")
        self.not_promoted = QListWidget()
        self.not_promoted.setObjectName("not-promoted-list")
        self.promoted_title = QLabel(_("Go on"))
        self.not_promoted_title = QLabel(_("Do not go on"))
        lists = QGridLayout()
        lists.addWidget(self.promoted_title, 0, 0)
        lists.addWidget(self.not_promoted_title, 0, 1)
        lists.addWidget(self.promoted, 1, 0)
        lists.addWidget(self.not_promoted, 1, 1)

        self.preview_button = QPushButton(_("Preview"))
        self.apply_button = QPushButton(_("Apply"))
        self.apply_button.setEnabled(False)
        self.close_button = QPushButton(_("Close"))
        for button in (self.preview_button, self.apply_button, self.close_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.preview_button, self.apply_button, self.close_button):
            buttons.addWidget(button)

        left = QVBoxLayout()
        left.addLayout(rules)
        left.addWidget(QLabel(_("By hand: tick the applications that go on.")))
        left.addWidget(self.choices, 1)
        body = QHBoxLayout()
        body.addLayout(left, 2)
        right = QVBoxLayout()
        right.addWidget(self.rule_label)
        right.addWidget(self.warnings)
        right.addLayout(lists, 1)
        body.addLayout(right, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)

        self.preview_button.clicked.connect(self.run_preview)
        self.apply_button.clicked.connect(self.apply)
        self.close_button.clicked.connect(self.reject)
        for signal in (self.top.valueChanged, self.score.textChanged, self.reason.textChanged,
                       self.group.buttonClicked, self.choices.itemChanged):  # fmt: skip
            signal.connect(lambda *_a: self._inputs_changed())
        ctx.run_db(
            lambda s, _p, _c: ranked_applications(s, batch_id, stage_id=stage_id).rows, self._fill_choices, self._error
        )

    def _fill_choices(self, rows) -> None:
        self.choices.blockSignals(True)
        for row in rows:
            item = QListWidgetItem(
                f"{row.position or '—':>3}  {row.number}  {figure_text(row.score) or '—'}  {row.title}"
            )
            item.setData(Qt.ItemDataRole.UserRole, row.number)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.choices.addItem(item)
        self.choices.blockSignals(False)

    # -- the rule ------------------------------------------------------------

    def rule(self) -> dict:
        """The rule as the service takes it (``UserError`` from a bad score)."""
        if self.by_top.isChecked():
            return {"top": self.top.value()}
        if self.by_score.isChecked():
            value = parse_number(self.score.text(), field=_("Score"), minimum=0, maximum=10000, places=4)
            return {"min_score": value}
        numbers = [
            self.choices.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.choices.count())
            if self.choices.item(i).checkState() == Qt.CheckState.Checked
        ]
        return {"numbers": numbers, "reason": self.reason.text().strip()}

    def _inputs_changed(self) -> None:
        if self._previewed is not None:
            self.apply_button.setEnabled(False)
            self.rule_label.setText(_("The rule changed: press Preview again."))

    # -- preview and apply -----------------------------------------------------

    def run_preview(self) -> None:
        try:
            rule = self.rule()
        except Exception as exc:  # noqa: BLE001 - a UserError naming the field
            self._error(exc)
            return
        batch_id, stage_id = self.batch_id, self.stage_id
        self.preview_button.setEnabled(False)

        def done(preview) -> None:
            self.preview_button.setEnabled(True)
            self._show(preview, rule)

        def failed(error: BaseException) -> None:
            self.preview_button.setEnabled(True)
            self._error(error)

        self.ctx.run_db(lambda s, _p, _c: promotion.preview_promotion(s, batch_id, stage_id, **rule), done, failed)

    def _show(self, preview: promotion.PromotionPreview, rule: dict) -> None:
        self.preview = preview
        self._previewed = rule
        self.rule_label.setText(preview.rule)
        self.warnings.setText("\n".join(preview.warnings))
        self.promoted_title.setText(_("Go on to {stage} ({count})").format(stage=preview.target,
                                                                          count=len(preview.promoted)))  # fmt: skip
        self.not_promoted_title.setText(_("Do not go on ({count})").format(count=len(preview.not_promoted)))
        for widget, items in ((self.promoted, preview.promoted), (self.not_promoted, preview.not_promoted)):
            widget.clear()
            for candidate in items:
                widget.addItem(_line(candidate))
        self.apply_button.setEnabled(bool(preview.promoted))

    def apply(self) -> None:
        if self._previewed is None:
            return
        batch_id, stage_id, rule, actor = self.batch_id, self.stage_id, self._previewed, self.ctx.actor
        self.apply_button.setEnabled(False)

        def done(result) -> None:
            _preview, changes = result
            self.applied.emit(changes)
            self.accept()

        def failed(error: BaseException) -> None:
            self.apply_button.setEnabled(True)
            self._error(error)

        self.ctx.run_db(
            lambda s, _p, _c: promotion.apply_promotion(s, batch_id, stage_id, actor=actor, **rule), done, failed
        )

    def _error(self, error: BaseException) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, _("Not possible"), str(error), QMessageBox.StandardButton.Ok, self)
        box.setObjectName("promotion-error")
        self.error_box = box
        box.open()
