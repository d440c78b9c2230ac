"""The accounts' menu entries (文件 → 用户管理…, 修改我的密码…), added by the main window."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from reviewtool.core.users import Permission
from reviewtool.gui.users.notice import tell
from reviewtool.i18n import _


def add_actions(window: QMainWindow, menu: QMenu) -> None:
    ctx = window.ctx
    user = ctx.user
    window.users_action = QAction(_("&Users…"), window)
    window.users_action.setObjectName("users-action")
    window.users_action.setEnabled(user is None or user.can(Permission.READ_USERS))
    window.users_action.triggered.connect(lambda: open_users(window))
    menu.addAction(window.users_action)
    if user is not None and user.kind == "user":
        window.own_password_action = QAction(_("Change my &password…"), window)
        window.own_password_action.triggered.connect(lambda: change_own_password(window))
        menu.addAction(window.own_password_action)


def open_users(window: QMainWindow) -> None:
    from reviewtool.gui.users.users_dialog import UsersDialog

    dialog = UsersDialog(window.ctx, window)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    window.users_dialog = dialog


def change_own_password(window: QMainWindow) -> None:
    from reviewtool.gui.users.password_dialog import PasswordDialog
    from reviewtool.services.users import accounts

    ctx = window.ctx
    login, actor = ctx.user.login, ctx.actor
    dialog = PasswordDialog(login, window)

    def store() -> None:
        password = dialog.value()
        ctx.run_db(
            lambda session, _p, _c: accounts.set_password(session, login, password, actor=actor),
            lambda _changes: changed(password),
            lambda error: tell(window, _("Password"), str(error), warning=True),
        )

    def changed(password: str) -> None:
        tell(window, _("Password"), _("Your password was changed."))
        if not ctx.database.is_sqlite:
            # The server now wants the new password: reconnect with it (kept in memory only).
            from reviewtool.gui import options
            from reviewtool.gui.settings_dialog import SettingsResult
            from reviewtool.services.users.login import with_credentials

            url = with_credentials(ctx.database.url, login, password)
            window.reopen_requested.emit(SettingsResult(url, options.LANGUAGE.read(ctx.settings), ""))

    dialog.accepted.connect(store)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    window.password_dialog = dialog
