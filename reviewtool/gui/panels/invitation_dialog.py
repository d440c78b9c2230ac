"""Recording a drawn member's answer to the invitation: 已确认 or 谢绝, with the
date the expert answered; a refusal needs the reason (a replacement is then
drawn and recorded)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from reviewtool.i18n import _


class InvitationAnswerDialog(QDialog):
    """``declined``: the expert declined (the reason is required)."""

    def __init__(self, name: str, *, declined: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.declined = declined
        self.setWindowTitle(_("Member declines") if declined else _("Member confirms"))
        prompt = (
            _("{name} declined the invitation. A replacement is drawn and recorded; they await confirmation in turn.")
            if declined
            else _("{name} accepted the invitation (已确认).")
        ).format(name=name)
        label = QLabel(prompt)
        label.setWordWrap(True)
        self.date = QDateEdit(QDate.currentDate())
        self.date.setObjectName("answer-date")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(QDate.currentDate())
        self.note = QLineEdit()
        self.note.setObjectName("answer-note")
        self.note.setPlaceholderText(
            _("Why the expert declined (required)") if declined else _("How the answer came (e.g. by phone)")
        )
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if declined:
            ok.setEnabled(False)
            self.note.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        form = QFormLayout(self)
        form.addRow(label)
        form.addRow(_("Date of the answer"), self.date)
        form.addRow(_("Reason") if declined else _("Note"), self.note)
        form.addRow(self.buttons)
        self.resize(440, 180)

    def answered_on(self) -> dt.date:
        return self.date.date().toPython()

    def text(self) -> str:
        return self.note.text().strip()
