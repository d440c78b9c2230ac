"""The import dialog offers the shipped sample sheet while the database has no
applications: the user opens 导入…, clicks 使用示例表格, previews and imports."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import func, select

from conftest_helpers import screenshot_dir, wait_idle
from reviewtool.gui.applications_page import ApplicationsPage
from reviewtool.paths import resource_path
from reviewtool.storage.models import Application

SAMPLE = resource_path("samples", "申报汇总表示例.xlsx")


def open_import_dialog(ctx, qtbot):
    """Open the dialog as a user does: the 导入… button on the applications page."""
    page = ApplicationsPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    qtbot.waitExposed(page)
    wait_idle(qtbot, ctx)
    button = page.toolbar.widgetForAction(page.import_action)
    assert page.import_action.text() == "导入…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(page, "last_dialog", None) is not None and page.last_dialog.isVisible())
    dialog = page.last_dialog
    qtbot.addWidget(dialog)
    wait_idle(qtbot, ctx)
    return page, dialog


def application_count(ctx) -> int:
    with ctx.database.session() as session:
        return session.scalar(select(func.count()).select_from(Application))


def test_an_empty_database_is_offered_the_sample_sheet(gui_ctx, qtbot):
    _page, dialog = open_import_dialog(gui_ctx, qtbot)
    button = dialog.sample_button
    qtbot.waitUntil(button.isVisible)
    assert button.text() == "使用示例表格"
    assert dialog.file_edit.text() == ""

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.file_edit.text() == str(SAMPLE))
    assert dialog.batch_combo.currentText() == "2025年海东市科技计划项目（示例）"

    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_data is not None, timeout=20000)
    assert dialog.model.rowCount() == 12
    assert {dialog.model.index(row, 1).data() for row in range(12)} == {"新增"}
    qtbot.waitUntil(dialog.import_button.isEnabled)
    dialog.grab().save(str(screenshot_dir() / "intake_sample_preview.png"))

    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    assert application_count(gui_ctx) == 12


def test_a_database_with_applications_is_not_offered_the_sample(demo_ctx, qtbot):
    _page, dialog = open_import_dialog(demo_ctx, qtbot)
    assert application_count(demo_ctx) > 0
    wait_idle(qtbot, demo_ctx)
    assert not dialog.sample_button.isVisible()
