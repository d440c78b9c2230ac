"""Ask for a reason (reopening, declining, suspending, conflicts …)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from reviewtool.i18n import _


class ReasonDialog(QDialog):
    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(_("The reason is recorded in the audit trail."))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.text.textChanged.connect(lambda: ok.setEnabled(bool(self.reason())))
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        layout.addWidget(self.text)
        layout.addWidget(self.buttons)
        self.resize(420, 220)

    def reason(self) -> str:
        return self.text.toPlainText().strip()
