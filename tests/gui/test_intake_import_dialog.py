"""The import dialog as a clerk uses it (issues 10 and 12): the batch is chosen, never
pre-filled; the preview shows amounts, project leader and county; columns are mapped
in drop-downs and the preview follows; a mapping saved once is reused; rejected rows
export as a sheet. Every step is a click or typing."""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog
from sqlalchemy import func, select

from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.gui.intake.import_dialog import ImportDialog
from reviewtool.storage.models import Application, Batch, MappingProfile, Unit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "intake"))
from intake_workbooks import simple_workbook

BATCH = "2026年海东市科技计划项目"
REAL_SHAPED_HEADER = ["序号", "项目名称", "承担单位", "所在县（区）", "项目负责人", "申请经费", "项目总经费"]
COUNTIES = ["平安区", "乐都区", "民和县", "互助县", "化隆县", "循化县", "海东工业园区"]


def open_dialog(ctx, qtbot, path) -> ImportDialog:
    dialog = ImportDialog(ctx, path=str(path))
    qtbot.addWidget(dialog)
    dialog.resize(1280, 700)
    dialog.show()
    wait_idle(qtbot, ctx)
    return dialog


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def preview(qtbot, dialog) -> None:
    dialog.result_data = None
    click(qtbot, dialog.preview_button)
    qtbot.waitUntil(lambda: dialog.result_data is not None, timeout=20000)


def choose(qtbot, combo, text: str) -> None:
    """Open the drop-down (F4, as a keyboard user does) and click the item."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_F4)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5000)
    index = view.model().index(combo.findText(text), 0)
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())
    qtbot.waitUntil(lambda: combo.currentText() == text, timeout=5000)


def test_batch_is_asked_and_preview_shows_amounts_leader_and_county(gui_ctx, qtbot, tmp_path):
    with gui_ctx.database.session() as session:
        session.add(Batch(name="2025年海东市科技计划项目", year=2025))
    rows = [
        [n + 1, f"项目{n + 1}号", f"单位{n + 1}", COUNTIES[n % len(COUNTIES)], f"负责人{n + 1}", 10 + n, 20 + n]
        for n in range(15)
    ]
    path = simple_workbook(tmp_path / "real.xlsx", REAL_SHAPED_HEADER, rows)
    dialog = open_dialog(gui_ctx, qtbot, path)
    assert dialog.batch_combo.currentText() == ""  # last year's batch is offered, not pre-filled
    assert dialog.batch_combo.findText("2025年海东市科技计划项目") == 0
    click(qtbot, dialog.preview_button)
    assert "批次" in dialog.summary.text() and dialog.result_data is None
    type_text(qtbot, dialog.batch_combo.lineEdit(), BATCH)
    preview(qtbot, dialog)
    model = dialog.model
    assert model.rowCount() == 15
    heads = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    leader, county, requested = heads.index("项目负责人"), heads.index("县区"), heads.index("申请经费（万元）")
    assert [model.index(r, county).data() for r in range(15)] == [
        {
            "民和县": "民和回族土族自治县",
            "互助县": "互助土族自治县",
            "化隆县": "化隆回族自治县",
            "循化县": "循化撒拉族自治县",
        }.get(c, c)
        for c in (row[3] for row in rows)
    ]  # every row kept its county: 所在县（区） is the county column
    assert model.index(0, leader).data() == "负责人1" and model.index(14, requested).data() == "24"
    dialog.grab().save(str(screenshot_dir() / "intake_import_real_headers.png"))
    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=20000):
        click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=20000)
    with gui_ctx.database.session() as session:
        assert session.scalar(select(func.count(Unit.id)).where(Unit.county.is_not(None))) == 15


GD_HEADER = ["项目名称", "承担单位", "负责人", "省科技计划资助金额（万元）", "备注"]


def test_mapping_in_the_drop_down_updates_the_preview_and_is_saved_and_reused(gui_ctx, qtbot, tmp_path):
    first = simple_workbook(
        tmp_path / "gd1.xlsx", GD_HEADER, [["牦牛高效养殖技术示范", "某牧业公司", "张三", 30, "重点"]]
    )
    dialog = open_dialog(gui_ctx, qtbot, first)
    type_text(qtbot, dialog.batch_combo.lineEdit(), BATCH)
    preview(qtbot, dialog)
    assert dialog.result_data.missing_columns == ["申请经费"] and not dialog.import_button.isEnabled()
    combo = dialog.mapping_table.combos["省科技计划资助金额（万元）"]
    assert combo.currentText() == "保留为附加信息"
    dialog.grab().save(str(screenshot_dir() / "intake_import_mapping_before.png"))
    dialog.result_data = None
    choose(qtbot, combo, "申请经费")  # the preview runs again by itself
    qtbot.waitUntil(lambda: dialog.result_data is not None, timeout=20000)
    assert dialog.result_data.missing_columns == [] and dialog.model.index(0, 1).data() == "新增"
    assert dialog.mapping_table.combos["省科技计划资助金额（万元）"].currentText() == "申请经费"
    type_text(qtbot, dialog.save_profile_edit, "省级验收表")
    preview(qtbot, dialog)
    dialog.grab().save(str(screenshot_dir() / "intake_import_mapping_after.png"))
    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=20000):
        click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=20000)
    with gui_ctx.database.session() as session:
        assert session.scalar(select(MappingProfile.name)) == "省级验收表"

    second = simple_workbook(tmp_path / "gd2.xlsx", GD_HEADER, [["藏羊繁育技术示范", "某合作社", "李四", 12, ""]])
    again = open_dialog(gui_ctx, qtbot, second)
    assert again.profile_combo.findText("省级验收表") >= 0
    type_text(qtbot, again.batch_combo.lineEdit(), BATCH)
    preview(qtbot, again)  # same headers: the saved mapping is used without asking
    assert again.result_data.profile == "省级验收表" and again.import_button.isEnabled()
    assert "申请经费" == again.mapping_table.combos["省科技计划资助金额（万元）"].currentText()


def test_rejected_rows_export_as_a_sheet_to_send_back(gui_ctx, qtbot, tmp_path, monkeypatch):
    header = ["项目名称", "承担单位", "项目负责人", "申请经费"]
    rows = [["好项目", "某公司", "张三", 10], ["坏项目", "某公司", "李四", "五十"]]
    path = simple_workbook(tmp_path / "bad.xlsx", header, rows)
    dialog = open_dialog(gui_ctx, qtbot, path)
    type_text(qtbot, dialog.batch_combo.lineEdit(), BATCH)
    preview(qtbot, dialog)
    assert dialog.export_rejected_button.isEnabled() and not dialog.import_button.isEnabled()
    target = tmp_path / "退回.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    click(qtbot, dialog.export_rejected_button)
    qtbot.waitUntil(target.exists, timeout=10000)
    sheet = load_workbook(target).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert len(values) == 1 and values[0][1] == 3 and values[0][3] == "坏项目" and values[0][6].startswith("D")
    assert "不是以万元计的金额" in values[0][7]
    assert "已保存" in dialog.summary.text() or "saved" in dialog.summary.text()
    with gui_ctx.database.session() as session:
        assert session.scalar(select(func.count(Application.id))) == 0


def test_a_county_outside_haidong_is_shown_rejected_with_its_cell(gui_ctx, qtbot, tmp_path):
    rows = [
        [1, "项目一", "单位一", "平安区", "张三", 10, 10],
        [2, "项目二", "西宁某公司", "西宁市城东区", "李四", 10, 10],
    ]
    dialog = open_dialog(gui_ctx, qtbot, simple_workbook(tmp_path / "x.xlsx", REAL_SHAPED_HEADER, rows))
    type_text(qtbot, dialog.batch_combo.lineEdit(), BATCH)
    preview(qtbot, dialog)
    assert [dialog.model.index(r, 1).data() for r in range(2)] == ["新增", "已拒绝"]
    details = dialog.model.index(1, dialog.model.columnCount() - 1).data()
    assert details.startswith("D 列（所在县（区））") and "西宁市城东区" in details
    assert not dialog.import_button.isEnabled()
