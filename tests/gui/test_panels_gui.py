"""The expert pool and panel screens driven through their real widgets,
with screenshots saved for a person to look at."""

from __future__ import annotations

import pytest
from modal import FileChooser
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from sqlalchemy import func, select, update

from clicks import check, choose, click, click_row, click_tab, modal, press, retype, row_of, when_modal
from conftest_helpers import screenshot_dir, type_text, wait_idle
from panels.conftest import BATCH, attach_general_rubric, build_world
from panels.test_workbooks import SCORES, fill
from reviewtool.core.enums import ExpertStatus
from reviewtool.gui.experts.expert_dialog import ExpertDialog
from reviewtool.gui.experts.pool_page import ExpertPoolPage
from reviewtool.gui.panels.dialogs import AddReviewerDialog, AssignmentDialog, DrawDialog, NewPanelDialog, VoteDialog
from reviewtool.gui.panels.panel_page import PanelPage
from reviewtool.gui.panels.workbook_actions import ImportCheckDialog
from reviewtool.gui.widgets.reason_dialog import ReasonDialog
from reviewtool.services.panels import panel
from reviewtool.storage.models import Assignment, AvoidRequest, Expert, ScoreSheet

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def no_error_boxes(monkeypatch):
    """An error box would block the test: record it and fail instead."""
    errors = []

    def warning(parent, title, text, *args, **kwargs):
        errors.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    yield errors
    assert errors == []


@pytest.fixture
def world_ctx(gui_ctx):
    with gui_ctx.database.session() as s:
        w = build_world(s, n_apps=10, n_experts=14)
        attach_general_rubric(s, w.batch_id)
    return gui_ctx, w


def give_reason(qtbot, text):
    """Answer a ReasonDialog (run with ``exec()``): type the reason, click OK."""

    def answer(dialog):
        assert isinstance(dialog, ReasonDialog)
        type_text(qtbot, dialog.text, text)
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))

    return answer


def test_expert_pool_page_create_and_suspend(world_ctx, qtbot):
    ctx, w = world_ctx
    page = ExpertPoolPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 14
    assert "手机" not in [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]

    click(qtbot, page.new_button)  # 新增专家…: the dialog opens with open(), saved when accepted
    dialog = modal(qtbot, ExpertDialog)
    type_text(qtbot, dialog.name, "马新")
    type_text(qtbot, dialog.unit, "青海大学")
    type_text(qtbot, dialog.areas, "HD-I05")
    type_text(qtbot, dialog.phone, "13912345678")
    choose(qtbot, dialog.relation_kind, dialog.relation_kind.itemData(0))
    type_text(qtbot, dialog.relation_target, "海东市某公司")
    qtbot.mouseClick(dialog.add_relation_button, Qt.MouseButton.LeftButton)
    dialog.grab().save(str(screenshot_dir() / "expert_dialog.png"))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 15)
    with ctx.database.session() as s:
        expert = s.scalar(select(Expert).where(Expert.name == "马新"))
        assert expert.phone == "13912345678" and len(expert.relations) == 1

    click_row(qtbot, page.view, row_of(page.view, 0, "马新"))
    answered = when_modal(qtbot, give_reason(qtbot, "身体原因"), ReasonDialog)
    qtbot.mouseClick(page.status_button, Qt.MouseButton.LeftButton)
    assert answered
    wait_idle(qtbot, ctx)
    with ctx.database.session() as s:
        assert s.scalar(select(Expert.status).where(Expert.name == "马新")) is ExpertStatus.SUSPENDED
    check(qtbot, page.show_contact)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.model.columnCount() == 9)
    page.grab().save(str(screenshot_dir() / "expert_pool_page.png"))


def test_panel_page_draw_assign_workbooks_finalise(world_ctx, qtbot, tmp_path, no_error_boxes, monkeypatch):
    ctx, w = world_ctx
    with ctx.database.session() as s:
        panel.create_panel(s, BATCH, "第一组", actor="t")
    page = PanelPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    wait_idle(qtbot, ctx)
    assert page.panel_combo.currentText() == "第一组"
    assert page.draw_button.isEnabled()

    click(qtbot, page.draw_button)
    draw = modal(qtbot, DrawDialog)
    wait_idle(qtbot, ctx)
    reasons = {draw.excluded_model.index(r, 0).data(): draw.excluded_model.index(r, 1).data()
               for r in range(draw.excluded_model.rowCount())}  # fmt: skip
    assert "与申报单位同单位" in reasons["专家01"]
    click_row(qtbot, draw.eligible_view, row_of(draw.eligible_view, 0, "专家14"))
    answered = when_modal(qtbot, give_reason(qtbot, "近期与申报单位合作"), ReasonDialog, after=draw)
    qtbot.mouseClick(draw.exclude_button, Qt.MouseButton.LeftButton)
    assert answered
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: draw.excluded_model.rowCount() == 7)
    reasons = {
        draw.excluded_model.index(r, 0).data(): draw.excluded_model.index(r, 1).data()
        for r in range(draw.excluded_model.rowCount())
    }
    assert "工作人员排除：近期与申报单位合作" in reasons["专家14"]
    with ctx.database.session() as s:
        s.execute(update(Expert).where(Expert.name == "专家01").values(unit_id=None))
    # The dialog has no reload button: close it and open it again from the page.
    click(qtbot, draw.close_button)
    qtbot.waitUntil(lambda: not draw.isVisible())
    click(qtbot, page.draw_button)
    draw = modal(qtbot, DrawDialog)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: draw.excluded_model.rowCount() > 0)
    excluded = [draw.excluded_model.index(r, 0).data() for r in range(draw.excluded_model.rowCount())]
    assert "专家01" not in excluded and "专家14" in excluded  # read afresh: 专家01 has no unit now
    retype(qtbot, draw.size, "7")
    type_text(qtbot, draw.seed, "gui-seed")
    qtbot.mouseClick(draw.draw_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert "gui-seed" in draw.result.text()
    draw.grab().save(str(screenshot_dir() / "panel_draw_dialog.png"))
    click(qtbot, draw.close_button)
    qtbot.waitUntil(lambda: page.members_model.rowCount() == 7)
    assert "专家" in page.pending_label.text()  # the drawn experts await confirmation
    answered = when_modal(qtbot, lambda d: click(qtbot, d.buttons.button(QDialogButtonBox.StandardButton.Ok)))
    qtbot.mouseClick(page.confirm_all_button, Qt.MouseButton.LeftButton)  # every one accepted by phone today
    assert answered
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.pending_label.text() == "")

    click(qtbot, page.assign_button)
    assign = modal(qtbot, AssignmentDialog)
    retype(qtbot, assign.per_application, "5")
    retype(qtbot, assign.max_load, "8")
    qtbot.mouseClick(assign.preview_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert assign.apply_button.isEnabled()
    assign.grab().save(str(screenshot_dir() / "panel_assignment_preview.png"))
    with ctx.database.session() as s:
        assert s.scalar(select(func.count(Assignment.id))) == 0  # preview stored nothing
    qtbot.mouseClick(assign.apply_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    click(qtbot, assign.close_button)
    with ctx.database.session() as s:
        assert s.scalar(select(func.count(Assignment.id))) == 50
    qtbot.waitUntil(lambda: page.sheets_model.rowCount() == 50)
    assert "未交：50" in page.counts_label.text()

    # a manual reviewer in conflict is refused with the reason
    with ctx.database.session() as s:
        app = w.apps["HD2026-003"]
        on_it = set(s.scalars(select(Assignment.expert_id).where(Assignment.application_id == app)))
        member = next(e for e in panel.active_member_ids(s, panel.find_panel(s, BATCH)) if e not in on_it)
        s.add(AvoidRequest(application_id=app, expert_id=member, expert_name="x"))
    click_tab(qtbot, page.tabs, 1)
    click(qtbot, page.add_reviewer_button)  # 手工指派… (crashed on checked=False before)
    dialog = modal(qtbot, AddReviewerDialog)
    choose(qtbot, dialog.application, app)
    choose(qtbot, dialog.member, member)
    click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
    wait_idle(qtbot, ctx)
    assert len(no_error_boxes) == 1 and "申请人要求回避" in no_error_boxes.pop()

    (tmp_path / "wb").mkdir()
    chooser = FileChooser(monkeypatch, answer=tmp_path / "wb")  # the folder picked in the desktop's chooser
    click(qtbot, page.export_button)
    assert [asked[0] for asked in chooser.asked] == ["getExistingDirectory"]
    wait_idle(qtbot, ctx)
    files = sorted((tmp_path / "wb").glob("*.xlsx"))
    assert len(files) == 7
    for i, f in enumerate(files[:6]):
        fill(f, scores={**SCORES, "C2": SCORES["C2"] - i % 3, "C3": SCORES["C3"] - 2 * (i % 2)})
    chooser.answer = files  # all seven picked; the check lists them, then 导入
    click(qtbot, page.import_button)
    check_dialog = modal(qtbot, ImportCheckDialog)
    click(qtbot, check_dialog.import_button)
    wait_idle(qtbot, ctx)
    with ctx.database.session() as s:
        assert s.scalar(select(func.count(ScoreSheet.id))) == sum(
            1
            for _ in s.scalars(
                select(Assignment.id).where(Assignment.expert_id != int(files[6].stem.rsplit("_", 1)[1]))
            )
        )
    qtbot.waitUntil(lambda: "已提交" in page.counts_label.text())
    click_tab(qtbot, page.tabs, 1)
    page.grab().save(str(screenshot_dir() / "panel_sheet_status.png"))

    answered = when_modal(qtbot, lambda box: press(qtbot, box, QMessageBox.StandardButton.Yes), QMessageBox)
    qtbot.mouseClick(page.finalise_button, Qt.MouseButton.LeftButton)
    assert answered
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.reopen_button.isEnabled())
    with ctx.database.session() as s:
        assert all(sh.locked for sh in s.scalars(select(ScoreSheet)))
    click_tab(qtbot, page.tabs, 3)
    page.grab().save(str(screenshot_dir() / "panel_calibration.png"))
    assert page.results_model.rowCount() == 10

    answered = when_modal(qtbot, give_reason(qtbot, "补充评审意见"), ReasonDialog)
    qtbot.mouseClick(page.reopen_button, Qt.MouseButton.LeftButton)
    assert answered
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.finalise_button.isEnabled())
    members = [(m.expert_id, m.name) for m in page.snapshot.members]
    click_tab(qtbot, page.tabs, 2)
    for index, choice in enumerate(["for", "for", "against", "abstain"]):
        click(qtbot, page.vote_button)  # 记录投票… (crashed on checked=False before)
        vote = modal(qtbot, VoteDialog)
        choose(qtbot, vote.application, w.apps["HD2026-001"])
        choose(qtbot, vote.member, members[index][0])
        choose(qtbot, vote.choice, choice)
        click(qtbot, vote.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
        wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.votes_model.index(0, 5).data() == "通过")
    assert [page.votes_model.index(0, c).data() for c in (1, 2, 3)] == ["2", "1", "1"]
    page.grab().save(str(screenshot_dir() / "panel_votes.png"))


def test_new_panel_for_a_group_of_applications(world_ctx, qtbot):
    ctx, w = world_ctx
    page = PanelPage(ctx)
    qtbot.addWidget(page)
    page.show()
    wait_idle(qtbot, ctx)
    assert "还没有专家组" in page.info.text()  # in the batch's current review stage
    click(qtbot, page.new_panel_button)  # 新建专家组… (crashed on checked=False before)
    dialog = modal(qtbot, NewPanelDialog)
    retype(qtbot, dialog.name, "生态组")
    choose(qtbot, dialog.mode, dialog.mode.itemData(1))
    type_text(qtbot, dialog.group, "HD2026-001, HD2026-005")
    dialog.grab().save(str(screenshot_dir() / "panel_new_dialog.png"))
    click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.panel_combo.currentText() == "生态组")
    assert "会议评审" in page.info.text() and "2 个项目" in page.info.text()
