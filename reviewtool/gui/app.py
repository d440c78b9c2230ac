"""``reviewtool``: start the desktop application.

Start-up opens (and upgrades) the database on the worker thread, loads the
demonstration data when asked, then shows the main window.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from reviewtool import __version__
from reviewtool.gui import options
from reviewtool.gui.context import ChangeBus, GuiContext
from reviewtool.gui.main_window import MainWindow
from reviewtool.gui.tasks import TaskManager
from reviewtool.i18n import _, normalise_language, set_language
from reviewtool.paths import demo_database_url
from reviewtool.services import demo
from reviewtool.services.audit import default_actor
from reviewtool.services.setup import open_database
from reviewtool.storage.database import ENV_VAR


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
    """Worker-thread part of start-up: migrate, and fill an empty demo database."""
    database = open_database(url)
    if with_demo:
        with database.session() as session:
            if not demo.database_has_data(session):
                demo.load_demo(session, actor=default_actor())
    return database


class Launcher:
    """Opens a database and shows a main window for it; reopens on request."""

    def __init__(self, app: QApplication, launch: LaunchOptions) -> None:
        self.app = app
        self.launch = launch
        self.settings = options.open_settings()
        self.tasks = TaskManager()
        self.window: MainWindow | None = None
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
        self.open(url, with_demo=self.launch.demo)

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

    def open(self, url: str | None, *, with_demo: bool = False) -> None:
        self.tasks.run(
            lambda _progress, _cancel: open_and_prepare(url, with_demo),
            self._opened,
            self._failed,
            label=_("Opening the database…"),
        )

    def _opened(self, database) -> None:
        if not self.launch.demo:
            options.remember_database(self.settings, database.url)
        ctx = GuiContext(database, self.tasks, self.settings, ChangeBus(), options.OPERATOR.read(self.settings))
        self.window = MainWindow(ctx)
        self.window.reopen_requested.connect(self._reopen)
        self.window.show()
        if self.launch.screenshot:
            self._screenshot_when_idle(self.launch.screenshot)

    def _failed(self, error: BaseException) -> None:
        QMessageBox.critical(None, _("Cannot open the database"), str(error))
        self.exit_code = 1
        if self.window is None:
            self.app.quit()

    def _reopen(self, values) -> None:
        old = self.window
        if old is not None:
            old.close()
            old.deleteLater()
            old.ctx.database.dispose()
        self.window = None
        self.launch.demo = False
        self.apply_language(values.language)
        self.open(values.database_url)

    def _screenshot_when_idle(self, path: str, attempts: int = 100) -> None:
        if self.tasks.pending == 0 or attempts == 0:
            QTimer.singleShot(200, lambda: self._save_screenshot(path))
        else:
            QTimer.singleShot(100, lambda: self._screenshot_when_idle(path, attempts - 1))

    def _save_screenshot(self, path: str) -> None:
        self.window.grab().save(path)
        self.app.quit()

    def shutdown(self) -> None:
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
