"""Changing one application's recommended amount on the funding page; the
reason is required (it goes into the audit trail). Also the page's number
formats.

Threading: GUI thread only.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QWidget

from reviewtool.i18n import _
from reviewtool.services import funding


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def points(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


class AmountDialog(QDialog):
    """Change one recommended amount; the reason is required."""

    def __init__(self, row: funding.FundingRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Recommended amount — {number}").format(number=row.number))
        self.amount = QLineEdit(f"{row.recommended:.2f}")
        self.amount.setObjectName("amount")
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText(_("Why the amount changes (kept in the audit trail)."))
        self.reason.setFixedHeight(80)
        self.error = QLabel()
        self.error.setStyleSheet("color: #B00020")
        form = QFormLayout(self)
        form.addRow(_("Project title"), QLabel(row.title))
        form.addRow(_("Requested (10k yuan)"), QLabel(money(row.requested)))
        form.addRow(_("Default (10k yuan)"), QLabel(money(row.default_amount)))
        form.addRow(_("Recommended (10k yuan)"), self.amount)
        form.addRow(_("Reason"), self.reason)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.reset_button = buttons.addButton(_("Back to default"), QDialogButtonBox.ButtonRole.ResetRole)
        self.reset_button.clicked.connect(lambda: self.amount.setText(""))
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.value: Decimal | None = None

    def _check(self) -> None:
        try:
            self.value = funding.parse_money(self.amount.text(), what=_("Recommended amount"))
        except Exception as exc:  # noqa: BLE001 - UserError with the message
            self.error.setText(str(exc))
            return
        if not self.reason.toPlainText().strip():
            self.error.setText(_("A reason is required."))
            return
        self.accept()

    def result_values(self) -> tuple[Decimal | None, str]:
        return self.value, self.reason.toPlainText().strip()
