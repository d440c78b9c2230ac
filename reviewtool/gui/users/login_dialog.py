"""The login dialog (登录): login name and password, asked at start.

Shown for a PostgreSQL URL without a password (the app then connects as that
login role) and for an SQLite file that has local users. The password is
only handed to the connection, never stored: the dialog keeps nothing after
it closes, and what is remembered of the URL has no password in it.

Threading: GUI thread only.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from reviewtool.i18n import _


class LoginDialog(QDialog):
    """Asks for a login and password; the caller reads ``credentials()`` when accepted."""

    def __init__(
        self, where: str, *, login: str = "", message: str = "", server: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Log in"))
        self.setMinimumWidth(420)
        intro = QLabel(
            _("Log in to the database server with your own account:")
            if server
            else _("This database has users: log in so the audit trail records who acted.")
        )
        intro.setWordWrap(True)
        target = QLabel(where)
        target.setObjectName("login-target")
        target.setWordWrap(True)
        self.login = QLineEdit(login)
        self.login.setObjectName("login-name")
        self.password = QLineEdit()
        self.password.setObjectName("login-password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel(message)
        self.error.setObjectName("login-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setVisible(bool(message))

        form = QFormLayout()
        form.addRow(_("Login name"), self.login)
        form.addRow(_("Password"), self.password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Log in"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self._accept_if_filled)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(target)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.password if login else self.login).setFocus()

    def _accept_if_filled(self) -> None:
        if not self.login.text().strip():
            self.error.setText(_("Type your login name."))
            self.error.setVisible(True)
            self.login.setFocus()
            return
        self.accept()

    def credentials(self) -> tuple[str, str]:
        return self.login.text().strip(), self.password.text()
