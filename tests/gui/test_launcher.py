"""Start-up, switching databases and languages from Settings, remembered geometry."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from clicks import choose, click, click_menu, click_nav, modal, retype
from reviewtool.gui import options
from reviewtool.gui.app import Launcher, LaunchOptions
from reviewtool.gui.settings_dialog import SettingsDialog


def _launcher(url: str | None, qtbot, language: str | None = None) -> Launcher:
    launcher = Launcher(QApplication.instance(), LaunchOptions(url, False, language, None))
    launcher.start()
    qtbot.waitUntil(lambda: launcher.window is not None and launcher.tasks.pending == 0, timeout=20000)
    return launcher


def test_settings_switch_to_a_new_database_and_language(db, empty_sqlite_url, qtbot):
    launcher = _launcher(db.url, qtbot)
    try:
        first = launcher.window
        assert first.ctx.database.url == db.url
        assert [first.nav.item(i).text() for i in (0, 1)] == ["申报批次", "申报项目"]
        click_menu(qtbot, first, first.settings_action)  # 文件 → 设置…
        dialog = modal(qtbot, SettingsDialog)
        retype(qtbot, dialog.database_url, empty_sqlite_url)
        choose(qtbot, dialog.language, "en")
        retype(qtbot, dialog.bureau_name, "海东市科学技术局")
        click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
        qtbot.waitUntil(lambda: launcher.window is not None and launcher.window is not first, timeout=20000)
        qtbot.waitUntil(lambda: launcher.tasks.pending == 0, timeout=20000)
        second = launcher.window
        assert second.ctx.database.url == empty_sqlite_url
        assert [second.nav.item(i).text() for i in (0, 1)] == ["Batches", "Applications"]
        assert second.ctx.actor == "tester"  # nobody logs in to a file without users: the system account
        assert options.DATABASE_URL.read(launcher.settings) == empty_sqlite_url
        assert options.RECENT_DATABASES.read(launcher.settings)[:2] == [empty_sqlite_url, db.url]
        assert options.LANGUAGE.read(launcher.settings) == "en"
    finally:
        if launcher.window is not None:
            launcher.window.close()
        launcher.shutdown()
        from reviewtool.i18n import set_language

        set_language("zh_CN")


def test_window_geometry_and_page_are_remembered(db, qtbot):
    launcher = _launcher(db.url, qtbot)
    try:
        window = launcher.window
        window.setGeometry(QRect(10, 20, 1250, 520))
        qtbot.waitUntil(lambda: window.height() == 520)
        saved = (window.width(), window.height())
        click_nav(qtbot, window, window.nav.item(2).text())
        window.close()
        launcher.window = None
        launcher.open(db.url)
        qtbot.waitUntil(lambda: launcher.window is not None and launcher.tasks.pending == 0, timeout=20000)
        again = launcher.window
        # The offscreen screen is small, so Qt may narrow a restored window to fit; the height fits.
        assert again.height() == saved[1]
        assert not options.MAIN_GEOMETRY.read(launcher.settings).isEmpty()
        assert again.pages.currentWidget() is again.areas_page
    finally:
        if launcher.window is not None:
            launcher.window.close()
        launcher.shutdown()
