"""Offline scoring workbooks from the panel page, clicked: export into a folder
typed in the file dialog, import two filled workbooks — the check shows every
error of the bad one (not only the first) — then import the good one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from sqlalchemy import func, select

from clicks import answer_file_dialog, click, click_tab, modal
from conftest_helpers import screenshot_dir, wait_idle
from panels.conftest import attach_general_rubric, build_world
from panels.test_workbooks import fill
from reviewtool.gui.panels.panel_page import PanelPage
from reviewtool.gui.panels.workbook_actions import ImportCheckDialog
from reviewtool.services.panels import assignment, draw, panel
from reviewtool.services.panels.invitations import confirm_all
from reviewtool.storage.models import ScoreSheet

pytestmark = pytest.mark.gui


def test_every_error_of_a_workbook_is_shown_before_importing(gui_ctx, qtbot, tmp_path):
    with gui_ctx.database.session() as s:
        w = build_world(s, n_apps=6, n_experts=12)
        attach_general_rubric(s, w.batch_id)
        panel_id, _c = panel.create_panel(s, w.batch_id, "第一组", actor="t")
        draw.draw_panel(s, panel_id, 5, seed="wb-gui", actor="t")
        confirm_all(s, panel_id, actor="t")  # the drawn experts accepted
        assignment.apply_assignment(s, panel_id, actor="t", per_application=3)
    page = PanelPage(gui_ctx)
    qtbot.addWidget(page)
    page.resize(1270, 680)
    page.show()
    wait_idle(qtbot, gui_ctx)
    qtbot.waitUntil(lambda: page.panel_combo.currentText() == "第一组", timeout=10000)
    click_tab(qtbot, page.tabs, 1)
    folder = tmp_path / "workbooks"
    folder.mkdir()
    answer_file_dialog(qtbot, str(folder))
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: len(list(folder.glob("*.xlsx"))) == 5, timeout=20000)
    wait_idle(qtbot, gui_ctx)
    good, bad = sorted(folder.glob("*.xlsx"))[:2]
    fill(good)

    def two_mistakes(ws, row, meta):
        for letter, what in meta["columns"].items():
            if what == "points:C1":
                ws[f"{letter}{row}"].value = 99  # over 15
            elif what == "points:C3":
                ws[f"{letter}{row}"].value = "十二"  # not a number

    fill(bad, tweak=two_mistakes)
    answer_file_dialog(qtbot, f'"{good}" "{bad}"')
    click(qtbot, page.import_button)
    check = modal(qtbot, ImportCheckDialog, timeout=20000)
    text = check.details.toPlainText()
    assert "1 个文件被拒" in check.summary.text() or "拒收" in text
    bad_lines = [line for line in text.splitlines() if bad.name in line or "C1" in line or "C3" in line]
    assert sum("C1" in line or "99" in line for line in bad_lines) >= 3  # every row's C1 …
    assert sum("十二" in line for line in bad_lines) >= 3  # … and every row's C3, not only the first error
    check.grab().save(str(screenshot_dir() / "panel_workbook_check.png"))
    with gui_ctx.database.session() as s:
        assert s.scalar(select(func.count(ScoreSheet.id))) == 0  # the check wrote nothing
    click(qtbot, check.import_button)
    wait_idle(qtbot, gui_ctx)
    qtbot.waitUntil(lambda: "已提交" in page.counts_label.text(), timeout=20000)
    with gui_ctx.database.session() as s:
        good_rows = sum(f.count("new") for f in check.report.files if f.ok)
        assert good_rows >= 3 and s.scalar(select(func.count(ScoreSheet.id))) == good_rows  # the good file's only


def test_an_older_workbook_is_applied_only_when_confirmed(gui_ctx, qtbot, tmp_path):
    import shutil

    from panels.test_workbooks import SCORES

    with gui_ctx.database.session() as s:
        w = build_world(s, n_apps=4, n_experts=10)
        attach_general_rubric(s, w.batch_id)
        panel_id, _c = panel.create_panel(s, w.batch_id, "第一组", actor="t")
        draw.draw_panel(s, panel_id, 4, seed="older", actor="t")
        confirm_all(s, panel_id, actor="t")  # the drawn experts accepted
        assignment.apply_assignment(s, panel_id, actor="t", per_application=3)
    page = PanelPage(gui_ctx)
    qtbot.addWidget(page)
    page.show()
    wait_idle(qtbot, gui_ctx)
    click_tab(qtbot, page.tabs, 1)
    folder = tmp_path / "wb"
    folder.mkdir()
    answer_file_dialog(qtbot, str(folder))
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: len(list(folder.glob("*.xlsx"))) == 4, timeout=20000)
    wait_idle(qtbot, gui_ctx)
    first = sorted(folder.glob("*.xlsx"))[0]
    older = tmp_path / "older.xlsx"
    shutil.copyfile(first, older)
    fill(first, scores={**SCORES, "C1": 9})
    answer_file_dialog(qtbot, f'"{first}"')
    click(qtbot, page.import_button)
    click(qtbot, modal(qtbot, ImportCheckDialog, timeout=20000).import_button)
    wait_idle(qtbot, gui_ctx)
    # A new export of the same expert, filled and imported: C1 is now 14.
    again = tmp_path / "again"
    again.mkdir()
    answer_file_dialog(qtbot, str(again))
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: len(list(again.glob("*.xlsx"))) == 4, timeout=20000)
    wait_idle(qtbot, gui_ctx)
    newer = again / first.name
    fill(newer, scores={**SCORES, "C1": 14})
    answer_file_dialog(qtbot, f'"{newer}"')
    click(qtbot, page.import_button)
    click(qtbot, modal(qtbot, ImportCheckDialog, timeout=20000).import_button)
    wait_idle(qtbot, gui_ctx)
    # The first export's workbook, filled late and sent again: importing it would revert C1 14 → 9.
    fill(older, scores={**SCORES, "C1": 9})
    answer_file_dialog(qtbot, f'"{older}"')
    click(qtbot, page.import_button)
    check = modal(qtbot, ImportCheckDialog, timeout=20000)
    assert check.accept_older.isVisible() and not check.accept_older.isChecked()
    check.grab().save(str(screenshot_dir() / "panel_workbook_older.png"))
    box = check.accept_older  # a click on its box (a wide check box takes clicks only on the box and its text)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    click(qtbot, check.import_button)
    wait_idle(qtbot, gui_ctx)
    with gui_ctx.database.session() as s:
        from reviewtool.storage.models import CriterionScore

        points = set(
            s.scalars(select(CriterionScore.points).join(ScoreSheet).where(CriterionScore.points.in_((9, 14))))
        )
        assert points == {9}
