"""The main window driven through its real widgets."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QProgressDialog, QPushButton
from sqlalchemy import insert, select

from clicks import choose, click, click_menu, click_nav, click_tree_item, expand_tree_item, modal, retype
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.gui import options
from reviewtool.gui.main_window import MainWindow
from reviewtool.gui.settings_dialog import SettingsDialog
from reviewtool.gui.tasks import PROGRESS_DELAY_MS
from reviewtool.services import settings as data_settings
from reviewtool.services.documents.fonts import document_fonts
from reviewtool.services.progress import Cancelled
from reviewtool.storage.models import Application, Batch, Unit


@pytest.fixture
def window(demo_ctx, qtbot):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, demo_ctx)
    return window


def test_application_list_shows_the_demo_batch(window, qtbot, demo_ctx):
    page = window.applications_page
    with demo_ctx.database.session() as session:
        expected = session.query(Application).count()
    qtbot.waitUntil(lambda: page.model.total == expected)
    assert page.model.rowCount() == expected
    assert f"共 {expected} 个申报项目" in page.count_label.text()
    headers = [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]
    assert headers[:3] == ["申报编号", "项目名称", "承担单位"]
    first = page.model.index(0, 0).data()
    assert first.startswith("HDKJ2025-")
    window.grab().save(str(screenshot_dir() / "main_window_applications.png"))


def test_search_box_filters_in_sql(window, qtbot, demo_ctx):
    page = window.applications_page
    type_text(qtbot, page.search, "马铃薯")
    wait_idle(qtbot, demo_ctx)
    qtbot.waitUntil(
        lambda: page.model.query.text == "马铃薯" and f"共 {page.model.total} 个申报项目" in page.count_label.text()
    )
    wait_idle(qtbot, demo_ctx)
    assert 0 < page.model.rowCount() < page.model.total + 100
    for row in range(page.model.rowCount()):
        item = page.model.row(row)
        assert "马铃薯" in item.title + item.unit + item.pi_name + item.number


def test_clicking_a_header_sorts_by_that_column(window, qtbot, demo_ctx):
    page = window.applications_page
    header = page.table.horizontalHeader()
    column = 6  # requested amount
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().topLeft() + _section_center(header, column)
    )
    wait_idle(qtbot, demo_ctx)
    assert page.model.query.sort_key == "requested_amount"
    amounts = [page.model.row(r).requested_amount for r in range(page.model.rowCount())]
    assert amounts == sorted(amounts, reverse=page.model.query.descending)


def _section_center(header, column):
    from PySide6.QtCore import QPoint

    return QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2, header.height() // 2)


def test_status_filter_limits_rows(window, qtbot, demo_ctx):
    page = window.applications_page
    combo = page.status_filter
    assert combo.findText("形式审查未通过") > 0
    choose(qtbot, combo, text="形式审查未通过")
    wait_idle(qtbot, demo_ctx)
    assert page.model.total == 0
    assert "共 0 个申报项目" in page.count_label.text()


def test_areas_browser_shows_the_plan_text(window, qtbot, demo_ctx):
    nav = window.nav
    item = nav.item(2)
    assert item.text() == "重点领域"
    qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=nav.visualItemRect(item).center())
    assert window.pages.currentWidget() is window.areas_page
    page = window.areas_page
    wait_idle(qtbot, demo_ctx)
    model = page.model
    groups = [model.item(r, 0).text() for r in range(model.rowCount())]
    assert groups == ["重点方向与重点产业", "重点任务", "能力建设支撑", "省级专项", "规划指标"]
    directions = model.item(0, 0)
    assert [directions.child(r, 0).text() for r in range(directions.rowCount())] == ["HD-D1", "HD-D2", "HD-D3", "HD-D4"]
    green_agriculture = directions.child(1, 0)
    industries = [green_agriculture.child(r, 1).text() for r in range(green_agriculture.rowCount())]
    assert "特色养殖业高效生产与精深加工技术研发" in industries
    target = model.indexFromItem(green_agriculture.child(1, 0))
    expand_tree_item(qtbot, page.tree, target.parent())  # the arrow beside HD-D2
    click_tree_item(qtbot, page.tree, target)
    qtbot.keyClick(page.tree, Qt.Key.Key_Down)
    shown = page.detail.toPlainText()
    assert "智慧农牧业关键技术研究与示范" in shown
    assert "HD-I06" in shown and "互联网、物联网、云计算" in shown
    window.grab().save(str(screenshot_dir() / "main_window_areas.png"))


def test_targets_show_their_attributes(window, qtbot, demo_ctx):
    page = click_nav(qtbot, window, "重点领域")
    assert page is window.areas_page
    wait_idle(qtbot, demo_ctx)
    targets = page.model.item(4, 0)
    haidong_table = targets.child(0, 0)
    first = haidong_table.child(1, 0)  # HD-T2 财政科技投入比重
    expand_tree_item(qtbot, page.tree, page.model.indexFromItem(haidong_table))
    click_tree_item(qtbot, page.tree, page.model.indexFromItem(first))
    text = page.detail.toPlainText()
    assert "财政科技投入比重" in text and "约束性" in text and "1.5" in text


def test_settings_dialog_stores_the_bureau_name(window, qtbot, demo_ctx):
    click_menu(qtbot, window, window.settings_action)  # 文件 → 设置…: the dialog opens with open()
    dialog = modal(qtbot, SettingsDialog)
    retype(qtbot, dialog.bureau_name, "海东市科学技术局（测试）")
    assert dialog.user.text() == demo_ctx.actor  # who acts is shown, not typed
    font_path = str(document_fonts().source)  # a font the app finds here (no fixed Debian path)
    retype(qtbot, dialog.font_file, font_path)
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)  # accepted: the window applies the values
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    wait_idle(qtbot, demo_ctx)
    with demo_ctx.database.session() as session:
        assert data_settings.get(session, data_settings.BUREAU_NAME) == "海东市科学技术局（测试）"
    assert options.PDF_FONT_FILE.read(demo_ctx.settings) == font_path


def test_settings_menu_opens_the_dialog(window, qtbot, demo_ctx):
    click_menu(qtbot, window, window.settings_action)
    dialog = modal(qtbot, SettingsDialog)
    click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Cancel))
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)


def test_long_task_shows_progress_late_and_can_be_cancelled(gui_ctx, qtbot):
    outcome = {}

    def slow(progress, cancel):
        for step in range(200):
            cancel.check()
            progress.update(step, 200, f"第 {step} 步")
            time.sleep(0.02)
        return "finished"

    gui_ctx.tasks.run(
        slow,
        lambda r: outcome.setdefault("done", r),
        lambda e: outcome.setdefault("error", e),
        label="测试任务",
        cancellable=True,
    )
    qtbot.wait(PROGRESS_DELAY_MS // 3)
    assert not any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    qtbot.waitUntil(
        lambda: any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets()),
        timeout=3000,
    )
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible())
    assert "测试任务" in dialog.labelText()
    cancel_button = dialog.findChild(QPushButton)
    assert cancel_button.text() == "取消"
    qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    assert isinstance(outcome.get("error"), Cancelled)


def test_list_loads_lazily_in_pages(gui_ctx, qtbot):
    with gui_ctx.database.session() as session:
        batch = Batch(name="大批量")
        unit = Unit(name="平安区测试单位", county="平安区")
        session.add_all([batch, unit])
        session.flush()
        session.execute(
            insert(Application),
            [
                {
                    "batch_id": batch.id,
                    "unit_id": unit.id,
                    "number": f"N{i:05d}",
                    "title": f"项目{i}",
                    "pi_name": "王",
                    "requested_amount": Decimal(i),
                }
                for i in range(1000)
            ],
        )
    from reviewtool.gui.applications_page import ApplicationsPage

    page = ApplicationsPage(gui_ctx)
    qtbot.addWidget(page)
    page.resize(900, 600)
    page.show()
    wait_idle(qtbot, gui_ctx)
    assert page.model.total == 1000
    assert page.model.rowCount() == 200
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() > 200, timeout=5000)
    wait_idle(qtbot, gui_ctx)
    assert page.model.row(200).number == "N00200"
    with gui_ctx.database.session() as session:
        assert session.scalar(select(Application.number).order_by(Application.number.desc()).limit(1)) == "N00999"
