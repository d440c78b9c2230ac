"""Rubric editor, score entry and the ranked view, driven through real widgets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from clicks import choose, click, click_into, click_row, click_tab, edit_cell, modal, press, retype, when_modal
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.core.enums import Opinion, SheetSource, SheetStatus
from reviewtool.gui.scoring.ranking_page import RankingPage
from reviewtool.gui.scoring.rubric_editor import RubricEditorDialog
from reviewtool.gui.scoring.score_entry import ScoreEntryWindow
from reviewtool.services.scoring import rubric_batches, rubrics
from reviewtool.services.scoring.results import result_row
from reviewtool.storage.models import Application, Expert, RubricVersion, ScoreSheet


def general_document(ctx) -> dict:
    with ctx.database.session() as s:
        return rubrics.spec_of_version(rubrics.get_version(s, "haidong-general")).as_dict()


def unscored_application_and_expert(ctx) -> tuple[int, int, str]:
    with ctx.database.session() as s:
        scored = select(ScoreSheet.application_id)
        candidates = s.scalars(select(Application).where(Application.id.not_in(scored)).order_by(Application.number))
        app = next(
            a for a in candidates if rubric_batches.select_rubric_version(s, a.id).rubric.code == "haidong-general"
        )
        expert = s.scalars(
            select(Expert).where(Expert.is_staff.is_(False), Expert.unit_id != app.unit_id).order_by(Expert.id)
        ).first()
        return app.id, expert.id, app.number


def test_rubric_editor_validates_live_and_saves_a_new_version(demo_ctx, qtbot):
    dialog = RubricEditorDialog(demo_ctx, general_document(demo_ctx))
    qtbot.addWidget(dialog)
    dialog.resize(1400, 900)  # wide enough that the bands table is in sight
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.save_button.isEnabled()
    assert dialog.criteria_list.count() == 8

    # Raise C8's maximum: the points no longer sum to 100 and its bands stop short.
    click_row(qtbot, dialog.criteria_list, 7)
    qtbot.waitUntil(lambda: dialog.c_id.text() == "C8")
    retype(qtbot, dialog.c_max, "6")
    qtbot.waitUntil(lambda: not dialog.save_button.isEnabled())
    problems = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    assert any("101" in p and "100" in p for p in problems), problems
    assert any("C8" in p for p in problems), problems
    dialog.grab().save(str(screenshot_dir() / "rubric_editor_problems.png"))

    # Put it back, then add a band that overlaps: refused by name.
    retype(qtbot, dialog.c_max, "5")
    qtbot.waitUntil(dialog.save_button.isEnabled)
    edit_cell(qtbot, dialog.bands_table, 0, 1, "4")  # 优 4–5 overlaps 良 4–4
    qtbot.waitUntil(lambda: not dialog.save_button.isEnabled())
    assert any("优" in dialog.problems.item(i).text() for i in range(dialog.problems.count()))
    edit_cell(qtbot, dialog.bands_table, 0, 1, "5")
    qtbot.waitUntil(dialog.save_button.isEnabled)

    # Retitle C8 by typing, move it up one place, and save.
    retype(qtbot, dialog.c_title, "进度安排、组织管理与风险应对")
    qtbot.mouseClick(dialog.up_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "进度安排、组织管理与风险应对" in dialog.preview.toPlainText())
    assert dialog.save_button.isEnabled()
    assert dialog.document()["criteria"][6]["id"] == "C8"
    click_tab(qtbot, dialog.right_tabs, 0)
    dialog.grab().save(str(screenshot_dir() / "rubric_editor.png"))
    with qtbot.waitSignal(dialog.saved, timeout=10000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    result = saved.args[0]
    assert result.created_version and result.version == 2  # v1 is used by the demo sheets
    wait_idle(qtbot, demo_ctx)
    with demo_ctx.database.session() as s:
        v2 = rubrics.get_version(s, "haidong-general")
        spec = rubrics.spec_of_version(v2)
        assert [c.key for c in spec.criteria][6] == "C8"
        assert spec.criterion("C8").title == "进度安排、组织管理与风险应对"
        v1 = s.scalar(select(RubricVersion).where(RubricVersion.rubric_id == v2.rubric_id, RubricVersion.number == 1))
        assert rubrics.spec_of_version(v1).criterion("C8").title == "进度安排与组织管理"


def test_score_entry_by_keyboard(demo_ctx, qtbot):
    app_id, expert_id, number = unscored_application_and_expert(demo_ctx)
    window = ScoreEntryWindow(demo_ctx, app_id, expert_id, transcribe=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: len(window.rows) == 8 and window.rows[-1].points.isVisible(), timeout=10000)
    assert number in window.header.text()
    assert window.side.count() == 3 and "HD-" in window.areas_view.toPlainText()

    window.grab().save(str(screenshot_dir() / "score_entry_start.png"))
    # Veto questions first: N answers "no"; Tab moves on.
    focus = window.focusWidget()
    assert focus is window.vetoes["V1"]
    for _key in window.vetoes:
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_N)
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    assert all(c.currentData() is False for c in window.vetoes.values())

    # Out of range: refused at once with the reason; the text stays as typed, marked, and keeps the focus.
    c1 = window.rows[0]
    assert window.focusWidget() is c1.points
    qtbot.keyClicks(c1.points, "16")
    assert c1.points.text() == "16" and c1.points.property("invalid") is True
    assert "0–15" in c1.message.text()
    qtbot.keyClick(c1.points, Qt.Key.Key_Tab)
    assert window.focusWidget() is c1.points
    qtbot.keyClick(c1.points, Qt.Key.Key_Backspace)
    qtbot.keyClick(c1.points, Qt.Key.Key_Backspace)

    points = ["13", "12", "11", "12", "8", "12", "8", "4"]
    for row, value in zip(window.rows, points, strict=True):
        assert window.focusWidget() is row.points, row.criterion.key
        qtbot.keyClicks(row.points, value)
        qtbot.keyClick(row.points, Qt.Key.Key_Tab)
    assert "80.00" in window.total_label.text()
    assert window.rows[0].bands.text().count("font-weight:bold") == 1  # the 优 band is highlighted
    # The opinion takes 1/2/3; the written opinion arrives through the input method.
    assert window.focusWidget() is window.opinion
    qtbot.keyClick(window.opinion, Qt.Key.Key_1)
    assert window.sheet_input().opinion == Opinion.RECOMMEND
    qtbot.keyClick(window.opinion, Qt.Key.Key_Tab)
    assert window.focusWidget() is window.written
    type_text(qtbot, window.written, "项目契合度高，技术路线可行，建议支持。")
    qtbot.waitUntil(window.submit_button.isEnabled)
    window.grab().save(str(screenshot_dir() / "score_entry.png"))

    with qtbot.waitSignal(window.saved, timeout=10000, check_params_cb=lambda r: r.status == SheetStatus.SUBMITTED):
        qtbot.keyClick(window.written, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, demo_ctx)
    with demo_ctx.database.session() as s:
        sheet = s.scalar(select(ScoreSheet).where(ScoreSheet.application_id == app_id))
        assert sheet.status == SheetStatus.SUBMITTED
        assert sheet.total == Decimal("80")
        assert sheet.source == SheetSource.PAPER and sheet.entered_by == "测试员"
        assert sheet.written_opinion == "项目契合度高，技术路线可行，建议支持。"
        result = result_row(s, app_id)
        assert result.sheet_count == 1 and result.final_score == Decimal("80")
    window.close()


def test_drafts_save_as_you_go(demo_ctx, qtbot):
    app_id, expert_id, _number = unscored_application_and_expert(demo_ctx)
    window = ScoreEntryWindow(demo_ctx, app_id, expert_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: len(window.rows) == 8, timeout=10000)
    click_into(qtbot, window.rows[0].points)
    qtbot.keyClicks(window.rows[0].points, "9")
    # No explicit save: the autosave timer writes the draft.
    qtbot.waitUntil(lambda: "草稿已保存" in window.state_label.text(), timeout=5000)
    with demo_ctx.database.session() as s:
        sheet = s.scalar(select(ScoreSheet).where(ScoreSheet.application_id == app_id))
        assert sheet.status == SheetStatus.DRAFT
        assert [sc.points for sc in sheet.scores] == [Decimal(9)]
    # Typing and closing at once still keeps what was typed.
    qtbot.keyClick(window.rows[0].points, Qt.Key.Key_Tab)
    qtbot.keyClicks(window.rows[1].points, "7")
    click(qtbot, window.close_button)
    qtbot.waitUntil(lambda: not window.isVisible())
    wait_idle(qtbot, demo_ctx)
    with demo_ctx.database.session() as s:
        sheet = s.scalar(select(ScoreSheet).where(ScoreSheet.application_id == app_id))
        assert sorted(sc.points for sc in sheet.scores) == [Decimal(7), Decimal(9)]


def test_ranking_page_shows_the_demo_ranking(demo_ctx, qtbot):
    page = RankingPage(demo_ctx)
    qtbot.addWidget(page)
    page.resize(1400, 700)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() > 40, timeout=10000)
    first = page.model.rows[0]
    assert first.position == 1 and first.recommended
    assert page.model.index(0, 6).data()  # the rule in force is shown
    assert "推荐" in page.summary.text() or "阈值" in page.summary.text()
    all_rows = page.model.rowCount()
    choose(qtbot, page.area, "HD-D1")
    qtbot.waitUntil(lambda: 0 < page.model.rowCount() < all_rows, timeout=10000)
    assert all(r.primary_area.startswith(("HD-I0", "HD-C1", "QH-")) for r in page.model.rows)
    page.grab().save(str(screenshot_dir() / "ranking_page.png"))
    wait_idle(qtbot, demo_ctx)


@pytest.mark.parametrize("value", ["abc", "-3"])
def test_points_field_refuses_non_numbers(demo_ctx, qtbot, value):
    app_id, expert_id, _number = unscored_application_and_expert(demo_ctx)
    window = ScoreEntryWindow(demo_ctx, app_id, expert_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: len(window.rows) == 8, timeout=10000)
    row = window.rows[2]
    click_into(qtbot, row.points)
    qtbot.keyClicks(row.points, value)
    # Refused, but kept as typed and marked (never silently rewritten into another number).
    assert row.points.text() == value and row.points.property("invalid") is True and row.value() is None
    # Closing asks (the entry cannot be saved); discarding closes the window.
    click(qtbot, window.close_button)
    box = modal(qtbot, QMessageBox)
    press(qtbot, box, QMessageBox.StandardButton.Discard)
    qtbot.waitUntil(lambda: not window.isVisible())
    wait_idle(qtbot, demo_ctx)


def test_rubrics_dialog_attaches_a_rubric_to_a_batch(demo_ctx, qtbot):
    from modal import answer_next
    from PySide6.QtWidgets import QDialogButtonBox

    from reviewtool.gui.scoring.ranking_page import AttachDialog, RubricsDialog
    from reviewtool.storage.models import Batch, BatchRubric, Rubric

    dialog = RubricsDialog(demo_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.list.count() == 3, timeout=10000)
    codes = [dialog.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(3)]
    click_row(qtbot, dialog.list, codes.index("haidong-platform-talent"))
    seen = {}

    def fill_and_click_ok(attach) -> None:
        seen["categories"] = attach.categories.text()
        type_text(qtbot, attach.areas, "HD-D2")
        seen["titles"] = attach.area_titles.text()
        ok = attach.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    answer = answer_next(qtbot, AttachDialog, then=fill_and_click_ok)
    with qtbot.waitSignal(demo_ctx.bus.changed, timeout=10000):
        qtbot.mouseClick(dialog.attach_button, Qt.MouseButton.LeftButton)
    assert answer.done
    assert "创新平台建设计划" in seen["categories"]
    assert seen["titles"] == "HD-D2 科技引领绿色农业发展"
    with demo_ctx.database.session() as s:
        batch = s.scalar(select(Batch))
        rubric = s.scalar(select(Rubric).where(Rubric.code == "haidong-platform-talent"))
        link = s.scalar(select(BatchRubric).where(BatchRubric.batch_id == batch.id, BatchRubric.rubric_id == rubric.id))
        assert "创新平台建设计划" in link.categories and link.area_codes == ["HD-D2"]
    dialog.close()


def test_locked_sheet_is_read_only_until_reopened_with_a_reason(demo_ctx, qtbot):
    from PySide6.QtWidgets import QDialogButtonBox, QInputDialog, QLineEdit

    from reviewtool.services.scoring import sheet_edits
    from reviewtool.storage.models import AuditEvent

    with demo_ctx.database.session() as s:
        sheet = s.scalars(
            select(ScoreSheet).where(ScoreSheet.status == SheetStatus.SUBMITTED, ScoreSheet.vetoed.is_(False))
        ).first()
        sheet_edits.set_sheet_locked(s, sheet.id, True, actor="组长", reason="专家组定稿")
        sheet_id, app_id, reviewer_id = sheet.id, sheet.application_id, sheet.reviewer_id
    window = ScoreEntryWindow(demo_ctx, app_id, reviewer_id)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.reopen_button.isVisible(), timeout=10000)
    first = window.rows[0]
    assert first.points.isReadOnly() and not window.save_button.isEnabled()

    def give_reason(asking: QInputDialog) -> None:
        type_text(qtbot, asking.findChild(QLineEdit), "专家更正笔误")
        ok = asking.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    asked = when_modal(qtbot, give_reason, QInputDialog)
    qtbot.mouseClick(window.reopen_button, Qt.MouseButton.LeftButton)
    assert asked
    qtbot.waitUntil(lambda: not first.points.isReadOnly(), timeout=10000)
    click_into(qtbot, first.points)
    qtbot.keyClick(first.points, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    old = first.points.text()
    new = "10" if old != "10" else "11"
    qtbot.keyClicks(first.points, new)
    with qtbot.waitSignal(window.saved, timeout=10000):
        qtbot.keyClick(first.points, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, demo_ctx)
    with demo_ctx.database.session() as s:
        actions = [
            e.action
            for e in s.scalars(select(AuditEvent).where(AuditEvent.entity_id == sheet_id).order_by(AuditEvent.id))
            if e.entity_type == "score_sheet"
        ]
        assert actions[-3:] == ["sheet.lock", "sheet.reopen", "sheet.edit_submitted"]
        last = s.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == sheet_id).order_by(AuditEvent.id.desc())
        ).first()
        key = window.rows[0].criterion.key
        assert last.details["changes"][f"points.{key}"] == {"old": old, "new": new}
    window.close()
