"""Logging in through the login dialog, typing and clicking as a person does; the audit trail then
names the logged-in user. SQLite with local users, and PostgreSQL with the user's own role."""

from __future__ import annotations

import pytest
from accounts_data import PASSWORD
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from sqlalchemy import select
from sqlalchemy.engine import make_url

from clicks import click_menu, retype
from conftest_helpers import save_picture, screenshot_dir, type_text, wait_idle
from reviewtool.core.users import Role
from reviewtool.gui import options
from reviewtool.gui.app import Launcher, LaunchOptions
from reviewtool.gui.settings_dialog import SettingsDialog
from reviewtool.gui.users.login_dialog import LoginDialog
from reviewtool.services.users import accounts
from reviewtool.services.users.login import url_without_password
from reviewtool.storage.models import AuditEvent

pytestmark = pytest.mark.gui


@pytest.fixture
def db(sqlite_db):
    """Local users belong to an SQLite file (on PostgreSQL the server's login roles are the users)."""
    return sqlite_db


@pytest.fixture(autouse=True)
def private_qsettings(tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield


def _modal(qtbot, kind, *, unlike=None, timeout=20000):
    def found():
        window = QApplication.activeModalWidget()
        return isinstance(window, kind) and window.isVisible() and window is not unlike

    qtbot.waitUntil(found, timeout=timeout)
    return QApplication.activeModalWidget()


def _log_in(qtbot, dialog: LoginDialog, name: str | None, password: str) -> None:
    if name is not None:
        retype(qtbot, dialog.login, name)
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def _change_bureau_name(qtbot, window, name: str) -> dict[str, str]:
    """Type a new bureau name in Settings and press OK; returns what the dialog showed."""
    click_menu(qtbot, window, window.settings_action)  # 文件 → 设置…
    dialog = _modal(qtbot, SettingsDialog)
    shown = {"user": dialog.user.text(), "database": dialog.database_url.text()}
    retype(qtbot, dialog.bureau_name, name)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, window.ctx)
    return shown


def _last_event(database) -> AuditEvent:
    with database.session() as session:
        return session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()


def _launch(url: str) -> Launcher:
    launcher = Launcher(QApplication.instance(), LaunchOptions(url, False, None, None))
    launcher.start()
    return launcher


def test_a_local_user_logs_in_and_is_the_actor(db, qtbot):
    with db.session() as session:
        accounts.add_user(session, "admin1", roles=["admin"], password=PASSWORD, actor="setup", name="张管理")
    launcher = _launch(db.url)
    try:
        first = _modal(qtbot, LoginDialog)
        assert first.login.text() == "tester"  # the system account, as a starting point
        save_picture(first, "users-login")  # the user guide's picture (docs/users.md)
        _log_in(qtbot, first, "admin1", "not-the-password")
        again = _modal(qtbot, LoginDialog, unlike=first)
        assert again.error.isVisible() and "登录名或密码不正确" in again.error.text()
        assert again.login.text() == "admin1" and again.password.text() == ""  # the login kept, the password not
        again.grab().save(str(screenshot_dir() / "users-login-local.png"))
        _log_in(qtbot, again, None, PASSWORD)
        qtbot.waitUntil(lambda: launcher.window is not None, timeout=20000)
        window = launcher.window
        wait_idle(qtbot, window.ctx)
        assert window.user_label.text() == "当前用户：张管理 · admin1（系统管理员）"
        assert "admin1" in window.windowTitle()
        shown = _change_bureau_name(qtbot, window, "海东市科学技术局（登录测试）")
        assert shown["user"] == "张管理 · admin1（系统管理员）"  # shown, not typed
        event = _last_event(db)
        assert (event.action, event.actor) == ("setting.change", "admin1")
        window.grab().save(str(screenshot_dir() / "users-window-logged-in.png"))
    finally:
        if launcher.window is not None:
            launcher.window.close()
        launcher.shutdown()


def test_cancelling_the_login_opens_nothing(db, qtbot):
    with db.session() as session:
        accounts.add_user(session, "admin1", roles=["admin"], password=PASSWORD, actor="setup")
    launcher = _launch(db.url)
    try:
        dialog = _modal(qtbot, LoginDialog)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=5000)
        assert launcher.window is None
    finally:
        launcher.shutdown()


@pytest.mark.pg
def test_a_server_user_logs_in_with_their_own_role_and_is_the_actor(pg_server, qtbot):
    name = pg_server.login("admin")
    pg_server.add_user(name, "admin", password=PASSWORD, name="管理员")
    url = url_without_password(make_url(pg_server.url).set(username=name).render_as_string(hide_password=False))
    assert "reviewtool@" not in url and ":" not in url.split("@")[0].split("//")[1]
    launcher = _launch(url)
    try:
        dialog = _modal(qtbot, LoginDialog)
        assert dialog.login.text() == name  # from the URL
        dialog.grab().save(str(screenshot_dir() / "users-login-server.png"))
        _log_in(qtbot, dialog, None, "wrong-password")
        again = _modal(qtbot, LoginDialog, unlike=dialog)
        assert "登录名或密码不正确" in again.error.text()
        _log_in(qtbot, again, None, PASSWORD)
        qtbot.waitUntil(lambda: launcher.window is not None, timeout=20000)
        window = launcher.window
        pg_server.opened.append(window.ctx.database)
        wait_idle(qtbot, window.ctx)
        assert window.ctx.user.login == name and window.ctx.user.kind == "user"
        shown = _change_bureau_name(qtbot, window, "海东市科学技术局（服务器）")
        assert shown["database"] == url  # no password shown
        event = _last_event(pg_server.owner)
        assert (event.action, event.actor) == ("setting.change", name)
        # Nothing remembers the password.
        remembered = [options.DATABASE_URL.read(launcher.settings), *options.RECENT_DATABASES.read(launcher.settings)]
        assert remembered[0] == url and not any(PASSWORD in u for u in remembered)
    finally:
        if launcher.window is not None:
            launcher.window.close()
        launcher.shutdown()


def test_the_administrator_adds_a_user_in_the_users_dialog(db, qtbot):
    """On a file without users (nobody logs in yet), 文件 → 用户管理… → 新增用户…: the first must be an
    administrator; the form says so and keeps what was typed."""
    from reviewtool.gui.users.user_dialog import UserDialog
    from reviewtool.gui.users.users_dialog import UsersDialog

    launcher = _launch(db.url)
    try:
        qtbot.waitUntil(lambda: launcher.window is not None, timeout=20000)
        window = launcher.window
        wait_idle(qtbot, window.ctx)
        assert window.users_action.isEnabled()
        click_menu(qtbot, window, window.users_action)  # 文件 → 用户管理…
        users = _modal(qtbot, UsersDialog)
        wait_idle(qtbot, window.ctx)
        qtbot.mouseClick(users.add_button, Qt.MouseButton.LeftButton)
        form = _modal(qtbot, UserDialog)
        qtbot.keyClicks(form.login, "wangfang")
        type_text(qtbot, form.name, "王芳")
        qtbot.mouseClick(form.roles[Role.STAFF], Qt.MouseButton.LeftButton)
        qtbot.keyClicks(form.password, PASSWORD)
        qtbot.keyClicks(form.again, PASSWORD)
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: form.error.isVisible(), timeout=10000)
        assert "第一个用户必须是系统管理员" in form.error.text() and form.login.text() == "wangfang"
        form.grab().save(str(screenshot_dir() / "users-new-user.png"))
        qtbot.mouseClick(form.roles[Role.ADMIN], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: users.model.rowCount() == 1, timeout=10000)
        assert users.model.rows[0].login == "wangfang" and users.model.rows[0].roles == ("admin", "staff")
        users.grab().save(str(screenshot_dir() / "users-dialog.png"))
        with db.session() as session:
            event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (event.action, event.actor) == ("user.add", "tester")
    finally:
        if launcher.window is not None:
            launcher.window.close()
        launcher.shutdown()
