"""用户管理: the administrator's list of users, with add, roles, password, disable/enable.

Every button is a service call on the worker (``services.users.accounts``);
on PostgreSQL it creates or alters the user's login role too, so it needs an
administrator's connection. The list is reloaded after each change.

Threading: GUI thread only; database work goes through ``ctx.run_db``.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewtool.core.users import Permission, permission_table
from reviewtool.gui.context import GuiContext
from reviewtool.gui.users.notice import tell
from reviewtool.gui.users.password_dialog import PasswordDialog
from reviewtool.gui.users.user_dialog import UserDialog
from reviewtool.gui.users.users_model import UsersModel
from reviewtool.i18n import _
from reviewtool.services.users import accounts


class UsersDialog(QDialog):
    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(_("Users"))
        self.resize(760, 420)
        self.model = UsersModel(self)
        self.table = QTableView()
        self.table.setObjectName("users-table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        if ctx.database.is_sqlite:
            hint = _(
                "On an SQLite file, users say who acted: once the file has a user, the app asks everyone to log "
                "in. A file protects nothing from whoever holds it. The first user must be an administrator."
            )
        else:
            hint = _(
                "On PostgreSQL every user is a login role of the server, with their own password; what each role "
                "may see and change is enforced by the server itself."
            )
        self.hint = QLabel(hint)
        self.hint.setWordWrap(True)
        self.add_button = QPushButton(_("New user…"))
        self.roles_button = QPushButton(_("Roles…"))
        self.password_button = QPushButton(_("Set password…"))
        self.active_button = QPushButton(_("Disable"))
        self.rights_button = QPushButton(_("What each role may do"))
        close = QPushButton(_("Close"))
        self.add_button.clicked.connect(self.add_user)
        self.roles_button.clicked.connect(self.edit_roles)
        self.password_button.clicked.connect(self.set_password)
        self.active_button.clicked.connect(self.toggle_active)
        self.rights_button.clicked.connect(self.show_rights)
        close.clicked.connect(self.accept)
        can_manage = ctx.user is None or ctx.user.can(Permission.MANAGE_USERS)
        for button in (self.add_button, self.roles_button, self.password_button, self.active_button):
            button.setVisible(can_manage)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.roles_button, self.password_button, self.active_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.rights_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._selection_changed()
        self.reload()

    def selected(self) -> accounts.UserRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _selection_changed(self, *_args) -> None:
        row = self.selected()
        for button in (self.roles_button, self.password_button, self.active_button):
            button.setEnabled(row is not None)
        self.active_button.setText(_("Enable") if row is not None and not row.active else _("Disable"))

    def reload(self, *_args) -> None:
        self.ctx.run_db(lambda session, _p, _c: accounts.list_users(session), self._loaded, self._error)

    def _loaded(self, rows) -> None:
        self.model.set_rows(rows)
        self.table.resizeColumnsToContents()
        self._selection_changed()

    def _error(self, error: BaseException) -> None:
        tell(self, _("Users"), str(error), warning=True)

    def _changed(self, changes) -> None:
        self.ctx.bus.announce(changes)
        self.reload()

    def _with_experts(self, then) -> None:
        self.ctx.run_db(lambda session, _p, _c: accounts.expert_choices(session), then, self._error)

    def add_user(self) -> None:
        def show(experts) -> None:
            dialog = UserDialog(self.ctx, experts, parent=self)
            dialog.saved.connect(self._changed)
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()
            self.user_dialog = dialog

        self._with_experts(show)

    def edit_roles(self) -> None:
        row = self.selected()
        if row is None:
            return

        def show(experts) -> None:
            dialog = UserDialog(self.ctx, experts, row, parent=self)
            dialog.saved.connect(self._changed)
            dialog.finished.connect(dialog.deleteLater)
            dialog.open()
            self.user_dialog = dialog

        self._with_experts(show)

    def set_password(self) -> None:
        row = self.selected()
        if row is None:
            return
        dialog = PasswordDialog(row.login, self)
        actor = self.ctx.actor

        def store() -> None:
            password = dialog.value()
            self.ctx.run_db(
                lambda session, _p, _c: accounts.set_password(session, row.login, password, actor=actor),
                self._changed,
                self._error,
            )

        dialog.accepted.connect(store)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.password_dialog = dialog

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        actor, active = self.ctx.actor, not row.active
        self.ctx.run_db(
            lambda session, _p, _c: accounts.set_active(session, row.login, active, actor=actor),
            self._changed,
            self._error,
        )

    def show_rights(self) -> None:
        text = "\n\n".join(f"{title}\n" + "\n".join(f"  · {line}" for line in may) for title, may in permission_table())
        tell(self, _("What each role may do"), text)
