"""Cancel, Esc and the close button never throw typed data away without
asking (保存 / 放弃 / 取消), and do not ask when nothing changed: the
application form, the expert dialog and the rubric editor."""

from __future__ import annotations

import pytest
from modal import answer_next, keep, modal_watchers  # noqa: F401 - the fixture, autouse
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from sqlalchemy import func, select

from clicks import click_tab
from conftest_helpers import type_text, wait_idle
from reviewtool.gui.experts.expert_dialog import ExpertDialog
from reviewtool.gui.intake.application_form import ApplicationFormDialog
from reviewtool.gui.scoring.rubric_editor import RubricEditorDialog
from reviewtool.storage.models import Application, Batch, Expert, RubricVersion


def count(ctx, model) -> int:
    with ctx.database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def batch_id(gui_ctx):
    with gui_ctx.database.session() as session:
        batch = Batch(name="2025年海东市科技计划项目", year=2025)
        session.add(batch)
        session.flush()
        return batch.id


def open_form(ctx, qtbot, **kwargs) -> ApplicationFormDialog:
    dialog = ApplicationFormDialog(ctx, **kwargs)
    keep(qtbot, dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    wait_idle(qtbot, ctx)
    return dialog


def cancel_button(dialog) -> object:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)


def test_the_form_closes_without_asking_when_nothing_changed(gui_ctx, qtbot, batch_id):
    dialog = open_form(gui_ctx, qtbot, batch_id=batch_id)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.unsaved.question is None


def test_the_form_asks_before_esc_or_cancel_discards_what_was_typed(gui_ctx, qtbot, batch_id):
    dialog = open_form(gui_ctx, qtbot, batch_id=batch_id)
    type_text(qtbot, dialog.edits["title"], "高原牦牛高效养殖与牛肉精深加工技术研发")

    # Esc, then 取消: back to the form, the title still there.
    answer = answer_next(qtbot, click="取消")
    qtbot.keyClick(dialog.edits["title"], Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: answer.done)
    assert answer.texts == ["有尚未保存的修改。"]
    assert dialog.isVisible()
    assert dialog.edits["title"].text() == "高原牦牛高效养殖与牛肉精深加工技术研发"

    # 取消 (the dialog's button), then 放弃: closed, nothing stored.
    answer = answer_next(qtbot, click="放弃")
    qtbot.mouseClick(cancel_button(dialog), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answer.done)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert count(gui_ctx, Application) == 0


def test_save_in_the_question_saves_the_application(gui_ctx, qtbot, batch_id):
    dialog = open_form(gui_ctx, qtbot, batch_id=batch_id)
    type_text(qtbot, dialog.edits["title"], "食用百合繁殖及高产栽培技术示范")
    type_text(qtbot, dialog.edits["unit_name"], "海东市乐都区农业技术推广中心")
    click_tab(qtbot, dialog.tabs, 1)
    type_text(qtbot, dialog.edits["pi_name"], "李明")
    click_tab(qtbot, dialog.tabs, 2)
    type_text(qtbot, dialog.edits["requested_amount"], "20")
    answer = answer_next(qtbot, click="保存")
    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=10000):
        dialog.close()  # the window's close button
    assert answer.done
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == QDialog.DialogCode.Accepted
    with gui_ctx.database.session() as session:
        assert session.scalar(select(Application.title)) == "食用百合繁殖及高产栽培技术示范"


def test_an_invalid_form_saved_from_the_question_stays_open(gui_ctx, qtbot, batch_id):
    dialog = open_form(gui_ctx, qtbot, batch_id=batch_id)
    type_text(qtbot, dialog.edits["title"], "只有标题")
    answer = answer_next(qtbot, click="保存")
    qtbot.keyClick(dialog.edits["title"], Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: answer.done)
    wait_idle(qtbot, gui_ctx)
    assert dialog.isVisible() and "unit_name" in dialog.problems
    assert count(gui_ctx, Application) == 0
    answer = answer_next(qtbot, click="放弃")
    dialog.close()
    assert answer.done and not dialog.isVisible()


def test_editing_an_application_and_undoing_the_edit_does_not_ask(demo_ctx, qtbot):
    dialog = open_form(demo_ctx, qtbot, application_id=1)
    title = dialog.edits["title"]
    original = title.text()
    type_text(qtbot, title, "X")
    qtbot.keyClick(title, Qt.Key.Key_Backspace)
    assert title.text() == original
    qtbot.keyClick(title, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_expert_dialog_asks_before_discarding(gui_ctx, qtbot):
    dialog = ExpertDialog(None)
    keep(qtbot, dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)  # nothing typed: closes at once
    assert not dialog.isVisible()

    dialog = ExpertDialog(None)
    keep(qtbot, dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    type_text(qtbot, dialog.name, "马新")
    answer = answer_next(qtbot, click="取消")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answer.done)
    assert dialog.isVisible() and dialog.name.text() == "马新"
    answer = answer_next(qtbot, click="放弃")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: answer.done)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_the_expert_pool_saves_from_the_question(gui_ctx, qtbot):
    from reviewtool.gui.experts.pool_page import ExpertPoolPage

    page = ExpertPoolPage(gui_ctx)
    qtbot.addWidget(page)
    page.show()
    wait_idle(qtbot, gui_ctx)

    def type_then_press_esc(dialog) -> None:
        type_text(qtbot, dialog.name, "马新")
        answer_next(qtbot, click="保存")
        qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)

    opened = answer_next(qtbot, ExpertDialog, then=type_then_press_esc)
    with qtbot.waitSignal(gui_ctx.bus.changed, timeout=10000):
        qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    assert opened.done
    with gui_ctx.database.session() as session:
        assert session.scalar(select(Expert.name)) == "马新"


def test_the_rubric_editor_asks_before_discarding(gui_ctx, qtbot):
    dialog = RubricEditorDialog(gui_ctx)
    keep(qtbot, dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    wait_idle(qtbot, gui_ctx)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)  # nothing changed
    assert not dialog.isVisible()

    dialog = RubricEditorDialog(gui_ctx)
    keep(qtbot, dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    wait_idle(qtbot, gui_ctx)
    rubrics_before = count(gui_ctx, RubricVersion)
    type_text(qtbot, dialog.name, "测试评分标准")
    answer = answer_next(qtbot, click="取消")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: answer.done)
    assert answer.seen == ["评分标准编辑器"]
    assert dialog.isVisible() and dialog.name.text() == "测试评分标准"
    answer = answer_next(qtbot, click="放弃")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: answer.done)
    assert not dialog.isVisible()
    assert count(gui_ctx, RubricVersion) == rubrics_before
