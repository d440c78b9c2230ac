"""总预算 follows 申请 + 自筹 as the clerk types them in the application form,
so changing either no longer leaves Save disabled until the total is
retyped; a total typed by hand that differs stays, and is reported."""

from __future__ import annotations

from decimal import Decimal

from modal import answer_next, keep, modal_watchers  # noqa: F401 - the fixture, autouse
from PySide6.QtCore import Qt

from clicks import click_tab
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.gui.intake.application_form import ApplicationFormDialog
from reviewtool.storage.models import Application


def retype(qtbot, edit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    type_text(qtbot, edit, text)


def open_form(ctx, qtbot, **kwargs) -> ApplicationFormDialog:
    dialog = ApplicationFormDialog(ctx, **kwargs)
    keep(qtbot, dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    wait_idle(qtbot, ctx)
    click_tab(qtbot, dialog.tabs, 2)  # 经费
    return dialog


def test_changing_the_requested_amount_recomputes_the_total_and_saves(demo_ctx, qtbot):
    dialog = open_form(demo_ctx, qtbot, application_id=1)
    edits = dialog.edits
    assert (edits["requested_amount"].text(), edits["self_funding"].text(), edits["total_budget"].text()) == (
        "60",
        "36",
        "96",
    )
    retype(qtbot, edits["requested_amount"], "70")
    assert edits["total_budget"].text() == "106"
    retype(qtbot, edits["self_funding"], "30.5")
    assert edits["total_budget"].text() == "100.5"
    assert dialog.problems == {} and dialog.save_button.isEnabled()
    dialog.grab().save(str(screenshot_dir() / "intake_form_budget_follows.png"))
    with qtbot.waitSignal(demo_ctx.bus.changed, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with demo_ctx.database.session() as session:
        application = session.get(Application, 1)
        assert (application.requested_amount, application.self_funding, application.total_budget) == (
            Decimal("70"),
            Decimal("30.5"),
            Decimal("100.5"),
        )


def test_a_new_form_fills_the_total_as_the_amounts_are_typed(demo_ctx, qtbot):
    dialog = open_form(demo_ctx, qtbot, batch_id=1)
    edits = dialog.edits
    type_text(qtbot, edits["requested_amount"], "60")
    assert edits["total_budget"].text() == "60"
    type_text(qtbot, edits["self_funding"], "40")
    assert edits["total_budget"].text() == "100"
    assert "total_budget" not in dialog.problems
    close_discarding(qtbot, dialog)


def test_a_total_typed_by_hand_stays_and_is_reported(demo_ctx, qtbot):
    dialog = open_form(demo_ctx, qtbot, application_id=1)
    edits = dialog.edits
    retype(qtbot, edits["total_budget"], "120")
    assert "total_budget" in dialog.problems and not dialog.save_button.isEnabled()
    retype(qtbot, edits["self_funding"], "50")  # 60 + 50 is not 120: the typed total stays
    assert edits["total_budget"].text() == "120"
    assert "total_budget" in dialog.problems
    retype(qtbot, edits["self_funding"], "60")  # now it adds up
    assert edits["total_budget"].text() == "120"
    assert dialog.problems == {} and dialog.save_button.isEnabled()
    close_discarding(qtbot, dialog)


def close_discarding(qtbot, dialog) -> None:
    answer = answer_next(qtbot, click="放弃")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: answer.done and not dialog.isVisible())


def test_saving_a_demo_application_keeps_its_budget_lines(demo_ctx, qtbot):
    """The demo data's budget lines use the import's keys (设备, 差旅会议 …), so the form shows them and
    saving writes them back instead of dropping them."""
    dialog = open_form(demo_ctx, qtbot, application_id=1)
    edits = dialog.edits
    assert [edits[f"budget:{line}"].text() for line in ("设备", "材料", "差旅会议", "人员", "管理费")] == [
        "18.00", "32.00", "6.00", "26.00", "6.00",
    ]  # fmt: skip
    retype(qtbot, edits["budget:材料"], "30")
    assert dialog.problems == {}
    with qtbot.waitSignal(demo_ctx.bus.changed, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with demo_ctx.database.session() as session:
        assert session.get(Application, 1).budget_lines == {
            "设备": "18", "材料": "30", "测试": "8", "差旅会议": "6", "人员": "26", "管理费": "6",
        }  # fmt: skip


def test_budget_lines_under_other_keys_are_shown_and_kept(demo_ctx, qtbot):
    """A database filled before the demo data used the import's keys holds 设备费, 差旅会议费 …: the form
    shows such lines under their own names and saving keeps them."""
    with demo_ctx.database.session() as session:
        session.get(Application, 1).budget_lines = {"设备费": "18.00", "差旅会议费": "6.00", "材料": "32"}
    dialog = open_form(demo_ctx, qtbot, application_id=1)
    edits = dialog.edits
    assert (edits["budget:设备费"].text(), edits["budget:差旅会议费"].text(), edits["budget:材料"].text()) == (
        "18.00", "6.00", "32",
    )  # fmt: skip
    assert edits["budget:设备费"].isVisible() and edits["budget:设备"].text() == ""
    retype(qtbot, edits["budget:差旅会议费"], "7")
    with qtbot.waitSignal(demo_ctx.bus.changed, timeout=10000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    with demo_ctx.database.session() as session:
        assert session.get(Application, 1).budget_lines == {"设备费": "18", "差旅会议费": "7", "材料": "32"}
