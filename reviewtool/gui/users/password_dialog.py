"""A new password, typed twice (an administrator resetting one, or a user changing their own)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from reviewtool.i18n import _


class PasswordDialog(QDialog):
    def __init__(self, login: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("New password for {login}").format(login=login))
        self.password = QLineEdit()
        self.password.setObjectName("new-password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("new-password-again")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setVisible(False)
        form = QFormLayout()
        form.addRow(_("New password"), self.password)
        form.addRow(_("Once more"), self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self._accept_if_same)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _accept_if_same(self) -> None:
        if self.password.text() != self.again.text():
            self.error.setText(_("The two passwords differ."))
            self.error.setVisible(True)
            return
        self.accept()

    def value(self) -> str:
        return self.password.text()
