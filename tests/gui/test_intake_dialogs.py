"""The import preview, the application form and the formal-review dialog, driven with qtbot."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox
from sqlalchemy import select

from clicks import (
    check,
    click,
    click_check_cell,
    click_row,
    click_tab,
    click_tool,
    edit_cell,
    press,
    retype,
    retype_combo,
    type_in_editor,
    when_modal,
)
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.core.enums import ApplicationStatus
from reviewtool.gui.applications_page import ApplicationsPage
from reviewtool.gui.intake.application_form import ApplicationFormDialog
from reviewtool.gui.intake.formal_review_dialog import FormalReviewDialog
from reviewtool.gui.intake.import_dialog import ImportDialog
from reviewtool.storage.models import Application, Batch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "intake"))
from intake_workbooks import GOOD_ROWS, grouped_workbook
from modal import FileChooser, keep

BATCH = "2025年海东市科技计划项目"


def select_all(qtbot, table) -> None:
    """Click the first row, then Ctrl+A: every row selected."""
    click_row(qtbot, table, 0)
    qtbot.keyClick(table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)


def application_count(ctx) -> int:
    with ctx.database.session() as session:
        return len(session.scalars(select(Application.id)).all())


def test_import_preview_then_import(gui_ctx, qtbot, tmp_path):
    path = grouped_workbook(tmp_path / "汇总表.xlsx")
    dialog = ImportDialog(gui_ctx, path=str(path))
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, gui_ctx)
    retype_combo(qtbot, dialog.batch_combo, BATCH)
    assert not dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_data is not None, timeout=15000)
    assert dialog.model.rowCount() == 3
    assert [dialog.model.index(r, 1).data() for r in range(3)] == ["新增"] * 3
    assert "HD-C3-5" in dialog.model.index(2, 9).data()  # suggested area for the row without one
    assert dialog.import_button.isEnabled()
    assert application_count(gui_ctx) == 0  # the preview wrote nothing
    dialog.grab().save(str(screenshot_dir() / "intake_import_preview.png"))
    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=15000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted)
    assert application_count(gui_ctx) == 3


def test_import_preview_blocks_rejected_rows_until_only_valid(gui_ctx, qtbot, tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][9] = "五十"
    path = grouped_workbook(tmp_path / "bad.xlsx", rows)
    dialog = ImportDialog(gui_ctx, path=str(path))
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, gui_ctx)
    retype_combo(qtbot, dialog.batch_combo, BATCH)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_data is not None, timeout=15000)
    assert dialog.model.index(1, 1).data() == "已拒绝"
    details = dialog.model.index(1, 9).data()
    assert details.startswith("J 列（经费（万元）/申请经费）：") and "“五十”" in details
    assert "工作表 汇总表 第 6 行 J 列" in dialog.model.index(1, 9).data(Qt.ItemDataRole.ToolTipRole)
    assert not dialog.import_button.isEnabled()
    dialog.grab().save(str(screenshot_dir() / "intake_import_rejected.png"))
    check(qtbot, dialog.only_valid)
    assert not dialog.import_button.isEnabled()  # options changed: preview again
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_data is not None, timeout=15000)
    assert dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=15000)
    assert application_count(gui_ctx) == 2


def test_wrong_file_shows_the_message(gui_ctx, qtbot, tmp_path):
    path = tmp_path / "renamed.xlsx"
    path.write_text("a,b\n", encoding="utf-8")
    dialog = ImportDialog(gui_ctx, path=str(path))
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, gui_ctx)
    retype_combo(qtbot, dialog.batch_combo, BATCH)
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "CSV" in dialog.summary.text(), timeout=15000)
    assert "renamed.xlsx" in dialog.summary.text() and not dialog.import_button.isEnabled()


@pytest.fixture
def batch_id(gui_ctx):
    with gui_ctx.database.session() as session:
        batch = Batch(name=BATCH, year=2025)
        session.add(batch)
        session.flush()
        return batch.id


def test_form_validates_as_you_type_and_saves(gui_ctx, qtbot, batch_id, tmp_path, monkeypatch):
    dialog = keep(qtbot, ApplicationFormDialog(gui_ctx, batch_id=batch_id))
    dialog.show()
    wait_idle(qtbot, gui_ctx)
    assert not dialog.save_button.isEnabled()
    assert {"title", "unit_name", "pi_name", "requested_amount"} <= set(dialog.problems)
    type_text(qtbot, dialog.edits["title"], "高原牦牛高效养殖与牛肉精深加工技术研发")
    type_text(qtbot, dialog.edits["unit_name"], "青海高原牦牛乳业有限公司")
    click_tab(qtbot, dialog.tabs, 1)
    type_text(qtbot, dialog.edits["pi_name"], "张立新")
    type_text(qtbot, dialog.edits["start_date"], "2025.01")
    type_text(qtbot, dialog.edits["end_date"], "2024.12")
    assert "end_date" in dialog.problems
    retype(qtbot, dialog.edits["end_date"], "2026.12")
    click_tab(qtbot, dialog.tabs, 2)
    type_text(qtbot, dialog.edits["requested_amount"], "abc")
    assert "requested_amount" in dialog.problems
    assert "border" in dialog.edits["requested_amount"].styleSheet()
    assert not dialog.save_button.isEnabled()
    dialog.grab().save(str(screenshot_dir() / "intake_form_invalid.png"))
    retype(qtbot, dialog.edits["requested_amount"], "60")
    assert dialog.problems == {}
    assert dialog.save_button.isEnabled()
    click_tab(qtbot, dialog.tabs, 4)
    type_text(qtbot, dialog.edits["abstract"], "研究牦牛舍饲育肥和牛肉精深加工")
    qtbot.mouseClick(dialog.suggest_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.suggestions.count() > 0, timeout=15000)
    first = dialog.suggestions.item(1)  # item 0 says how sure the suggestion is
    assert first.text().startswith("HD-I05")
    click_row(qtbot, dialog.suggestions, 1, double=True)
    assert dialog.edits["primary_area"].currentData() == "HD-I05"
    dialog.grab().save(str(screenshot_dir() / "intake_form_areas.png"))
    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with gui_ctx.database.session() as session:
        application = session.scalar(select(Application))
        assert (application.title, application.requested_amount, application.start_date.year) == (
            "高原牦牛高效养殖与牛肉精深加工技术研发",
            Decimal(60),
            2025,
        )
        app_id = application.id

    # Edit it again and attach a file.
    edit = keep(qtbot, ApplicationFormDialog(gui_ctx, application_id=app_id))
    edit.show()
    wait_idle(qtbot, gui_ctx)
    assert edit.edits["title"].text() == "高原牦牛高效养殖与牛肉精深加工技术研发"
    assert edit.edits["primary_area"].currentData() == "HD-I05"
    pdf = tmp_path / "项目申报书.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    chooser = FileChooser(monkeypatch, answer=pdf)  # the file picked in the desktop's chooser
    click_tab(qtbot, edit.tabs, 5)
    click(qtbot, edit.attachments_tab.add_button)  # 添加附件…
    assert [asked[0] for asked in chooser.asked] == ["getOpenFileName"]
    qtbot.waitUntil(lambda: edit.attachments_model.rowCount() == 1, timeout=10000)
    assert edit.attachments_model.index(0, 0).data() == "项目申报书.pdf"
    edit.grab().save(str(screenshot_dir() / "intake_form_attachments.png"))


def test_formal_review_dialog_requires_a_reason(gui_ctx, qtbot, batch_id):
    from reviewtool.core.intake.form import ApplicationForm
    from reviewtool.services.intake.edit import create_application

    with gui_ctx.database.session() as session:
        app_id, _ = create_application(
            session,
            batch_id,
            ApplicationForm(title="测试项目", unit_name="某公司", pi_name="王五", requested_amount="10"),
            actor="t",
        )
    dialog = FormalReviewDialog(gui_ctx, app_id)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, gui_ctx)
    assert len(dialog.rows) == 8
    qtbot.mouseClick(dialog.all_passed_button, Qt.MouseButton.LeftButton)
    _id, _passed, failed, reason = dialog.rows[3]
    check(qtbot, failed)
    assert not dialog.save_button.isEnabled()
    type_text(qtbot, reason, "逾期提交")
    assert dialog.save_button.isEnabled()
    dialog.grab().save(str(screenshot_dir() / "intake_formal_review.png"))
    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with gui_ctx.database.session() as session:
        application = session.get(Application, app_id)
        assert application.status == ApplicationStatus.FORMAL_FAILED
        assert application.status_reason.endswith("逾期提交")


def test_page_has_intake_actions_and_category_filter(gui_ctx, qtbot, batch_id):
    page = ApplicationsPage(gui_ctx)
    qtbot.addWidget(page)
    page.show()
    wait_idle(qtbot, gui_ctx)
    texts = [a.text() for a in page.toolbar.actions() if a.text()]
    assert texts == ["新建申报…", "打开…", "导入…", "模板…", "形式审查…", "确认建议领域", "导出 Excel…"]
    assert page.category_filter.itemText(0) == "全部类别"


def test_checklist_editor_adds_renames_and_retires_items(gui_ctx, qtbot, batch_id):
    from reviewtool.gui.intake.checklist_dialog import ChecklistDialog
    from reviewtool.services.intake.formal_review import ensure_checklist

    dialog = ChecklistDialog(gui_ctx, batch_id)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, gui_ctx)
    model = dialog.model
    assert model.rowCount() == 8
    edit_cell(qtbot, dialog.view, 0, 1, "单位注册地在海东市")
    assert model.index(0, 1).data() == "单位注册地在海东市"
    click_check_cell(qtbot, dialog.view, 7, 2)  # untick “In use”
    assert model.index(7, 2).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)  # the new item's text is open for typing
    type_in_editor(qtbot, dialog.view, "附件齐全")
    assert model.index(8, 1).data() == "附件齐全"
    click_row(qtbot, dialog.view, 8, 1)
    qtbot.mouseClick(dialog.up_button, Qt.MouseButton.LeftButton)
    dialog.grab().save(str(screenshot_dir() / "intake_checklist.png"))
    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=10000):
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    with gui_ctx.database.session() as session:
        items = ensure_checklist(session, batch_id, actor="t")
    active = [(i.code, i.text) for i in items if i.active]
    assert active[0][1] == "单位注册地在海东市"
    assert active[-1] == ("item_9", "附件齐全")
    assert [i.code for i in items if not i.active] == ["cofunding_ratio"]


def test_several_selected_applications_pass_formal_review_at_once(gui_ctx, qtbot, batch_id):
    from reviewtool.core.intake.form import ApplicationForm
    from reviewtool.services.intake.edit import create_application

    with gui_ctx.database.session() as session:
        ids = [
            create_application(
                session, batch_id, ApplicationForm(title=f"项目{i}", unit_name="某公司", pi_name="王五", requested_amount="5"),
                actor="t",
            )[0]
            for i in range(3)
        ]  # fmt: skip
    page = ApplicationsPage(gui_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10000)
    select_all(qtbot, page.table)
    assert sorted(page.selected_ids()) == sorted(ids)
    answered = when_modal(qtbot, lambda box: press(qtbot, box, QMessageBox.StandardButton.Yes), QMessageBox)
    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=10000):
        click_tool(qtbot, page.toolbar, page.formal_action)  # 形式审查… on several: all passed, asked first
    assert answered
    wait_idle(qtbot, gui_ctx)
    with gui_ctx.database.session() as session:
        statuses = {a.status for a in session.scalars(select(Application))}
    assert statuses == {ApplicationStatus.FORMAL_PASSED}
    qtbot.waitUntil(
        lambda: page.model.rowCount() == 3 and page.model.index(0, 7).data() == "形式审查通过", timeout=10000
    )


def test_list_shows_suggested_areas_and_confirms_them(gui_ctx, qtbot, tmp_path):
    from reviewtool.services.intake.import_result import ImportOptions
    from reviewtool.services.intake.importer import import_applications

    with gui_ctx.database.session() as session:
        import_applications(session, grouped_workbook(tmp_path / "s.xlsx"), ImportOptions(batch=BATCH), actor="t")
    page = ApplicationsPage(gui_ctx)
    qtbot.addWidget(page)
    page.resize(1200, 400)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10000)
    area_column = 5
    # Codes are shown with their titles (the view elides them where the column is narrow).
    assert [page.model.index(r, area_column).data() for r in range(3)] == [
        "HD-I05 特色养殖业高效生产与精深加工技术研发",
        "HD-I02 加强水生态修复技术创新与示范",
        "HD-C3-5 科技支撑碳化硅产业技术转型升级（建议）",
    ]
    assert page.model.index(2, area_column).data(Qt.ItemDataRole.FontRole).italic()
    page.grab().save(str(screenshot_dir() / "intake_list_suggested.png"))
    select_all(qtbot, page.table)
    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=10000):
        click_tool(qtbot, page.toolbar, page.confirm_areas_action)
    qtbot.waitUntil(
        lambda: (
            page.model.rowCount() == 3
            and page.model.index(2, area_column).data() == "HD-C3-5 科技支撑碳化硅产业技术转型升级"
        ),
        timeout=10000,
    )
