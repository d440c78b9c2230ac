"""The draw rules (抽取规则): the yearly cap on reviews per expert and rotation.

Both are data settings shared by every workstation; saving is audited.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.panels import draw_rules


class DrawRulesDialog(QDialog):
    saved = Signal(object)  # Changes

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Draw rules"))
        self.cap = QSpinBox()
        self.cap.setObjectName("yearly-cap")
        self.cap.setRange(0, draw_rules.CAP_LIMIT)
        self.cap.setSpecialValueText(_("no cap"))
        self.rotation = QCheckBox(_("Draw experts with fewer reviews in the last 12 months first (rotation)"))
        note = QLabel(
            _(
                "A review is one panel an expert served on. An expert who reached the cap in the last 12 months "
                "is excluded from draws; the rule and the counts are recorded with each draw's seed."
            )
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(_("Reviews per expert in 12 months, at most"), self.cap)
        form.addRow(self.rotation)
        form.addRow(note)
        form.addRow(self.buttons)
        ctx.run_db(lambda session, _p, _c: draw_rules.draw_rules(session), self._loaded, self._error)

    def _loaded(self, rules: draw_rules.DrawRules) -> None:
        self.cap.setValue(rules.cap or 0)
        self.rotation.setChecked(rules.rotation)

    def save(self) -> None:
        cap = self.cap.value() or None
        rotation, actor = self.rotation.isChecked(), self.ctx.actor

        def run(session, _p, _c):
            return draw_rules.set_draw_rules(session, actor=actor, cap=cap, rotation=rotation)

        self.ctx.run_db(run, self._saved, self._error)

    def _saved(self, changes) -> None:
        self.ctx.bus.announce(changes)
        self.saved.emit(changes)
        self.accept()

    def _error(self, error: BaseException) -> None:
        QMessageBox.warning(self, _("Error"), str(error))
