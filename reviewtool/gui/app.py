"""``reviewtool``: start the desktop application.

Start-up shows the start window at once (``gui/start_window.py``: the frame,
"正在打开数据库…"), before the data layer is imported; then opens (and
upgrades) the database on the worker thread, loads the demonstration data
when asked, and shows the main window in its place. This module imports
SQLAlchemy, the models and the services only inside the functions that need
them (``tests/gui/test_start_window.py``). A PostgreSQL URL
without a password first asks for login and password (``gui/users/
login_dialog.py``) and connects as that login role; an SQLite file with local
users asks after opening. No password is ever stored: the URL remembered in
QSettings has none.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from reviewtool import __version__
from reviewtool.core.errors import UserError
from reviewtool.gui import options
from reviewtool.gui.start_window import StartWindow
from reviewtool.gui.tasks import TaskManager
from reviewtool.i18n import _, normalise_language, set_language
from reviewtool.paths import demo_database_url

if TYPE_CHECKING:
    from reviewtool.gui.main_window import MainWindow
    from reviewtool.gui.users.login_dialog import LoginDialog

#: As ``storage.database.ENV_VAR`` (not imported at start-up: that module loads SQLAlchemy).
ENV_VAR = "REVIEWTOOL_DB"


@dataclass
class LaunchOptions:
    database_url: str | None
    demo: bool
    language: str | None
    screenshot: str | None


def parse_args(argv: list[str]) -> LaunchOptions:
    parser = argparse.ArgumentParser(prog="reviewtool", description="Haidong S&T project review tool")
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy database URL or SQLite file (default: $REVIEWTOOL_DB)")
    parser.add_argument("--demo", action="store_true", help="open the demonstration database, created if missing")
    parser.add_argument("--lang", help="interface language: zh_CN (default) or en")
    parser.add_argument("--screenshot", metavar="PNG", help="save the main window as PNG once loaded, then quit")
    parser.add_argument("--version", action="version", version=f"reviewtool {__version__}")
    args = parser.parse_args(argv)
    return LaunchOptions(args.db, args.demo, args.lang, args.screenshot)


def open_and_prepare(url: str | None, with_demo: bool):
    """Worker-thread part of start-up: connect (PostgreSQL: as the URL's login role), migrate if
    this is the owner, fill an empty demo database. Leaves ``database.identity`` None when an
    SQLite file has local users: then the login dialog comes next."""
    from reviewtool.services import demo
    from reviewtool.services.setup import open_database
    from reviewtool.services.users import login
    from reviewtool.storage.database import resolve_url

    resolved = resolve_url(url)
    if login.is_postgresql(resolved):
        database = login.open_server(resolved)
    else:
        database = open_database(resolved)
        database.identity = None if login.needs_local_login(database) else login.account_identity()
    if with_demo and database.identity is not None:
        with database.session() as session:
            if not demo.database_has_data(session):
                demo.load_demo(session, actor=database.identity.login)
    return database


class Launcher:
    """Opens a database and shows a main window for it; reopens on request."""

    def __init__(self, app: QApplication, launch: LaunchOptions) -> None:
        self.app = app
        self.launch = launch
        self.settings = options.open_settings()
        self.tasks = TaskManager()
        self.window: MainWindow | None = None
        self.start_window: StartWindow | None = None  # until the first main window replaces it
        self.login_dialog: LoginDialog | None = None
        self._qt_translator: QTranslator | None = None
        self.exit_code = 0

    def start(self) -> None:
        language = self.launch.language or options.LANGUAGE.read(self.settings)
        self.apply_language(language)
        if self.launch.demo:
            url = self.launch.database_url or demo_database_url()
        else:
            url = (
                self.launch.database_url or os.environ.get(ENV_VAR) or options.DATABASE_URL.read(self.settings) or None
            )
        self.start_window = StartWindow(self.settings)
        self.start_window.show()
        self.app.processEvents()  # drawn before the data layer's imports hold the thread
        QTimer.singleShot(0, lambda: self.open(url, with_demo=self.launch.demo))

    def _close_start_window(self) -> None:
        if self.start_window is not None:
            self.start_window.close()
            self.start_window.deleteLater()
            self.start_window = None

    def apply_language(self, language: str) -> None:
        language = set_language(normalise_language(language))
        if self._qt_translator is not None:
            self.app.removeTranslator(self._qt_translator)
            self._qt_translator = None
        if language != "en":
            # Only for Qt's own strings (standard buttons, file dialogs); ours come from gettext.
            translator = QTranslator(self.app)
            if translator.load(
                QLocale(language), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            ):
                self.app.installTranslator(translator)
                self._qt_translator = translator

    def open(self, url: str | None, *, with_demo: bool = False, identity=None) -> None:
        """Open ``url``: a PostgreSQL URL without a password first asks for login and password.
        ``identity``: reopening the same SQLite file keeps who logged in."""
        from reviewtool.services.users import login
        from reviewtool.storage.database import resolve_url

        try:
            resolved = resolve_url(url)
        except UserError as error:
            self._failed(error)
            return
        if login.needs_password(resolved):
            self._ask_server_login(resolved, with_demo, "")
        else:
            self._connect(resolved, with_demo, identity)

    def _ask_server_login(self, url: str, with_demo: bool, message: str) -> None:
        from reviewtool.gui.users.login_dialog import LoginDialog
        from reviewtool.services.audit import default_actor
        from reviewtool.services.users import login

        dialog = LoginDialog(
            login.url_without_password(url), login=login.url_login(url) or default_actor(), message=message
        )
        dialog.accepted.connect(lambda: self._connect(login.with_credentials(url, *dialog.credentials()), with_demo))
        dialog.rejected.connect(self._login_cancelled)
        dialog.finished.connect(dialog.deleteLater)
        self.login_dialog = dialog
        dialog.open()

    def _connect(self, url: str, with_demo: bool, identity=None) -> None:
        from reviewtool.services.users import login

        def failed(error: BaseException) -> None:
            if isinstance(error, login.WrongPassword) and login.is_postgresql(url):
                self._ask_server_login(login.url_without_password(url), with_demo, str(error))
            else:
                self._failed(error)

        self.tasks.run(
            lambda _progress, _cancel: open_and_prepare(url, with_demo),
            lambda database: self._opened(database, identity),
            failed,
            label=_("Opening the database…"),
        )

    def _opened(self, database, identity=None) -> None:
        if database.identity is None and identity is not None:
            database.identity = identity  # the same file reopened (language changed)
        if database.identity is None:
            self._ask_local_login(database, "")
            return
        self._show_window(database)

    def _ask_local_login(self, database, message: str, name: str | None = None) -> None:
        from reviewtool.gui.users.login_dialog import LoginDialog
        from reviewtool.services.audit import default_actor
        from reviewtool.services.users import login

        dialog = LoginDialog(database.display_url, login=name or default_actor(), message=message, server=False)

        def check() -> None:
            name, password = dialog.credentials()
            self.tasks.run(
                lambda _p, _c: login.sign_in_local(database, name, password),
                lambda _identity: self._show_window(database),
                lambda error: (
                    self._ask_local_login(database, str(error), name)
                    if isinstance(error, UserError)
                    else self._failed(error)
                ),
                label=_("Logging in…"),
            )

        dialog.accepted.connect(check)
        dialog.rejected.connect(lambda: (database.dispose(), self._login_cancelled()))
        dialog.finished.connect(dialog.deleteLater)
        self.login_dialog = dialog
        dialog.open()

    def _login_cancelled(self) -> None:
        self.login_dialog = None
        if self.window is None:
            self._close_start_window()
            self.app.quit()

    def _show_window(self, database) -> None:
        from reviewtool.gui.context import ChangeBus, GuiContext
        from reviewtool.gui.main_window import MainWindow
        from reviewtool.services.audit import default_actor
        from reviewtool.services.users import login

        self.login_dialog = None
        if not self.launch.demo:
            options.remember_database(self.settings, login.url_without_password(database.url))
        ctx = GuiContext(database, self.tasks, self.settings, ChangeBus(), default_actor())
        self.window = MainWindow(ctx)
        self.window.reopen_requested.connect(self._reopen)
        self.window.show()
        self._close_start_window()
        if self.launch.screenshot:
            self._screenshot_when_idle(self.launch.screenshot)

    def _failed(self, error: BaseException) -> None:
        QMessageBox.critical(None, _("Cannot open the database"), str(error))
        self.exit_code = 1
        if self.window is None:
            self._close_start_window()
            self.app.quit()

    def _reopen(self, values) -> None:
        from reviewtool.services.users import login

        old = self.window
        url, identity = values.database_url, None
        if old is not None:
            if values.database_url == login.url_without_password(old.ctx.database.url):
                # Same database (the language changed): keep the connection's credentials and the login.
                url, identity = old.ctx.database.url, old.ctx.database.identity
            old.close()
            old.deleteLater()
            old.ctx.database.dispose()
        self.window = None
        self.launch.demo = False
        self.apply_language(values.language)
        self.open(url, identity=identity)

    def _screenshot_when_idle(self, path: str, attempts: int = 100) -> None:
        if self.tasks.pending == 0 or attempts == 0:
            QTimer.singleShot(200, lambda: self._save_screenshot(path))
        else:
            QTimer.singleShot(100, lambda: self._screenshot_when_idle(path, attempts - 1))

    def _save_screenshot(self, path: str) -> None:
        self.window.grab().save(path)
        self.app.quit()

    def shutdown(self) -> None:
        self._close_start_window()
        self.tasks.shutdown()


def main(argv: list[str] | None = None) -> int:
    launch = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("reviewtool")
    app.setOrganizationName("HaidongKJJ")
    app.setApplicationVersion(__version__)
    launcher = Launcher(app, launch)
    QTimer.singleShot(0, launcher.start)
    code = app.exec()
    launcher.shutdown()
    return launcher.exit_code or code


if __name__ == "__main__":
    sys.exit(main())
