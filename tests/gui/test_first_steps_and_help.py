"""The first-run state says what to do first; every toolbar button explains
itself; F1 (Help → 本页使用说明) opens the page's user guide in docs/."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from modal import modal_watchers  # noqa: F401 - the fixture, autouse
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QToolBar, QToolButton

from clicks import click_nav
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.gui.main_window import MainWindow


def open_window(ctx, qtbot) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 648)
    window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, ctx)
    return window


def show_page(qtbot, window, page) -> None:
    row = window.pages.indexOf(page)
    item = window.nav.item(row)
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=window.nav.visualItemRect(item).center())
    assert window.pages.currentWidget() is page


def test_an_empty_database_shows_the_first_steps(gui_ctx, qtbot):
    window = open_window(gui_ctx, qtbot)
    page = window.applications_page
    show_page(qtbot, window, page)
    steps = page.first_steps
    qtbot.waitUntil(steps.isVisible)
    assert not page.table.isVisible()
    text = " ".join(label.text() for label in steps.findChildren(type(steps.batch_note)))
    assert "还没有申报项目" in text and "新建本次申报的批次" in text and "示例表格" in text
    assert steps.sample_button.isVisible() and steps.sample_button.toolTip().endswith("申报汇总表示例.xlsx")
    shot = screenshot_dir() / "first_steps.png"
    window.grab().save(str(shot))
    if os.environ.get("REVIEWTOOL_DOC_IMAGES") == "1":  # the picture in docs/intake.md, as test_doc_screenshots does
        from PIL import Image

        with Image.open(shot) as image:
            small = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            small.save(
                Path(__file__).resolve().parents[2] / "docs" / "images" / "intake-first-steps.png", optimize=True
            )

    # 新建批次… goes to the batches page.
    qtbot.mouseClick(steps.batch_button, Qt.MouseButton.LeftButton)
    current = window.pages.currentWidget()
    assert "batch" in type(current).__name__.lower()

    # 导入汇总表… opens the import, which offers the sample sheet on an empty database.
    show_page(qtbot, window, page)
    qtbot.mouseClick(steps.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(page, "last_dialog", None) is not None and page.last_dialog.isVisible())
    dialog = page.last_dialog
    wait_idle(qtbot, gui_ctx)
    qtbot.waitUntil(dialog.sample_button.isVisible)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def test_applications_or_a_filter_with_no_match_show_the_list(demo_ctx, qtbot):
    window = open_window(demo_ctx, qtbot)
    page = window.applications_page
    show_page(qtbot, window, page)
    qtbot.waitUntil(lambda: page.model.total == 53)
    assert page.table.isVisible() and not page.first_steps.isVisible()
    type_text(qtbot, page.search, "没有这样的项目")
    qtbot.waitUntil(lambda: page.model.total == 0, timeout=5000)
    wait_idle(qtbot, demo_ctx)
    assert page.table.isVisible() and not page.first_steps.isVisible()


def default_tooltip(action: QAction) -> str:
    """What Qt shows when no tooltip was set: the text without & (and …)."""
    return action.text().replace("&", "").rstrip("…").rstrip(".").strip()


def test_every_toolbar_button_on_every_page_has_a_tooltip(demo_ctx, qtbot):
    window = open_window(demo_ctx, qtbot)
    missing = []
    for row in range(window.nav.count()):
        page = click_nav(qtbot, window, window.nav.item(row).text())
        wait_idle(qtbot, demo_ctx)
        for toolbar in page.findChildren(QToolBar) + window.findChildren(QToolBar):
            for action in toolbar.actions():
                if action.isSeparator() or not action.isVisible():
                    continue
                tip = action.toolTip().strip()
                if not tip or tip.rstrip("…").rstrip(".").strip() == default_tooltip(action):
                    missing.append(f"{type(page).__name__}: {action.text()}")
            for button in toolbar.findChildren(QToolButton):
                if button.isVisible() and button.defaultAction() is None and not button.toolTip():
                    missing.append(f"{type(page).__name__}: {button.text()}")
    assert missing == []


@pytest.fixture
def opened_urls(monkeypatch) -> list:
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url) or True))
    return opened


def test_f1_opens_the_user_guide_of_the_page(demo_ctx, qtbot, opened_urls):
    window = open_window(demo_ctx, qtbot)
    guides = {}
    for row in range(window.nav.count()):
        page = click_nav(qtbot, window, window.nav.item(row).text())
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda n=row: len(opened_urls) == n + 1)
        path = Path(opened_urls[-1].toLocalFile())
        assert opened_urls[-1].isLocalFile() and path.is_file(), opened_urls[-1]
        guides[type(page).__name__] = path.name
    docs = Path(__file__).resolve().parents[2] / "docs"
    for page, guide in (
        ("ApplicationsPage", "intake.md"),
        ("ExpertPoolPage", "experts.md"),
        ("RankingPage", "scoring.md"),
    ):
        if (docs / guide).is_file():
            assert guides[page] == guide, guides
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.menu() and "帮助" in a.text())
    assert window.guide_action in help_menu.actions() and window.guides_action in help_menu.actions()
    assert window.guide_action.text() == "本页使用说明(&U)"
