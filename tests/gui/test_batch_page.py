"""The batch page (申报批次) clicked through as a clerk sets up a call: new
batch, a refused value shown in the form, edit, rubric, checklist, close and
reopen. Screenshots under build/screenshots/batches/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from sqlalchemy import select

from clicks import choose, click, click_row, modal, press, retype, row_of, when_modal
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.gui.batches.batch_dialog import BatchDialog
from reviewtool.gui.batches.batch_page import BatchPage
from reviewtool.gui.batches.rubric_dialog import BatchRubricDialog
from reviewtool.gui.intake.checklist_dialog import ChecklistDialog
from reviewtool.gui.widgets.reason_dialog import ReasonDialog
from reviewtool.services.scoring import rubric_batches
from reviewtool.storage.models import AuditEvent, Batch

pytestmark = pytest.mark.gui
NAME = "2026年海东市科技计划项目"


def shots():
    folder = screenshot_dir() / "batches"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(gui_ctx, qtbot):
    page = BatchPage(gui_ctx)  # a fresh database: no rubric installed yet, the shipped ones are offered
    qtbot.addWidget(page)
    page.resize(1240, 600)
    page.show()
    qtbot.waitUntil(lambda: "还没有申报批次" in page.hint.text(), timeout=10000)
    return page


def test_a_clerk_sets_up_a_batch_on_the_batch_page(page, gui_ctx, qtbot):
    assert not page.edit_button.isEnabled() and not page.close_button.isEnabled()
    page.grab().save(str(shots() / "01-empty.png"))

    click(qtbot, page.new_button)
    form = modal(qtbot, BatchDialog)
    type_text(qtbot, form.name, NAME)
    type_text(qtbot, form.deadline, "2026-03-31")
    type_text(qtbot, form.budget, "15OO")  # letters O for zeros: refused, naming the field
    retype(qtbot, form.threshold, "75")
    retype(qtbot, form.min_sheets, "4")
    click(qtbot, form.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: "经费预算（万元）" in form.error.text(), timeout=10000)
    assert form.isVisible() and form.name.text() == NAME  # nothing typed is lost
    form.grab().save(str(shots() / "02-refused.png"))
    retype(qtbot, form.budget, "1500")
    click(qtbot, form.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    assert [page.model.index(0, c).data() for c in range(10)] == [
        NAME, "开放", "2026", "2026-03-31", "1,500.00", "75", "4", "5", "20", "0",
    ]  # fmt: skip
    with gui_ctx.database.session() as s:
        batch = s.scalars(select(Batch)).one()
        assert (batch.budget, batch.threshold, batch.min_sheets) == (Decimal("1500"), Decimal("75"), 4)

    # Edit: double-click the row, change the pass mark; Esc with a change asks first.
    click_row(qtbot, page.view, 0, double=True)
    form = modal(qtbot, BatchDialog)
    assert form.threshold.text() == "75"
    retype(qtbot, form.threshold, "80")
    when_modal(qtbot, lambda box: press(qtbot, box, QMessageBox.StandardButton.Cancel), QMessageBox)
    qtbot.keyClick(form, Qt.Key.Key_Escape)
    assert form.isVisible() and form.threshold.text() == "80"
    click(qtbot, form.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.index(0, 5).data() == "80", timeout=10000)

    # The rubric and the checklist of the batch.
    click(qtbot, page.rubric_button)
    chooser = modal(qtbot, BatchRubricDialog)
    wait_idle(qtbot, gui_ctx)
    assert "尚未选择" in chooser.attached.item(0).text()
    choose(qtbot, chooser.rubric, "haidong-general")
    click(qtbot, chooser.use_button)
    qtbot.waitUntil(lambda: "haidong-general" in chooser.attached.item(0).text(), timeout=10000)
    chooser.grab().save(str(shots() / "03-rubric.png"))
    click(qtbot, chooser.close_button)
    qtbot.waitUntil(lambda: page.model.index(0, 11).data() not in ("", "尚未选择"), timeout=10000)

    click(qtbot, page.checklist_button)
    checklist = modal(qtbot, ChecklistDialog)
    qtbot.waitUntil(lambda: checklist.model.rowCount() > 0, timeout=10000)
    click(qtbot, checklist.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: not checklist.isVisible(), timeout=10000)

    # Close with a reason: nothing can be edited; reopen with a reason.
    click(qtbot, page.close_button)
    reason = modal(qtbot, ReasonDialog)
    type_text(qtbot, reason.text, "评审结束")
    click(qtbot, reason.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: page.model.index(0, 1).data() == "已关闭", timeout=10000)
    assert not page.edit_button.isEnabled() and page.close_button.text() == "重新开放批次…"
    page.grab().save(str(shots() / "04-closed.png"))
    click(qtbot, page.close_button)
    reason = modal(qtbot, ReasonDialog)
    type_text(qtbot, reason.text, "补录项目")
    click(qtbot, reason.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: page.model.index(0, 1).data() == "开放", timeout=10000)
    with gui_ctx.database.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "batch")).all()
        assert {"batch.create", "batch.edit", "batch.rubric", "batch.close", "batch.reopen"} <= set(actions)
        batch_id = s.scalars(select(Batch.id)).one()
        assert [r.rubric_code for r in rubric_batches.batch_rubrics(s, batch_id)] == ["haidong-general"]
    assert row_of(page.view, 0, NAME) == 0
    page.grab().save(str(shots() / "05-reopened.png"))


def test_the_batch_form_sets_what_an_import_checks(page, gui_ctx, qtbot):
    from clicks import check

    click(qtbot, page.new_button)
    form = modal(qtbot, BatchDialog)
    assert "100000" in form.money_ceiling.placeholderText() and not form.length_rule.isChecked()
    type_text(qtbot, form.name, NAME)
    type_text(qtbot, form.money_ceiling, "5OO")  # a letter O: refused, naming the field
    check(qtbot, form.length_rule)
    click(qtbot, form.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: "单项金额上限（万元）" in form.error.text(), timeout=10000)
    retype(qtbot, form.money_ceiling, "500")
    click(qtbot, form.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
    with gui_ctx.database.session() as s:
        assert s.scalars(select(Batch)).one().settings == {"money_ceiling": "500", "title_length_rule": True}

    click_row(qtbot, page.view, 0, double=True)
    form = modal(qtbot, BatchDialog)
    assert form.money_ceiling.text() == "500" and form.length_rule.isChecked()
    form.grab().save(str(shots() / "06-import-checks.png"))
    retype(qtbot, form.money_ceiling, "")  # empty: back to the default
    check(qtbot, form.length_rule, False)
    click(qtbot, form.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: not form.isVisible(), timeout=10000)
    with gui_ctx.database.session() as s:
        assert s.scalars(select(Batch)).one().settings == {}
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "batch.edit")).one()
        assert event.details == {
            "money_ceiling": {"old": "500", "new": "100000"},
            "title_length_rule": {"old": "warn", "new": "off"},
        }
