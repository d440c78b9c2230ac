"""计分规则…: the batch's final score — the last stage reached, or a weighted
combination of its expert stages (weights in per cent, adding up to 100)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.stages import stage as stages


class FinalRuleDialog(QDialog):
    saved = Signal(object)  # Changes

    def __init__(self, ctx: GuiContext, batch_id: int, experts: list, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.batch_id = batch_id
        self.setWindowTitle(_("Final-score rule"))
        self.last = QRadioButton(_("The score of the last stage each application reached"))
        self.weighted = QRadioButton(_("A weighted combination of the stages:"))
        self.weights: dict[str, QSpinBox] = {}
        form = QFormLayout()
        for row in experts:
            box = QSpinBox()
            box.setRange(0, 100)
            box.setSuffix(" %")
            box.setObjectName(f"weight-{row.order}")
            box.setValue(int(float(row.weight)) if row.weight else 0)
            self.weights[row.name] = box
            form.addRow(row.name, box)
        (self.weighted if any(r.weight for r in experts) else self.last).setChecked(True)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #9a3412;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.last)
        layout.addWidget(self.weighted)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def save(self) -> None:
        batch_id, actor = self.batch_id, self.ctx.actor
        if self.last.isChecked():
            kind, weights = "last", None
        else:
            kind, weights = "weighted", {n: str(b.value()) for n, b in self.weights.items() if b.value()}

        def done(changes) -> None:
            self.saved.emit(changes)
            self.accept()

        self.ctx.run_db(
            lambda s, _p, _c: stages.set_final_rule(s, batch_id, kind, weights, actor=actor),
            done,
            lambda error: self.error.setText(str(error)),
        )
