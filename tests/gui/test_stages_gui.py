"""The review stages in the window, driven by clicks and typing: the batch page's
评审阶段… list, a new stage, the promotion dialog (rule, preview, apply), the
final-score rule; the ranking and funding pages choosing the stage and
printing the rule in force. Screenshots in build/screenshots/."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from sqlalchemy import func, select

from clicks import retype
from conftest_helpers import screenshot_dir, type_text, wait_idle
from gui.modal import answer_next, modal_watchers  # noqa: F401 - autouse: no modal window left unanswered
from reviewtool.gui.batches.batch_page import BatchPage
from reviewtool.gui.funding.funding_page import FundingPage
from reviewtool.gui.panels.panel_page import PanelPage
from reviewtool.gui.scoring.ranking_page import COLUMNS, RankingPage
from reviewtool.gui.stages.promotion_dialog import PromotionDialog
from reviewtool.gui.stages.stages_dialog import StagesDialog
from reviewtool.storage.models import StageApplication
from stages.staged_world import meeting_stage, remote_stage

LEFT = Qt.MouseButton.LeftButton


def click(qtbot, widget) -> None:
    assert widget.isEnabled(), widget.text()
    qtbot.mouseClick(widget, LEFT)


def click_row(qtbot, view, row: int) -> None:
    rect = view.visualRect(view.model().index(row, 1))
    qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())


def row_of(view, text: str) -> int:
    model = view.model()
    for row in range(model.rowCount()):
        if text in model.index(row, 1).data():
            return row
    raise AssertionError(f"{text} not listed")


def choose(qtbot, combo, text: str) -> None:
    index = next(i for i in range(combo.count()) if text in combo.itemText(i))
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(index):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert text in combo.currentText()


def open_stages(qtbot, ctx) -> tuple[BatchPage, StagesDialog]:
    page = BatchPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 600)
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.show()
    click_row(qtbot, page.view, 0)
    click(qtbot, page.stages_button)
    qtbot.waitUntil(lambda: getattr(page, "stages_dialog", None) is not None and page.stages_dialog.isVisible())
    dialog = page.stages_dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() >= 3)
    wait_idle(qtbot, ctx)
    return page, dialog


def test_promotion_dialog_previews_then_applies_the_top_five(gui_ctx, qtbot):
    with gui_ctx.database.session() as s:
        world, _panel = remote_stage(s)
    page, dialog = open_stages(qtbot, gui_ctx)
    assert [dialog.model.index(r, 1).data() for r in range(3)] == ["形式审查", "网络评审（当前）", "会议评审"]

    click_row(qtbot, dialog.view, row_of(dialog.view, "网络评审"))
    click(qtbot, dialog.promote_button)
    qtbot.waitUntil(lambda: isinstance(getattr(dialog, "dialog", None), PromotionDialog) and dialog.dialog.isVisible())
    promote = dialog.dialog
    qtbot.waitUntil(lambda: promote.choices.count() == 12)
    assert not promote.apply_button.isEnabled(), "nothing to apply before a preview"

    retype(qtbot, promote.top, "5")
    assert promote.top.value() == 5
    click(qtbot, promote.preview_button)
    qtbot.waitUntil(lambda: promote.promoted.count() == 5)
    assert promote.not_promoted.count() == 7
    assert "5" in promote.rule_label.text() and "网络评审" in promote.rule_label.text()
    promote.grab().save(str(screenshot_dir() / "stages-promotion-dialog.png"))
    with gui_ctx.database.session() as s:
        assert s.scalar(select(func.count(StageApplication.id))) == 0, "a preview stores nothing"

    # Changing the rule asks for a new preview before anything can be applied.
    qtbot.keyClick(promote.top, Qt.Key.Key_Up)
    assert not promote.apply_button.isEnabled()
    qtbot.keyClick(promote.top, Qt.Key.Key_Down)
    click(qtbot, promote.preview_button)
    qtbot.waitUntil(lambda: promote.apply_button.isEnabled())
    click(qtbot, promote.apply_button)
    qtbot.waitUntil(lambda: not promote.isVisible())
    wait_idle(qtbot, gui_ctx)
    with gui_ctx.database.session() as s:
        assert s.scalar(select(func.count(StageApplication.id))) == 5
    meeting = row_of(dialog.view, "会议评审")
    qtbot.waitUntil(lambda: dialog.model.index(meeting, 5).data() == "5")
    assert "当前" in dialog.model.index(meeting, 1).data()
    dialog.grab().save(str(screenshot_dir() / "stages-list.png"))


def test_add_a_stage_and_state_a_weighted_final_score(gui_ctx, qtbot):
    with gui_ctx.database.session() as s:
        remote_stage(s)
    page, dialog = open_stages(qtbot, gui_ctx)

    click(qtbot, dialog.add_button)
    qtbot.waitUntil(lambda: getattr(dialog, "dialog", None) is not None and dialog.dialog.isVisible())
    add = dialog.dialog
    assert not add.ok.isEnabled()
    type_text(qtbot, add.name, "复审")
    click(qtbot, add.ok)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 4)
    assert dialog.model.index(3, 1).data() == "复审"

    click(qtbot, dialog.rule_button)
    qtbot.waitUntil(lambda: dialog.dialog is not add and dialog.dialog.isVisible())
    rule = dialog.dialog
    click(qtbot, rule.weighted)
    for name, value in (("网络评审", "40"), ("会议评审", "60")):
        retype(qtbot, rule.weights[name], value)
    click(qtbot, rule.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: "网络评审 × 40% + 会议评审 × 60%" in dialog.rule_label.text())
    qtbot.waitUntil(lambda: dialog.model.index(row_of(dialog.view, "会议评审"), 7).data() == "60%")

    # A rule that does not add up to 100 is refused, with the reason, and nothing changes.
    click(qtbot, dialog.rule_button)
    qtbot.waitUntil(lambda: dialog.dialog is not rule and dialog.dialog.isVisible())
    wrong = dialog.dialog
    retype(qtbot, wrong.weights["会议评审"], "50")
    click(qtbot, wrong.buttons.button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: "100" in wrong.error.text())
    assert wrong.isVisible()
    click(qtbot, wrong.buttons.button(QDialogButtonBox.StandardButton.Cancel))


def test_finalising_the_formal_stage_is_refused_while_applications_wait(gui_ctx, qtbot):
    with gui_ctx.database.session() as s:
        remote_stage(s)
    page, dialog = open_stages(qtbot, gui_ctx)
    click_row(qtbot, dialog.view, row_of(dialog.view, "形式审查"))
    error = answer_next(  # the OK button by role: its text is 确定 once Qt's own translation is installed
        qtbot, QMessageBox, then=lambda box: qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), LEFT)
    )
    click(qtbot, dialog.finalise_button)
    qtbot.waitUntil(lambda: getattr(dialog, "question", None) is not None and dialog.question.isVisible())
    click(qtbot, dialog.question.button(QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: error.done, timeout=10000)
    assert "等待形式审查" in error.texts[0] and "HD2026-001" in error.texts[0]
    assert QApplication.activeModalWidget() is dialog, "no other window left open"
    assert "已定稿" not in dialog.model.index(row_of(dialog.view, "形式审查"), 4).data()
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_ranking_and_funding_pages_choose_the_stage_and_print_the_rule(gui_ctx, qtbot):
    with gui_ctx.database.session() as s:
        world, _remote = remote_stage(s)
        preview, _meeting = meeting_stage(s, world)
    ranking = RankingPage(gui_ctx)
    qtbot.addWidget(ranking)
    ranking.resize(1280, 700)
    ranking.show()
    qtbot.waitUntil(lambda: ranking.stage.count() == 3 and ranking.model.rowCount() > 0)
    assert "会议评审" in ranking.stage.currentText(), "the current stage by default"
    assert ranking.model.rowCount() == 5 and "会议评审" in ranking.summary.text()

    choose(qtbot, ranking.stage, "网络评审")
    qtbot.waitUntil(lambda: ranking.model.rowCount() == 12)
    choose(qtbot, ranking.stage, "最终结果")
    qtbot.waitUntil(lambda: ranking.stage_id is None and ranking.model.rowCount() == 12)

    def flags() -> list[str]:
        return [ranking.model.index(r, COLUMNS.index("Flags")).data() for r in range(ranking.model.rowCount())]

    qtbot.waitUntil(lambda: sum("未晋级" in f for f in flags()) == 7)
    assert "最后" in ranking.summary.text()
    assert all("未晋级" not in f for f in flags()[:5]), "the five promoted rank first"
    qtbot.waitUntil(lambda: ranking.summary.height() >= ranking.summary.heightForWidth(ranking.summary.width()))
    ranking.grab().save(str(screenshot_dir() / "stages-final-ranking.png"))

    funding = FundingPage(gui_ctx)
    qtbot.addWidget(funding)
    funding.resize(1280, 700)
    funding.show()
    qtbot.waitUntil(lambda: funding.view is not None and funding.stage.count() == 2)
    assert "会议评审" in funding.stage.currentText() and "最后" in funding.summary.text()
    choose(qtbot, funding.stage, "网络评审")
    qtbot.waitUntil(lambda: funding.view is not None and funding.view.upto == "网络评审")
    funding.grab().save(str(screenshot_dir() / "stages-funding-page.png"))
    wait_idle(qtbot, gui_ctx)


def test_panel_page_shows_each_stage_with_its_own_panels_and_sheets(gui_ctx, qtbot):
    """The stage chooser on the 专家组 page: the current stage (会议评审) first, its panel
    with its 3 members and 5 applications; 网络评审 keeps its own panel, 4 members and 12."""
    with gui_ctx.database.session() as s:
        world, _remote = remote_stage(s)
        meeting_stage(s, world)
    page = PanelPage(gui_ctx)
    qtbot.addWidget(page)
    page.resize(1280, 700)
    with qtbot.waitSignal(page.loaded, timeout=10000):
        page.show()
    assert [page.stage_combo.itemText(i) for i in range(page.stage_combo.count())] == ["网络评审", "会议评审（当前）"]
    assert "会议评审" in page.stage_combo.currentText()
    assert page.panel_combo.currentText() == "会评组" and "5 个项目 · 3 位成员" in page.info.text()
    assert page.members_model.rowCount() == 3

    choose(qtbot, page.stage_combo, "网络评审")
    qtbot.waitUntil(lambda: page.panel_combo.currentText() == "网评组", timeout=10000)
    assert "12 个项目 · 4 位成员" in page.info.text() and page.members_model.rowCount() == 4
    assert not page.draw_button.isEnabled(), "网络评审 is finalised"

    choose(qtbot, page.stage_combo, "会议评审")
    qtbot.waitUntil(lambda: page.panel_combo.currentText() == "会评组", timeout=10000)
    assert page.members_model.rowCount() == 3
    page.grab().save(str(screenshot_dir() / "stages-panel-page.png"))
    wait_idle(qtbot, gui_ctx)


def test_a_rubric_is_attached_for_one_stage_only(demo_ctx, qtbot):
    """评分标准… → 用于批次: the 评审阶段 choice stores the rubric for 会议评审 alone."""
    from reviewtool.gui.scoring.ranking_page import AttachDialog, RubricsDialog
    from reviewtool.storage.models import BatchRubric, Rubric, Stage

    dialog = RubricsDialog(demo_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.list.count() == 3, timeout=10000)
    codes = [dialog.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(3)]
    wanted = dialog.list.item(codes.index("haidong-platform-talent"))
    qtbot.mouseClick(dialog.list.viewport(), LEFT, pos=dialog.list.visualItemRect(wanted).center())
    qtbot.waitUntil(lambda: dialog.list.currentItem() is wanted, timeout=10000)
    seen = {}

    def choose_the_meeting_stage(attach) -> None:
        seen["stages"] = [attach.stage.itemText(i) for i in range(attach.stage.count())]
        choose(qtbot, attach.stage, "会议评审")
        click(qtbot, attach.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))

    answer = answer_next(qtbot, AttachDialog, then=choose_the_meeting_stage)
    with qtbot.waitSignal(demo_ctx.bus.changed, timeout=10000):
        click(qtbot, dialog.attach_button)
    assert answer.done
    assert seen["stages"] == ["批次的全部阶段", "网络评审", "会议评审"]
    with demo_ctx.database.session() as s:
        rubric = s.scalar(select(Rubric).where(Rubric.code == "haidong-platform-talent"))
        link = s.scalar(select(BatchRubric).where(BatchRubric.rubric_id == rubric.id))
        assert s.get(Stage, link.stage_id).name == "会议评审"
    dialog.close()


def test_experts_see_their_earlier_sheets_only_once_ticked(gui_ctx, qtbot):
    """The batch's 专家可看到本人前一阶段的评审表: off by default; a click stores it, another clears it."""
    from reviewtool.services.stages.visibility import shows_earlier_sheets
    from reviewtool.storage.models import Batch

    with gui_ctx.database.session() as s:
        world, _remote = remote_stage(s)

    def stored() -> bool:
        with gui_ctx.database.session() as s:
            return shows_earlier_sheets(s.get(Batch, world.batch_id))

    page, dialog = open_stages(qtbot, gui_ctx)
    assert not dialog.show_earlier.isChecked() and not stored()
    click(qtbot, dialog.show_earlier)
    qtbot.waitUntil(stored, timeout=10000)
    wait_idle(qtbot, gui_ctx)
    assert dialog.show_earlier.isChecked()
    click(qtbot, dialog.show_earlier)
    qtbot.waitUntil(lambda: not stored(), timeout=10000)
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_reopening_a_finalised_stage_asks_for_the_reason_and_records_it(gui_ctx, qtbot):
    from PySide6.QtWidgets import QLineEdit

    from reviewtool.storage.models import AuditEvent

    with gui_ctx.database.session() as s:
        remote_stage(s)
    page, dialog = open_stages(qtbot, gui_ctx)
    remote = row_of(dialog.view, "网络评审")
    click_row(qtbot, dialog.view, remote)
    assert "已定稿" in dialog.model.index(remote, 4).data()
    assert not dialog.finalise_button.isEnabled()
    click(qtbot, dialog.reopen_button)
    qtbot.waitUntil(lambda: getattr(dialog, "question", None) is not None and dialog.question.isVisible())
    ask = dialog.question
    assert "网络评审" in ask.labelText()
    type_text(qtbot, ask.findChild(QLineEdit), "专家组长要求复核两份评审表")
    click(qtbot, ask.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: "已定稿" not in dialog.model.index(row_of(dialog.view, "网络评审"), 4).data())
    wait_idle(qtbot, gui_ctx)
    with gui_ctx.database.session() as s:
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "stage.reopen"))
        assert event is not None and "专家组长要求复核两份评审表" in str(event.details)
    click_row(qtbot, dialog.view, row_of(dialog.view, "网络评审"))
    assert dialog.finalise_button.isEnabled() and not dialog.reopen_button.isEnabled()
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
