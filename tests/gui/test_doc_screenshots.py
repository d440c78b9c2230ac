"""The screenshots of the user guides (docs/*.md), taken the way a user gets there:
the main window at 1280×720 on the demonstration database, the navigation and the
buttons clicked by their Chinese labels.

Every picture goes to build/screenshots/; with ``REVIEWTOOL_DOC_IMAGES=1`` it also
replaces the one in docs/images/ (look at them before committing)::

    REVIEWTOOL_DOC_IMAGES=1 QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/gui/test_doc_screenshots.py
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QDialogButtonBox, QTabWidget, QWidget

from clicks import expand_tree_item, modal, retype
from conftest_helpers import save_picture, type_text, wait_idle
from reviewtool.gui.main_window import MainWindow
from reviewtool.gui.scoring.ranking_page import ReviewerPicker
from reviewtool.paths import resource_path
from reviewtool.services.intake import importer
from reviewtool.services.intake.import_result import ImportOptions

WIDTH, HEIGHT = 1280, 720
SAMPLE = resource_path("samples", "申报汇总表示例.xlsx")
SAMPLE_BATCH = "2025年海东市科技计划项目（示例）"


def save(widget: QWidget, name: str) -> Path:
    return save_picture(widget, name)


def label(text: str) -> str:
    return text.replace("&", "").removesuffix("…").removesuffix("...").strip()


def button(parent: QWidget, text: str) -> QAbstractButton:
    """The visible button labelled ``text`` (as a user reads it, without “…”)."""
    found = [
        b for b in parent.findChildren(QAbstractButton) if b.isVisible() and label(b.text()) == label(text)
    ]  # fmt: skip
    assert found, f"no button “{text}” in {type(parent).__name__}"
    return found[0]


def click(qtbot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def open_page(window: MainWindow, qtbot, ctx, title: str) -> QWidget:
    nav = window.nav
    items = nav.findItems(title, Qt.MatchFlag.MatchExactly)
    assert items, f"no page “{title}” in the navigation"
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(items[0]).center())
    wait_idle(qtbot, ctx)
    return window.pages.currentWidget()


def open_tab(qtbot, page: QWidget, title: str) -> None:
    for tabs in page.findChildren(QTabWidget):
        for index in range(tabs.count()):
            if tabs.tabText(index) == title:
                bar = tabs.tabBar()
                qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
                assert tabs.currentIndex() == index
                return
    raise AssertionError(f"no tab “{title}”")


def new_window(qtbot, before: set[int], kind: type = QWidget, *, titled: str = "") -> QWidget:
    """Wait for a window (a dialog …) that was not open before."""
    found: list[QWidget] = []

    def appeared() -> bool:
        found[:] = [
            w for w in QApplication.topLevelWidgets()
            if id(w) not in before and w.isVisible() and isinstance(w, kind) and titled in w.windowTitle()
        ]  # fmt: skip
        return bool(found)

    qtbot.waitUntil(appeared, timeout=10000)
    return found[0]


def windows() -> set[int]:
    return {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}


def on_next_modal(action) -> None:
    """Run ``action(dialog)`` on the next modal dialog (one opened with exec())."""

    def poll():
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(20, poll)
            return
        action(widget)

    QTimer.singleShot(0, poll)


def click_row(qtbot, view, row: int, *, double: bool = False) -> None:
    index = view.model().index(row, 1)
    view.scrollTo(index)
    position = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)
    if double:  # Qt's double-click event comes after a first click, as with a real mouse
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=position)


def dismiss(qtbot, dialog: QWidget) -> None:
    """Press Esc in a dialog, as a person closes it without saving: it goes away."""
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)


def main_window(ctx, qtbot) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(WIDTH, HEIGHT)
    window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, ctx)
    return window


def close_others(window: MainWindow, qtbot, ctx) -> None:
    for widget in QApplication.topLevelWidgets():
        if widget is not window and widget.isVisible():
            widget.close()
    wait_idle(qtbot, ctx)


@pytest.fixture
def window(demo_ctx, qtbot):
    window = main_window(demo_ctx, qtbot)
    yield window
    close_others(window, qtbot, demo_ctx)


def test_intake_pages(window, qtbot, demo_ctx):
    page = open_page(window, qtbot, demo_ctx, "申报项目")
    qtbot.waitUntil(lambda: page.model.rowCount() > 20)
    save(window, "intake-applications")

    before = windows()
    click_row(qtbot, page.table, 0, double=True)
    form = new_window(qtbot, before, QDialog)
    wait_idle(qtbot, demo_ctx)
    form.resize(980, 640)
    save(form, "intake-application-form")
    dismiss(qtbot, form)

    before = windows()
    click_row(qtbot, page.table, 2)
    click(qtbot, page.toolbar.widgetForAction(page.formal_action))
    review = new_window(qtbot, before, QDialog)
    wait_idle(qtbot, demo_ctx)
    save(review, "intake-formal-review")
    dismiss(qtbot, review)

    page = open_page(window, qtbot, demo_ctx, "重点领域")
    tree = page.tree
    qtbot.waitUntil(lambda: page.model.rowCount() == 5)
    first = page.model.index(0, 0)
    expand_tree_item(qtbot, tree, first)
    expand_tree_item(qtbot, tree, page.model.index(1, 0, first))
    target = page.model.index(1, 0, page.model.index(1, 0, first))
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualRect(target).center())
    qtbot.waitUntil(lambda: "HD-" in page.detail.toPlainText())
    save(window, "intake-priority-areas")


def test_import_dialog_with_the_sample_sheet(gui_ctx, qtbot):
    window = MainWindow(gui_ctx)
    qtbot.addWidget(window)
    window.resize(WIDTH, HEIGHT)
    window.show()
    qtbot.waitExposed(window)
    page = open_page(window, qtbot, gui_ctx, "申报项目")
    before = windows()
    click(qtbot, page.toolbar.widgetForAction(page.import_action))
    dialog = new_window(qtbot, before, QDialog)
    wait_idle(qtbot, gui_ctx)
    dialog.resize(WIDTH - 80, HEIGHT - 60)
    qtbot.waitUntil(lambda: button(dialog, "使用示例表格").isVisible())
    click(qtbot, button(dialog, "使用示例表格"))
    click(qtbot, button(dialog, "预览"))
    qtbot.waitUntil(lambda: button(dialog, "导入").isEnabled(), timeout=20000)
    save(dialog, "intake-import-preview")
    dismiss(qtbot, dialog)


def test_scoring_pages(window, qtbot, demo_ctx):
    page = open_page(window, qtbot, demo_ctx, "评审排序")
    qtbot.waitUntil(lambda: page.model.rowCount() > 20)
    save(window, "scoring-ranking")

    def grab_and_close(dialog):
        wait_idle(qtbot, demo_ctx)
        dialog.resize(900, 520)
        save(dialog, "scoring-rubrics")
        dismiss(qtbot, dialog)

    on_next_modal(grab_and_close)
    click(qtbot, button(page, "评分标准…"))

    click_row(qtbot, page.table, 0)
    before = windows()
    click(qtbot, button(page, "录入评分…"))
    picker = modal(qtbot, ReviewerPicker)  # whose sheet (opened with open()): the first reviewer, OK
    click(qtbot, picker.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
    entry = new_window(qtbot, before, titled="专家评审表 —")
    wait_idle(qtbot, demo_ctx)
    entry.resize(WIDTH, HEIGHT)
    save(entry, "scoring-score-entry")
    entry.close()


def test_expert_and_panel_pages(window, qtbot, demo_ctx):
    page = open_page(window, qtbot, demo_ctx, "专家库")
    qtbot.waitUntil(lambda: page.model.rowCount() > 5)
    save(window, "experts-pool")

    page = open_page(window, qtbot, demo_ctx, "专家组")
    qtbot.waitUntil(lambda: button(page, "分配评审…").isEnabled())
    save(window, "panels-members")
    for tab, name in (("评审表", "panels-sheets"), ("会议投票", "panels-votes"), ("尺度校准", "panels-calibration")):
        open_tab(qtbot, page, tab)
        wait_idle(qtbot, demo_ctx)
        save(window, name)


def test_draw_and_assignment(demo_ctx, qtbot):
    # A second batch (the sample sheet) and a new panel for it, made with 新建专家组…; the panel
    # page shows the newest batch first.
    with demo_ctx.database.session() as session:
        importer.import_applications(session, SAMPLE, ImportOptions(batch=SAMPLE_BATCH), actor="测试员")
    window = main_window(demo_ctx, qtbot)
    page = open_page(window, qtbot, demo_ctx, "专家组")
    assert page.batch_combo.currentText() == SAMPLE_BATCH
    before = windows()
    click(qtbot, button(page, "新建专家组…"))
    new_panel = new_window(qtbot, before, QDialog)
    retype(qtbot, new_panel.name, "第一专家组")
    click(qtbot, new_panel.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
    wait_idle(qtbot, demo_ctx)
    qtbot.waitUntil(lambda: page.panel_combo.currentText() == "第一专家组", timeout=10000)
    qtbot.waitUntil(lambda: button(page, "抽取专家…").isEnabled())

    before = windows()
    click(qtbot, button(page, "抽取专家…"))
    draw = new_window(qtbot, before, QDialog)
    wait_idle(qtbot, demo_ctx)
    draw.resize(1100, 620)
    type_text(qtbot, draw.seed, "doc-2025")
    click(qtbot, button(draw, "抽取"))
    wait_idle(qtbot, demo_ctx)
    qtbot.waitUntil(lambda: "doc-2025" in draw.result.text())
    save(draw, "panels-draw")
    click(qtbot, button(draw, "关闭"))
    # The drawn experts are 待确认 until their answers are recorded: all accept (a round of calls).
    on_next_modal(lambda dialog: click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)))
    click(qtbot, button(page, "待确认的全部已确认…"))
    wait_idle(qtbot, demo_ctx)

    qtbot.waitUntil(lambda: button(page, "分配评审…").isEnabled())
    before = windows()
    click(qtbot, button(page, "分配评审…"))
    assign = new_window(qtbot, before, QDialog)
    wait_idle(qtbot, demo_ctx)
    assign.resize(1000, 600)
    click(qtbot, button(assign, "预览"))
    wait_idle(qtbot, demo_ctx)
    save(assign, "panels-assignment")
    dismiss(qtbot, assign)
    close_others(window, qtbot, demo_ctx)


def test_funding_and_documents(window, qtbot, demo_ctx):
    page = open_page(window, qtbot, demo_ctx, "拟立项")
    qtbot.waitUntil(lambda: page.model.rowCount() > 20)
    save(window, "funding-list")
    open_tab(qtbot, page, "规划统计")
    wait_idle(qtbot, demo_ctx)
    save(window, "funding-plan")
    open_tab(qtbot, page, "拟立项项目清单")

    before = windows()
    click(qtbot, button(page, "导出…"))
    dialog = new_window(qtbot, before, QDialog)
    wait_idle(qtbot, demo_ctx)
    save(dialog, "documents-export-dialog")
    dialog.close()


def test_batch_pages(window, qtbot, demo_ctx):
    page = open_page(window, qtbot, demo_ctx, "申报批次")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    click_row(qtbot, page.view, 0)
    save(window, "batches-page")
    before = windows()
    click(qtbot, button(page, "新建批次…"))
    form = new_window(qtbot, before, QDialog)
    wait_idle(qtbot, demo_ctx)
    save(form, "batches-form")
    dismiss(qtbot, form)
