"""A whole call for applications, run from the main window at 1280×720 as a
clerk runs it — every step a click or a key — once in Chinese, once in English:

new batch (申报批次) with its rules and rubric → import the sample summary sheet
with preview → confirm areas and formal review → new panel, draw, assign →
export the scoring workbooks, fill one with openpyxl, import it → transcribe
one paper sheet by keyboard → ranking → 拟立项 → export the funding list.

Screenshots of every step go to build/screenshots/whole_call/<language>/.
The expert pool is there already (it is set up once for all calls).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from sqlalchemy import func, select

from clicks import (
    answer_file_dialog,
    choose,
    click,
    click_nav,
    click_row,
    click_tab,
    modal,
    press,
    retype,
    row_of,
    shown,
    when_modal,
)
from conftest_helpers import screenshot_dir, type_text, wait_idle
from panels.test_workbooks import fill
from reviewtool.core.enums import ApplicationStatus, AssignmentStatus, Opinion, SheetSource, SheetStatus
from reviewtool.core.funding import Decision
from reviewtool.gui.batches.batch_dialog import BatchDialog
from reviewtool.gui.batches.rubric_dialog import BatchRubricDialog
from reviewtool.gui.documents.export_dialog import ExportDialog
from reviewtool.gui.intake.import_dialog import ImportDialog
from reviewtool.gui.main_window import MainWindow
from reviewtool.gui.panels.dialogs import AssignmentDialog, DrawDialog, NewPanelDialog
from reviewtool.gui.panels.invitation_dialog import InvitationAnswerDialog
from reviewtool.gui.panels.workbook_actions import ImportCheckDialog
from reviewtool.gui.scoring.ranking_page import ReviewerPicker
from reviewtool.gui.scoring.score_entry import ScoreEntryWindow
from reviewtool.i18n import _, set_language
from reviewtool.storage.models import Application, Assignment, Expert, ScoreSheet, Unit

pytestmark = pytest.mark.gui
BATCH = "2026年海东市科技计划项目"
WIDTH, HEIGHT = 1280, 720 - 32  # a 1280×720 laptop less the window's title bar


def seed_expert_pool(database) -> None:
    """Twelve experts of the pool (from units that apply for nothing)."""
    with database.session() as s:
        units = [Unit(name=f"外省科研院所{i}") for i in range(1, 5)]
        s.add_all(units)
        s.flush()
        for j in range(1, 13):
            s.add(Expert(name=f"专家{j:02d}", unit_id=units[j % 4].id, title="研究员"))


class Steps:
    """Numbered screenshots of one run."""

    def __init__(self, window, language: str) -> None:
        self.window = window
        self.folder = screenshot_dir() / "whole_call" / language
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def shot(self, name: str, widget=None) -> None:
        self.count += 1
        QApplication.processEvents()  # a layout still pending is done before the picture is taken
        (widget or self.window).grab().save(str(self.folder / f"{self.count:02d}-{name}.png"))


def fits(widget) -> None:
    """The widget's window is drawn within 1280×720 with its buttons on screen."""
    top = widget.window()
    assert top.width() <= 1280 and top.height() <= 720, (type(top).__name__, top.size())


def toolbar_button(toolbar, action):
    return toolbar.widgetForAction(action)


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_clerk_runs_a_whole_call_from_the_window(gui_ctx, qtbot, tmp_path, language):
    set_language(language)
    seed_expert_pool(gui_ctx.database)
    window = MainWindow(gui_ctx)
    qtbot.addWidget(window)
    window.resize(WIDTH, HEIGHT)
    window.show()
    qtbot.waitExposed(window)
    assert window.minimumSizeHint().width() <= WIDTH and window.minimumSizeHint().height() <= HEIGHT
    steps = Steps(window, language)
    wait_idle(qtbot, gui_ctx)

    # 1. The batch: name, deadline, budget and the review rules; then its rubric.
    page = click_nav(qtbot, window, _("Batches"))
    click(qtbot, page.new_button)
    form = modal(qtbot, BatchDialog)
    fits(form)
    type_text(qtbot, form.name, BATCH)
    type_text(qtbot, form.deadline, "2026-03-31")
    type_text(qtbot, form.budget, "300")
    retype(qtbot, form.min_sheets, "2")
    steps.shot("batch-form", form)
    click(qtbot, form.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    click_row(qtbot, page.view, 0)
    click(qtbot, page.rubric_button)
    chooser = modal(qtbot, BatchRubricDialog)
    qtbot.waitUntil(lambda: chooser.rubric.findData("haidong-general") >= 0, timeout=10000)
    choose(qtbot, chooser.rubric, "haidong-general")
    click(qtbot, chooser.use_button)
    qtbot.waitUntil(lambda: "haidong-general" in chooser.attached.item(0).text(), timeout=10000)
    click(qtbot, chooser.close_button)
    qtbot.waitUntil(lambda: page.model.index(0, 11).data() != _("none yet"), timeout=10000)
    steps.shot("batch")

    # 2. Import the sample summary sheet into that batch, with a preview first.
    page = click_nav(qtbot, window, _("Applications"))
    qtbot.mouseClick(toolbar_button(page.toolbar, page.import_action), Qt.MouseButton.LeftButton)
    dialog = modal(qtbot, ImportDialog)
    fits(dialog)
    qtbot.waitUntil(lambda: dialog.batch_combo.findText(BATCH) >= 0 and dialog.sample_button.isVisible(), timeout=10000)
    assert dialog.batch_combo.currentText() == ""  # never pre-filled: the clerk chooses
    choose(qtbot, dialog.batch_combo, text=BATCH)
    click(qtbot, dialog.sample_button)
    click(qtbot, dialog.preview_button)
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=20000)
    assert dialog.model.rowCount() >= 12
    steps.shot("import-preview", dialog)
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20000)
    qtbot.waitUntil(lambda: page.model.total == 12 and page.model.rowCount() == 12, timeout=20000)

    # 3. Confirm the suggested areas and pass the formal review, for every row at once.
    click_row(qtbot, page.table, 0)
    qtbot.keyClick(page.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(toolbar_button(page.toolbar, page.confirm_areas_action), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui_ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 12, timeout=10000)
    click_row(qtbot, page.table, 0)
    qtbot.keyClick(page.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    when_modal(qtbot, lambda box: press(qtbot, box, QMessageBox.StandardButton.Yes), QMessageBox)
    qtbot.mouseClick(toolbar_button(page.toolbar, page.formal_action), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui_ctx)
    with gui_ctx.database.session() as s:
        statuses = set(s.scalars(select(Application.status)))
        assert statuses == {ApplicationStatus.FORMAL_PASSED}
    steps.shot("applications")

    # 4. A panel for the batch: new panel, draw five experts, assign three per application.
    page = click_nav(qtbot, window, _("Expert panels"))
    qtbot.waitUntil(lambda: page.batch_combo.currentText() == BATCH, timeout=10000)
    click(qtbot, page.new_panel_button)
    new_panel = modal(qtbot, NewPanelDialog)
    click(qtbot, new_panel.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: page.snapshot is not None and page.snapshot.panel is not None, timeout=10000)
    click(qtbot, page.draw_button)
    draw = modal(qtbot, DrawDialog)
    fits(draw)
    qtbot.waitUntil(lambda: draw.eligible_model.rowCount() == 12, timeout=10000)
    retype(qtbot, draw.size, "5")
    click(qtbot, draw.draw_button)
    qtbot.waitUntil(lambda: not draw.draw_button.isEnabled(), timeout=10000)
    steps.shot("draw", draw)
    click(qtbot, draw.close_button)
    qtbot.waitUntil(lambda: page.members_model.rowCount() == 5, timeout=10000)
    # The five drawn experts accept by phone: 全部已确认, today's date.
    when_modal(qtbot, lambda d: click(qtbot, d.buttons.button(QDialogButtonBox.StandardButton.Ok)),
               InvitationAnswerDialog)  # fmt: skip
    click(qtbot, page.confirm_all_button)
    qtbot.waitUntil(lambda: page.pending_label.text() == "", timeout=10000)
    click(qtbot, page.assign_button)
    plan = modal(qtbot, AssignmentDialog)
    fits(plan)
    click(qtbot, plan.preview_button)
    qtbot.waitUntil(plan.apply_button.isEnabled, timeout=20000)
    steps.shot("assignment", plan)
    click(qtbot, plan.apply_button)
    qtbot.waitUntil(lambda: not plan.apply_button.isEnabled(), timeout=20000)
    click(qtbot, plan.close_button)
    qtbot.waitUntil(lambda: page.sheets_model.rowCount() == 36, timeout=20000)

    # 5. Workbooks: export into a folder, one expert fills theirs (openpyxl), import it back.
    click_tab(qtbot, page.tabs, 1)
    folder = tmp_path / "workbooks"
    folder.mkdir()
    answer_file_dialog(qtbot, str(folder))
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: len(list(folder.glob("*.xlsx"))) == 5, timeout=30000)
    wait_idle(qtbot, gui_ctx)
    # The expert picks the opinion offered by the workbook, in the language it was exported in.
    filled = fill(sorted(folder.glob("*.xlsx"))[0], opinion=Opinion.RECOMMEND.label())
    answer_file_dialog(qtbot, f'"{filled}"')
    click(qtbot, page.import_button)
    check = modal(qtbot, ImportCheckDialog, timeout=20000)
    steps.shot("workbook-check", check)
    click(qtbot, check.import_button)
    wait_idle(qtbot, gui_ctx)
    with gui_ctx.database.session() as s:
        from_workbook = s.scalar(select(func.count(ScoreSheet.id)).where(ScoreSheet.source == SheetSource.WORKBOOK))
        assert from_workbook >= 5 and from_workbook == s.scalar(select(func.count(ScoreSheet.id)))
        # A paper sheet to transcribe: an application that has one sheet, from another assigned expert.
        first = s.execute(select(ScoreSheet.application_id, ScoreSheet.reviewer_id)).first()
        app_id, number = s.execute(select(Application.id, Application.number).where(Application.id == first[0])).one()
        paper_expert = s.scalars(
            select(Assignment.expert_id).where(
                Assignment.application_id == app_id,
                Assignment.expert_id != first[1],
                Assignment.status == AssignmentStatus.ACTIVE,
            )
        ).first()
        paper_name = s.get(Expert, paper_expert).name
    qtbot.waitUntil(lambda: page.counts_label.text().count(str(from_workbook)) >= 1, timeout=10000)
    steps.shot("sheets")

    # 6. Ranking page: select that application, 录入评分…, the expert, 代专家录入, then type the sheet.
    page = click_nav(qtbot, window, _("Ranking"))
    qtbot.waitUntil(lambda: page.model.rowCount() == 12, timeout=20000)
    click_row(qtbot, page.table, row_of(page.table, 1, number), 1)

    def pick(dialog: ReviewerPicker) -> None:
        choose(qtbot, dialog.combo, paper_expert)
        qtbot.mouseClick(dialog.transcribe, Qt.MouseButton.LeftButton)
        click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))

    when_modal(qtbot, pick, ReviewerPicker)
    click(qtbot, page.score_button)

    def entry_window():
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, ScoreEntryWindow) and w.isVisible()]
        return found[0] if found else None

    qtbot.waitUntil(lambda: entry_window() is not None and len(entry_window().rows) == 8, timeout=20000)
    sheet = entry_window()
    sheet.resize(WIDTH, HEIGHT)
    assert paper_name in sheet.header.text() and sheet.transcribe.isChecked()
    for _veto in sheet.vetoes:
        qtbot.keyClick(sheet.focusWidget(), Qt.Key.Key_N)
        qtbot.keyClick(sheet.focusWidget(), Qt.Key.Key_Tab)
    for value in ("13", "12", "11", "12", "8", "12", "8", "4"):
        qtbot.keyClicks(sheet.focusWidget(), value)
        qtbot.keyClick(sheet.focusWidget(), Qt.Key.Key_Return)
    qtbot.keyClick(sheet.opinion, Qt.Key.Key_1)
    qtbot.keyClick(sheet.opinion, Qt.Key.Key_Tab)
    type_text(qtbot, sheet.written, "立项依据充分，建议支持。")
    qtbot.waitUntil(sheet.submit_button.isEnabled, timeout=10000)
    steps.shot("score-entry", sheet)
    with qtbot.waitSignal(sheet.saved, timeout=15000, check_params_cb=lambda r: r.status == SheetStatus.SUBMITTED):
        qtbot.keyClick(sheet.written, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(sheet.close_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, gui_ctx)
    with gui_ctx.database.session() as s:
        typed = s.scalar(select(ScoreSheet).where(ScoreSheet.application_id == app_id,
                                                  ScoreSheet.reviewer_id == paper_expert))  # fmt: skip
        assert typed.status is SheetStatus.SUBMITTED and typed.source is SheetSource.PAPER
        assert typed.total == Decimal(80)
    qtbot.waitUntil(lambda: page.model.rows[row_of(page.table, 1, number)].sheet_count == 2, timeout=20000)
    steps.shot("ranking")

    # 7. 拟立项: the application with two sheets is funded; those with one are 评审未完成.
    page = click_nav(qtbot, window, _("Funding"))
    qtbot.waitUntil(lambda: page.view is not None and page.view.batch == BATCH, timeout=20000)
    qtbot.waitUntil(lambda: any(r.sheet_count == 2 for r in page.view.rows), timeout=20000)
    rows = {r.number: r for r in page.view.rows}
    assert rows[number].funded and rows[number].score == Decimal("78.5")  # (77 + 80) / 2
    assert all(r.decision is Decision.INCOMPLETE for r in page.view.rows if r.sheet_count < 2 and not r.vetoed)
    assert _("Review incomplete") in {page.model.index(i, 11).data() for i in range(page.model.rowCount())}
    steps.shot("funding")
    click_tab(qtbot, page.tabs, 1)
    steps.shot("plan")
    click_tab(qtbot, page.tabs, 0)

    # 8. Export the funding list: the panel is not finalised, so it asks, and the list says 未定稿.
    click(qtbot, page.export_button)
    export = shown(qtbot, ExportDialog)
    fits(export)
    qtbot.waitUntil(lambda: export.batch.currentText() == BATCH, timeout=10000)
    target = tmp_path / "funding-list.xlsx"
    retype(qtbot, export.target, str(target))
    click(qtbot, export.export_button)
    question = modal(qtbot, QMessageBox)
    assert "未定稿" in question.text()
    steps.shot("draft-question", question)
    press(qtbot, question, QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(target.exists, timeout=30000)
    wait_idle(qtbot, gui_ctx)
    assert "未定稿" in load_workbook(target).worksheets[0]["A1"].value
    steps.shot("exported", export)
    export.close()
    assert steps.count >= 12
