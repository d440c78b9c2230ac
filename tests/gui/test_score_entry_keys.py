"""Score entry typed with keys as a clerk transcribes a paper sheet: a refused
keystroke never stores a wrong score, the Tab order never changes, Enter
moves on, and 保存并录入下一份 opens the next sheet. Screenshots under
build/screenshots/score_entry/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from clicks import click, press, when_modal
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.core.enums import SheetSource, SheetStatus
from reviewtool.gui.scoring.score_entry import AUTOSAVE_MS, ScoreEntryWindow
from reviewtool.services.panels import assignment, membership, panel
from reviewtool.services.scoring import rubric_batches
from reviewtool.storage.models import Application, Batch, Expert, ScoreSheet

pytestmark = pytest.mark.gui
# The sheet of the issue, typed as the paper says (the 16 and the 7.5 are the typist's slips).
ISSUE_SEQUENCE = ["13", "16", "11", "12", "7.5", "12", "8", "6"]


def shots():
    folder = screenshot_dir() / "score_entry"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def general_targets(ctx, count: int):
    """``count`` unscored applications scored with the general rubric, and an expert of another unit."""
    with ctx.database.session() as s:
        scored = select(ScoreSheet.application_id)
        apps = [
            a
            for a in s.scalars(select(Application).where(Application.id.not_in(scored)).order_by(Application.number))
            if rubric_batches.select_rubric_version(s, a.id).rubric.code == "haidong-general"
        ]
        expert = s.scalars(select(Expert).where(Expert.is_staff.is_(False)).order_by(Expert.id)).first()
        apps = [a for a in apps if a.unit_id != expert.unit_id][:count]
        return [(a.id, a.number) for a in apps], expert.id


def open_window(ctx, qtbot, app_id, expert_id, *, transcribe=True) -> ScoreEntryWindow:
    window = ScoreEntryWindow(ctx, app_id, expert_id, transcribe=transcribe)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: len(window.rows) == 8 and window.rows[-1].points.isVisible(), timeout=10000)
    return window


def answer_vetoes(qtbot, window) -> None:
    for _key in window.vetoes:
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_N)
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)


def stored_points(ctx, app_id) -> dict[str, Decimal]:
    with ctx.database.session() as s:
        sheet = s.scalar(select(ScoreSheet).where(ScoreSheet.application_id == app_id))
        if sheet is None:
            return {}
        keys = {c.id: c.key for c in sheet.rubric_version.criteria}
        return {keys[sc.criterion_id]: sc.points for sc in sheet.scores}


def test_the_issue_sequence_stores_nothing_wrong(demo_ctx, qtbot):
    (target,), expert_id = general_targets(demo_ctx, 1)
    app_id = target[0]
    window = open_window(demo_ctx, qtbot, app_id, expert_id)
    # It fits a 1280×720 laptop (less the title bar and a taskbar): every button stays on the screen.
    screen = window.screen().availableGeometry()
    assert window.frameGeometry().height() <= screen.height()  # it opens within the screen's height
    assert window.minimumSizeHint().height() <= 720 - 32 - 40 and window.minimumSizeHint().width() <= 1280 - 8
    window.resize(1280 - 8, 720 - 32 - 40)
    qtbot.waitUntil(lambda: window.height() == 720 - 32 - 40)
    for button in (window.save_button, window.submit_button, window.next_button, window.close_button):
        corner = button.mapTo(window, button.rect().bottomRight())
        assert window.rect().contains(corner), button.text()
    answer_vetoes(qtbot, window)
    rows = window.rows
    # The typist types the paper sheet without looking up: a number, Tab, the next …
    for value in ISSUE_SEQUENCE:
        qtbot.keyClicks(window.focusWidget(), value)
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    window.grab().save(str(shots() / "01-refused-16.png"))
    # 16 is refused at once and stays as typed, marked, holding the focus: what followed piled up there,
    # visible, instead of landing one field off.
    assert window.focusWidget() is rows[1].points
    assert rows[1].points.text() == "1611127.51286"
    assert rows[1].points.property("invalid") is True
    assert "0–15" in rows[1].message.text() or "不是" in rows[1].message.text()
    assert [r.points.text() for r in rows[2:]] == [""] * 6
    # Clicking another field does not leave it either: the focus comes back to the invalid entry.
    qtbot.mouseClick(rows[4].points, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.focusWidget() is rows[1].points, timeout=5000)
    assert all(r.comment.text() == "" for r in rows)
    wait_idle(qtbot, demo_ctx)
    qtbot.wait(AUTOSAVE_MS + 200)  # a negative check: the autosave pause passes without saving the invalid field
    wait_idle(qtbot, demo_ctx)
    assert stored_points(demo_ctx, app_id) in ({}, {"C1": Decimal(13)})
    assert "未保存" in window.state_label.text()

    # The typist sees it, clears the field and types the sheet again from C2.
    qtbot.keyClick(rows[1].points, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(rows[1].points, Qt.Key.Key_Backspace)
    assert rows[1].points.property("invalid") is False
    for value in ISSUE_SEQUENCE[2:]:
        qtbot.keyClicks(window.focusWidget(), value)
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    # 11 went into C2, 12 into C3, and 7.5 (step 1) stopped in C4 with everything after it.
    assert [r.points.text() for r in rows[:4]] == ["13", "11", "12", "7.51286"]
    assert window.focusWidget() is rows[3].points and rows[3].points.property("invalid") is True
    window.grab().save(str(shots() / "02-refused-7.5.png"))
    # Backspace to "7." is still not a number; to "7" it is.
    for _ in range(5):
        qtbot.keyClick(rows[3].points, Qt.Key.Key_Backspace)
    assert rows[3].points.text() == "7." and rows[3].points.property("invalid") is True
    qtbot.keyClick(rows[3].points, Qt.Key.Key_Backspace)
    assert rows[3].points.property("invalid") is False
    # Enter moves on like Tab; C7's lowest band (2 of 10) needs a comment but does not add it to the order.
    for value in ("8", "6", "2", "4"):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return)
        qtbot.keyClicks(window.focusWidget(), value)
    assert [r.points.text() for r in rows] == ["13", "11", "12", "7", "8", "6", "2", "4"]
    assert window.focusWidget() is rows[7].points  # C8, not C7's comment
    assert "意见" in rows[6].message.text()
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    assert window.focusWidget() is window.opinion
    wait_idle(qtbot, demo_ctx)
    qtbot.waitUntil(lambda: "草稿已保存" in window.state_label.text(), timeout=5000)
    wait_idle(qtbot, demo_ctx)
    stored = stored_points(demo_ctx, app_id)
    typed = {r.criterion.key: Decimal(r.points.text()) for r in rows if r.points.text()}
    assert stored == typed  # exactly what is on screen, nothing shifted, nothing invalid
    window.close()


def test_tab_order_is_fixed_and_comments_are_reached_with_f6(demo_ctx, qtbot):
    (target,), expert_id = general_targets(demo_ctx, 1)
    window = open_window(demo_ctx, qtbot, target[0], expert_id)
    answer_vetoes(qtbot, window)
    rows = window.rows
    order_before = []
    widget = window.focusWidget()
    for _ in range(len(rows)):
        order_before.append(widget.objectName())
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        widget = window.focusWidget()
    assert order_before == [f"points_C{i}" for i in range(1, 9)]
    # Lowest bands everywhere (each needs a comment), then walk again: the same order.
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    for _ in range(7):
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert window.focusWidget() is rows[0].points
    for row in rows:
        qtbot.keyClicks(row.points, "1")
        qtbot.keyClick(row.points, Qt.Key.Key_Tab)
    assert window.focusWidget() is window.opinion
    assert all("需填写意见" in r.message.text() or "意见" in r.message.text() for r in rows[:7])
    # F6 opens the comment of the criterion being typed; Enter goes on to the next criterion's points.
    qtbot.mouseClick(rows[2].points, Qt.MouseButton.LeftButton)
    qtbot.keyClick(rows[2].points, Qt.Key.Key_F6)
    assert window.focusWidget() is rows[2].comment
    type_text(qtbot, rows[2].comment, "内容空泛")
    qtbot.keyClick(rows[2].comment, Qt.Key.Key_Return)
    assert window.focusWidget() is rows[3].points
    window.grab().save(str(shots() / "03-comments.png"))
    window.close()


def test_save_and_next_sheet_keeps_the_expert_and_the_transcription_choice(demo_ctx, qtbot):
    targets, expert_id = general_targets(demo_ctx, 2)
    (first_id, first_number), (second_id, second_number) = targets
    with demo_ctx.database.session() as s:
        batch_id = s.scalars(select(Batch.id)).one()
        panel_id = panel.find_panel(s, batch_id).id  # the demo's panel
        if expert_id not in panel.active_member_ids(s, panel.get_panel(s, panel_id)):
            membership.add_member(s, panel_id, expert_id, "誊录", actor="tester")
        for app_id in (first_id, second_id):
            assignment.add_assignment(s, panel_id, app_id, expert_id, actor="tester")
    window = open_window(demo_ctx, qtbot, first_id, expert_id, transcribe=True)
    answer_vetoes(qtbot, window)
    for value in ("13", "12", "11", "12", "8", "12", "8", "4"):
        qtbot.keyClicks(window.focusWidget(), value)
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Tab)
    qtbot.keyClick(window.opinion, Qt.Key.Key_1)
    qtbot.keyClick(window.opinion, Qt.Key.Key_Tab)
    type_text(qtbot, window.written, "建议支持。")
    qtbot.waitUntil(window.submit_button.isEnabled)
    with qtbot.waitSignal(window.next_opened, timeout=15000) as opened:
        click(qtbot, window.next_button)
    following = opened.args[0]
    qtbot.addWidget(following)
    qtbot.waitUntil(lambda: len(following.rows) == 8, timeout=10000)
    assert second_number in following.header.text() and following.reviewer_id == expert_id
    assert following.transcribe.isChecked()
    assert not window.isVisible()
    following.grab().save(str(shots() / "04-next-sheet.png"))
    with demo_ctx.database.session() as s:
        sheet = s.scalar(
            select(ScoreSheet).where(ScoreSheet.application_id == first_id, ScoreSheet.reviewer_id == expert_id)
        )
        assert sheet.status is SheetStatus.SUBMITTED and sheet.source is SheetSource.PAPER
        assert sheet.total == Decimal(80)
    # The last sheet of the expert: nothing left, the window says so and stays.
    answer_vetoes(qtbot, following)
    for value in ("9", "9", "9", "9", "6", "9", "6", "4"):
        qtbot.keyClicks(following.focusWidget(), value)
        qtbot.keyClick(following.focusWidget(), Qt.Key.Key_Return)
    qtbot.keyClick(following.opinion, Qt.Key.Key_2)
    when_modal(qtbot, lambda box: press(qtbot, box, QMessageBox.StandardButton.Yes), QMessageBox)
    click(qtbot, following.next_button)  # no written opinion: kept as a draft after asking
    wait_idle(qtbot, demo_ctx)
    qtbot.waitUntil(lambda: "没有" in following.state_label.text(), timeout=10000)
    assert following.isVisible() and following.next_window is None
    with demo_ctx.database.session() as s:
        sheet = s.scalar(select(ScoreSheet).where(ScoreSheet.application_id == second_id))
        assert sheet.status is SheetStatus.DRAFT
    following.close()
    assert QApplication.activeModalWidget() is None


def test_an_invalid_edit_never_overwrites_what_is_stored(demo_ctx, qtbot):
    (target,), expert_id = general_targets(demo_ctx, 1)
    app_id = target[0]
    window = open_window(demo_ctx, qtbot, app_id, expert_id)
    answer_vetoes(qtbot, window)
    c1 = window.rows[0]
    qtbot.keyClicks(c1.points, "12")
    qtbot.waitUntil(lambda: stored_points(demo_ctx, app_id) == {"C1": Decimal(12)}, timeout=5000)
    qtbot.keyClick(c1.points, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(c1.points, "16")
    assert c1.points.text() == "16" and c1.value() is None
    # Ctrl+S refuses with the reason; the autosave pause passes; the 12 stays stored.
    qtbot.keyClick(c1.points, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert "未保存" in window.state_label.text()
    qtbot.wait(AUTOSAVE_MS + 400)  # a negative check needs the autosave pause to pass: a save now would store C1 empty
    wait_idle(qtbot, demo_ctx)
    assert stored_points(demo_ctx, app_id) == {"C1": Decimal(12)}
    # Closing asks (the entry cannot be saved); 取消 goes back to the field.
    when_modal(qtbot, lambda box: press(qtbot, box, QMessageBox.StandardButton.Cancel), QMessageBox)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.focusWidget() is c1.points, timeout=5000)
    assert window.isVisible()
    when_modal(qtbot, lambda box: press(qtbot, box, QMessageBox.StandardButton.Discard), QMessageBox)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    wait_idle(qtbot, demo_ctx)
    assert stored_points(demo_ctx, app_id) == {"C1": Decimal(12)}
