"""Smoke test: every page of the demo database, every enabled push button
and toolbar button clicked, at 1280×720, in Chinese and in English.

Pages, tabs and buttons are found by walking the widget tree, so pages and
buttons added later are clicked too. Every dialog a click opens is answered
by cancelling it (Esc, or its Cancel / Close button), message boxes too;
file choosers answer "cancel" (``modal.FileChooser``) and the desktop's
viewer is not started. Any exception raised in a slot fails the test
(``sys.excepthook`` collects them), and so does a file or a window left
behind.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import shiboken6
from modal import FileChooser
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QHeaderView,
    QLineEdit,
    QListView,
    QListWidget,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTabBar,
    QTabWidget,
    QToolBar,
    QToolButton,
    QWidget,
)

from conftest_helpers import screenshot_dir, wait_idle
from reviewtool.i18n import set_language

SIZE = (1280, 720 - 40 - 32)  # a 1280×720 laptop, less the taskbar and the title bar
CANCEL_TEXTS = {"取消", "关闭", "否", "Cancel", "Close", "No"}
TICK_MS = 30
BUILD_OUTPUT = {"screenshots", "lib", "bdist.linux-x86_64"}


@pytest.fixture(params=["zh_CN", "en"])
def language(request):
    set_language(request.param)
    yield request.param
    set_language("zh_CN")


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()


class Canceller:
    """Answers every modal window by cancelling it, as soon as it shows."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.seen: list[str] = []
        self.tries: dict[int, int] = {}
        self.timer = QTimer()
        self.timer.timeout.connect(self.tick)
        self.timer.start(TICK_MS)

    def tick(self) -> None:
        window = QApplication.activeModalWidget()
        if window is None or isinstance(window, QProgressDialog) or not window.isVisible():
            return
        tries = self.tries.get(id(window), 0)
        self.tries[id(window)] = tries + 1
        if tries == 0:
            self.seen.append(f"{type(window).__name__}: {window.windowTitle()}")
        if tries % 10:
            return  # give it time to close
        self.cancel(window, tries // 10)

    def cancel(self, window: QWidget, attempt: int) -> None:
        qtbot = self.qtbot
        if attempt == 0:
            qtbot.keyClick(window, Qt.Key.Key_Escape)
            return
        for button in window.findChildren(QAbstractButton):
            if button.isVisible() and button.isEnabled() and button.text().replace("&", "") in CANCEL_TEXTS:
                qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                return
        if isinstance(window, QMessageBox) and window.buttons():
            qtbot.mouseClick(window.buttons()[-1], Qt.MouseButton.LeftButton)
            return
        window.close()  # the window's close button

    def stop(self) -> None:
        self.timer.stop()


def close_new_windows(qtbot, keep: set[int]) -> list[str]:
    """Close what a click left open (non-modal dialogs and windows), as a user would."""
    closed = []
    for _ in range(5):
        extra = [w for w in QApplication.topLevelWidgets() if w.isVisible() and id(w) not in keep]
        extra = [w for w in extra if not isinstance(w, QProgressDialog) and w.windowType() != Qt.WindowType.Popup]
        if not extra:
            break
        for window in extra:
            closed.append(f"{type(window).__name__}: {window.windowTitle()}")
            if isinstance(window, QDialog):
                qtbot.keyClick(window, Qt.Key.Key_Escape)
            if window.isVisible():
                window.close()
        qtbot.wait(TICK_MS * 4)
    return closed


def clickable(button: QAbstractButton) -> bool:
    """A button a person would click: not a part of another widget (spin arrows,
    a line edit's clear button, tab scrollers, a table's corner, a toolbar's »)."""
    if not (button.isVisible() and button.isEnabled()):
        return False
    if button.objectName().startswith("qt_"):
        return False
    parent = button.parentWidget()
    while parent is not None:
        if isinstance(parent, (QLineEdit, QComboBox, QAbstractSpinBox, QTabBar, QHeaderView)):
            return False
        if isinstance(parent, QAbstractScrollArea) and button.parentWidget() is parent:
            return False  # the table's corner button
        if isinstance(parent, QToolBar) or parent.isWindow():
            break
        parent = parent.parentWidget()
    if isinstance(button, QToolButton):
        return isinstance(button.parentWidget(), QToolBar)
    return isinstance(button, QPushButton)


def select_first_rows(qtbot, page: QWidget) -> None:
    """Click the first row of every table shown, so the buttons that act on a
    selection (Open, Edit, Enter scores …) have one."""
    for view in page.findChildren(QAbstractItemView):
        if not view.isVisible() or view.model() is None or view.model().rowCount() == 0:
            continue
        if isinstance(view, QListView) and not isinstance(view, QListWidget):
            continue
        rect = view.visualRect(view.model().index(0, 0))
        if rect.isValid():
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def tab_states(page: QWidget):
    """Each tab of each tab widget on the page, one at a time (by clicking its tab)."""
    yield None
    for tabs in page.findChildren(QTabWidget):
        for index in range(tabs.count()):
            yield tabs, index


def test_every_button_of_every_page(demo_ctx, qtbot, monkeypatch, language, tmp_path, isolated_user_dirs):
    from reviewtool.gui.main_window import MainWindow

    errors: list[str] = []

    def hook(kind, value, trace) -> None:
        import traceback

        errors.append("".join(traceback.format_exception(kind, value, trace)))

    monkeypatch.setattr(sys, "excepthook", hook)
    opened_urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened_urls.append(url) or True))
    chooser = FileChooser(monkeypatch, answer=None)  # every file chooser: cancelled
    cwd_before = files_under(Path.cwd() / "build") | set(Path.cwd().iterdir())
    home_before = files_under(isolated_user_dirs)

    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, demo_ctx)
    keep = {id(window)}
    canceller = Canceller(qtbot)
    clicked: list[str] = []
    try:
        for row in range(window.nav.count()):
            item = window.nav.item(row)
            qtbot.mouseClick(
                window.nav.viewport(), Qt.MouseButton.LeftButton, pos=window.nav.visualItemRect(item).center()
            )
            page = window.pages.currentWidget()
            wait_idle(qtbot, demo_ctx)
            for state in tab_states(page):
                if state is not None:
                    tabs, index = state
                    if not tabs.isVisible():
                        continue
                    bar = tabs.tabBar()
                    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
                    wait_idle(qtbot, demo_ctx)
                select_first_rows(qtbot, page)
                wait_idle(qtbot, demo_ctx)
                for button in [b for b in page.findChildren(QAbstractButton) if clickable(b)]:
                    if not shiboken6.isValid(button) or not clickable(button):  # an earlier click changed the page
                        continue
                    clicked.append(f"{type(page).__name__}: {button.text() or button.toolTip()}")
                    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
                    wait_idle(qtbot, demo_ctx, timeout=30000)
                    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None, timeout=10000)
                    close_new_windows(qtbot, keep)
                    wait_idle(qtbot, demo_ctx, timeout=30000)
            window.grab().save(str(screenshot_dir() / f"smoke_{row}_{language}.png"))
    finally:
        canceller.stop()
    close_new_windows(qtbot, keep)
    wait_idle(qtbot, demo_ctx)

    assert errors == [], "exceptions in slots:\n" + "\n".join(errors)
    assert len(clicked) > 40, clicked  # the walk really found the pages' buttons
    for expected in (
        "导入" if language == "zh_CN" else "Import",
        "Export to Excel" if language == "en" else "导出 Excel",
    ):
        assert any(expected in c for c in clicked), (expected, clicked)
    assert canceller.seen, "no dialog was opened: the clicks did not reach the buttons"
    assert chooser.asked, "no file chooser was asked for"
    left = [type(w).__name__ for w in QApplication.topLevelWidgets() if w.isVisible() and w is not window]
    assert left == [], f"windows left open: {left}"
    new_files = (files_under(Path.cwd() / "build") | set(Path.cwd().iterdir())) - cwd_before
    # Not screenshots, nor what a concurrent ``pip install .`` of the checkout builds (build/lib, *.egg-info).
    new_files = {p for p in new_files if not BUILD_OUTPUT & set(p.parts) and not p.name.endswith(".egg-info")}
    assert new_files == set(), f"files left behind: {sorted(map(str, new_files))}"
    new_home = {p for p in files_under(isolated_user_dirs) - home_before if "qsettings" not in p.parts}
    assert new_home == set(), f"files left behind: {sorted(map(str, new_home))}"
    assert os.getcwd() == str(Path.cwd())
