"""The batch form (新建批次 / 修改批次): name, year, deadline, budget, the
review rules and what an import into the batch checks (the ceiling on one
amount, the name length rule). Saving goes through ``services.batches.batch`` on the worker;
a refused value is shown in the form (naming the field) and the form stays
open with everything typed. Cancel, Esc and the close button ask before
throwing typed values away.

Threading: GUI thread only; database work goes through ``ctx.run_db``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core import batches as rules
from reviewtool.core.intake.fields import TITLE_RULE_LENGTH, UNIT_RULE_LENGTH
from reviewtool.gui.context import GuiContext
from reviewtool.gui.widgets.unsaved_changes import UnsavedChanges
from reviewtool.i18n import _
from reviewtool.services.batches import batch as batches


def _number(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


class BatchDialog(QDialog):
    """Create a batch (``row is None``) or edit one. Emits ``saved(batch_id, changes)``."""

    saved = Signal(int, object)

    def __init__(self, ctx: GuiContext, row: batches.BatchRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.row = row
        self.setWindowTitle(_("New batch") if row is None else _("Edit batch — {name}").format(name=row.name))
        self.name = QLineEdit()
        self.name.setObjectName("batch-name")
        self.name.setPlaceholderText(_("e.g. 2026年海东市科技计划项目"))
        self.year = QLineEdit()
        self.year.setObjectName("batch-year")
        self.year.setPlaceholderText(_("from the name when empty"))
        self.deadline = QLineEdit()
        self.deadline.setObjectName("batch-deadline")
        self.deadline.setPlaceholderText("YYYY-MM-DD")
        self.budget = QLineEdit()
        self.budget.setObjectName("batch-budget")
        self.budget.setPlaceholderText(_("no limit"))
        self.threshold = QLineEdit()
        self.threshold.setObjectName("batch-threshold")
        self.min_sheets = QSpinBox()
        self.min_sheets.setObjectName("batch-min-sheets")
        self.min_sheets.setRange(1, rules.SHEETS_LIMIT)
        self.min_sheets.setSuffix(_(" sheets"))
        self.trimmed = QSpinBox()
        self.trimmed.setObjectName("batch-trimmed")
        self.trimmed.setRange(3, rules.SHEETS_LIMIT)
        self.trimmed.setSuffix(_(" sheets"))
        self.spread = QLineEdit()
        self.spread.setObjectName("batch-spread")
        self.category = QLineEdit()
        self.category.setPlaceholderText(_("optional, e.g. 重点研发与转化计划"))
        self.description = QPlainTextEdit()
        self.description.setFixedHeight(60)
        self.description.setTabChangesFocus(True)
        self.money_ceiling = QLineEdit()
        self.money_ceiling.setObjectName("batch-money-ceiling")
        self.money_ceiling.setPlaceholderText(_("{ceiling} when empty").format(ceiling=_number(rules.DEFAULT_CEILING)))
        self.length_rule = QCheckBox(
            _(
                "Warn when a project title has more than {title} or a unit name more than {unit} Chinese characters (汉字)"
            ).format(title=TITLE_RULE_LENGTH, unit=UNIT_RULE_LENGTH)
        )
        self.length_rule.setObjectName("batch-title-length-rule")
        for widget, tip in (
            (self.threshold, _("Applications scoring below it are not recommended and never funded.")),
            (self.min_sheets, _("With fewer valid (submitted, not excluded) sheets the review is incomplete: "
                                "the application is shown as 评审未完成 and never funded.")),
            (self.trimmed, _("From this many sheets on, the highest and the lowest total are dropped "
                             "(去掉一个最高分和一个最低分); below it the mean is used.")),
            (self.spread, _("A spread (highest − lowest total) above it puts the application on the "
                            "discussion queue.")),
            (self.money_ceiling, _("An imported amount above it is refused (the row names the cell); "
                                   "from 10,000 (10k yuan) on an amount is flagged as probably written in yuan.")),
            (self.length_rule, _("Only a warning: the rows are imported all the same.")),
        ):  # fmt: skip
            widget.setToolTip(tip)

        form = QFormLayout()
        form.addRow(rules.label("name"), self.name)
        form.addRow(rules.label("year"), self.year)
        form.addRow(rules.label("deadline"), self.deadline)
        form.addRow(rules.label("budget"), self.budget)
        form.addRow(rules.label("category"), self.category)
        heading = QLabel(_("<b>Review rules</b> (used by ranking, 拟立项 and every export)"))
        form.addRow(heading)
        form.addRow(rules.label("threshold"), self.threshold)
        form.addRow(rules.label("min_sheets"), self.min_sheets)
        form.addRow(rules.label("trimmed_min_sheets"), self.trimmed)
        form.addRow(rules.label("spread_threshold"), self.spread)
        form.addRow(QLabel(_("<b>Import checks</b> (applied when applications are imported into the batch)")))
        form.addRow(rules.label("money_ceiling"), self.money_ceiling)
        form.addRow(rules.label("title_length_rule"), self.length_rule)
        form.addRow(rules.label("description"), self.description)
        self.error = QLabel()
        self.error.setObjectName("batch-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(_("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self._fill(row)
        self.unsaved = UnsavedChanges(self, self.values, self.save)
        self.unsaved.mark_saved()
        self._saving = False

    def _fill(self, row: batches.BatchRow | None) -> None:
        defaults = rules.BatchRules()
        self.name.setText(row.name if row else "")
        self.year.setText(str(row.year) if row and row.year else "")
        self.deadline.setText(row.deadline.isoformat() if row and row.deadline else "")
        self.budget.setText(_number(row.budget) if row else "")
        self.threshold.setText(_number(row.threshold if row else defaults.threshold))
        self.min_sheets.setValue(row.min_sheets if row else defaults.min_sheets)
        self.trimmed.setValue(row.trimmed_min_sheets if row else defaults.trimmed_min_sheets)
        self.spread.setText(_number(row.spread_threshold if row else defaults.spread_threshold))
        self.category.setText((row.category or "") if row else "")
        self.description.setPlainText(row.description if row else "")
        self.money_ceiling.setText(_number(row.money_ceiling) if row else "")
        self.length_rule.setChecked(bool(row) and row.title_length_rule == rules.LENGTH_RULE_WARN)

    def values(self) -> dict[str, object]:
        """What the form holds, as text for the service to check."""
        return {
            "name": self.name.text(),
            "year": self.year.text(),
            "deadline": self.deadline.text(),
            "budget": self.budget.text(),
            "threshold": self.threshold.text(),
            "min_sheets": self.min_sheets.value(),
            "trimmed_min_sheets": self.trimmed.value(),
            "spread_threshold": self.spread.text(),
            "category": self.category.text(),
            "description": self.description.toPlainText(),
            "money_ceiling": self.money_ceiling.text(),
            "title_length_rule": rules.LENGTH_RULE_WARN if self.length_rule.isChecked() else rules.LENGTH_RULE_OFF,
        }

    def save(self) -> None:
        if self._saving:
            return
        values, actor = self.values(), self.ctx.actor
        batch_id = self.row.id if self.row else None
        if batch_id is not None and not values["year"].strip():
            values["year"] = None

        def run(session, _p, _c):
            if batch_id is None:
                return batches.create_batch(session, values, actor=actor)
            return batch_id, batches.update_batch(session, batch_id, values, actor=actor)

        self._saving = True
        self.error.setText("")
        self.ctx.run_db(run, self._saved, self._failed)

    def _saved(self, result) -> None:
        self._saving = False
        batch_id, changes = result
        self.unsaved.mark_saved()
        self.ctx.bus.announce(changes)
        self.saved.emit(batch_id, changes)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._saving = False
        self.error.setText(str(error))

    def reject(self) -> None:
        if self.unsaved.may_close():
            super().reject()
