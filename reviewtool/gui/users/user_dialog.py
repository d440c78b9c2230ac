"""A user's form: login, name, roles, linked expert, and (for a new user) the password.

Saving goes through ``services.users.accounts`` on the worker; a refusal
(a login taken, an expert already linked, a short password …) is shown in the
form, which stays open with everything typed.

Threading: GUI thread only; database work goes through ``ctx.run_db``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.errors import UserError
from reviewtool.core.users import EXPERT_ROLES, Role
from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.users import accounts


class UserDialog(QDialog):
    """Add a user (``row is None``) or change one's roles. Emits ``saved(changes)``."""

    saved = Signal(object)

    def __init__(self, ctx: GuiContext, experts, row: accounts.UserRow | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.row = ctx, row
        self.setWindowTitle(_("New user") if row is None else _("Roles of {login}").format(login=row.login))
        self.login = QLineEdit(row.login if row else "")
        self.login.setObjectName("user-login")
        self.login.setPlaceholderText(_("e.g. zhangsan"))
        self.login.setReadOnly(row is not None)
        self.name = QLineEdit(row.name if row else "")
        self.name.setObjectName("user-name")
        self.name.setReadOnly(row is not None)
        self.roles: dict[Role, QCheckBox] = {}
        roles_row = QHBoxLayout()
        for role in Role:
            box = QCheckBox(role.label)
            box.setObjectName(f"role-{role.value}")
            box.setChecked(row is not None and role.value in row.roles)
            box.toggled.connect(self._roles_changed)
            self.roles[role] = box
            roles_row.addWidget(box)
        self.expert = QComboBox()
        self.expert.setObjectName("user-expert")
        self.expert.addItem(_("(none)"), None)
        for choice in experts:
            taken = f" — {choice.user}" if choice.user and (row is None or choice.user != row.login) else ""
            self.expert.addItem(f"{choice.name}（{choice.unit or '—'}）#{choice.id}{taken}", choice.id)
        if row is not None and row.expert_id:
            self.expert.setCurrentIndex(max(self.expert.findData(row.expert_id), 0))
        self.password = QLineEdit()
        self.password.setObjectName("user-password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("user-password-again")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setObjectName("user-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.setVisible(False)

        form = QFormLayout()
        form.addRow(_("Login name"), self.login)
        form.addRow(_("Name"), self.name)
        form.addRow(_("Roles"), roles_row)
        form.addRow(_("Expert of the pool"), self.expert)
        if row is None:
            form.addRow(_("Password"), self.password)
            form.addRow(_("Once more"), self.again)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._roles_changed()

    def _roles_changed(self) -> None:
        self.expert.setEnabled(any(self.roles[r].isChecked() for r in EXPERT_ROLES))

    def _show_error(self, error: BaseException) -> None:
        self.error.setText(str(error) if isinstance(error, UserError) else repr(error))
        self.error.setVisible(True)
        self.save_button.setEnabled(True)

    def save(self) -> None:
        chosen = [r.value for r, box in self.roles.items() if box.isChecked()]
        expert_id = self.expert.currentData() if self.expert.isEnabled() else None
        actor = self.ctx.actor
        if self.row is None:
            if self.password.text() != self.again.text():
                self._show_error(UserError(_("The two passwords differ.")))
                return
            login, name, password = self.login.text(), self.name.text(), self.password.text()

            def operation(session, _p, _c):
                return accounts.add_user(
                    session, login, roles=chosen, password=password, actor=actor, name=name, expert_id=expert_id
                )[1]
        else:
            login, before = self.row.login, set(self.row.roles)

            def operation(session, _p, _c):
                return accounts.change_roles(
                    session, login, grant=set(chosen) - before, revoke=before - set(chosen), actor=actor,
                    expert_id=expert_id,
                )[1]  # fmt: skip

        self.save_button.setEnabled(False)
        self.ctx.run_db(operation, self._saved, self._show_error, label=_("Saving the user…"))

    def _saved(self, changes) -> None:
        self.saved.emit(changes)
        self.accept()
