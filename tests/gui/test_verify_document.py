"""文件 → 核验 PDF 文件…: a clerk checks a PDF through the menu and reads the answer."""

from __future__ import annotations

import pytest
from modal import FileChooser, modal_watchers  # noqa: F401 - the fixture, autouse
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from conftest_helpers import wait_idle
from reviewtool.gui.main_window import MainWindow
from reviewtool.services.documents.export import export_summary
from reviewtool.storage.models import Batch


@pytest.fixture
def window(demo_ctx, qtbot):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, demo_ctx)
    return window


def click_file_menu_item(qtbot, window, action) -> None:
    """Open 文件 in the menu bar with a click, then click the item."""
    bar = window.menuBar()
    file_action = bar.actions()[0]
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(file_action).center())
    menu = file_action.menu()
    qtbot.waitUntil(menu.isVisible)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def result_box(qtbot) -> QMessageBox:
    def found():
        return next(
            (w for w in QApplication.topLevelWidgets() if w.objectName() == "verify-pdf-result" and w.isVisible()),
            None,
        )

    qtbot.waitUntil(lambda: found() is not None, timeout=15000)
    return found()


def test_a_clerk_verifies_an_issued_pdf_and_an_altered_copy(window, qtbot, demo_ctx, monkeypatch, tmp_path):
    issued = tmp_path / "汇总表.pdf"
    with demo_ctx.database.session() as session:
        batch_id = session.query(Batch.id).first()[0]
        export_summary(session, batch_id, issued)
    chooser = FileChooser(monkeypatch, answer=issued)
    click_file_menu_item(qtbot, window, window.verify_action)
    box = result_box(qtbot)
    assert box.text().startswith("✓") and "汇总表.pdf" in box.text()
    assert box.icon() is QMessageBox.Icon.Information and chooser.asked[0][0] == "getOpenFileName"
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible())

    altered = tmp_path / "改过的.pdf"
    altered.write_bytes(issued.read_bytes().replace(b"/Title (", b"/Title (X", 1) + b"\n")
    chooser.answer = altered
    click_file_menu_item(qtbot, window, window.verify_action)
    box = result_box(qtbot)
    assert box.text().startswith("✗") and "已被修改" in box.text() and box.icon() is QMessageBox.Icon.Warning
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
