"""The expert pool and panel screens driven through their real widgets,
with screenshots saved for a person to look at."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from sqlalchemy import func, select, update

from clicks import click, click_tab, modal
from conftest_helpers import screenshot_dir, type_text, wait_idle
from panels.conftest import BATCH, attach_general_rubric, build_world
from panels.test_workbooks import SCORES, fill
from reviewtool.core.enums import ExpertStatus
from reviewtool.gui.experts.pool_page import ExpertPoolPage
from reviewtool.gui.panels.dialogs import AddReviewerDialog, NewPanelDialog, VoteDialog
from reviewtool.gui.panels.panel_page import PanelPage
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


def answer_next_modal(qtbot, action):
    """Run ``action(dialog)`` on the next modal dialog that opens."""

    def poll():
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(20, poll)
            return
        action(widget)

    QTimer.singleShot(0, poll)


def test_expert_pool_page_create_and_suspend(world_ctx, qtbot):
    ctx, w = world_ctx
    page = ExpertPoolPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    wait_idle(qtbot, ctx)
    assert page.model.rowCount() == 14
    assert "手机" not in [page.model.headerData(c, Qt.Orientation.Horizontal) for c in range(page.model.columnCount())]

    dialog = page.open_dialog(None)
    qtbot.addWidget(dialog)
    type_text(qtbot, dialog.name, "马新")
    type_text(qtbot, dialog.unit, "青海大学")
    type_text(qtbot, dialog.areas, "HD-I05")
    type_text(qtbot, dialog.phone, "13912345678")
    dialog.relation_kind.setCurrentIndex(0)
    type_text(qtbot, dialog.relation_target, "海东市某公司")
    qtbot.mouseClick(dialog.add_relation_button, Qt.MouseButton.LeftButton)
    dialog.grab().save(str(screenshot_dir() / "expert_dialog.png"))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    page.save_dialog(dialog, None)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 15)
    with ctx.database.session() as s:
        expert = s.scalar(select(Expert).where(Expert.name == "马新"))
        assert expert.phone == "13912345678" and len(expert.relations) == 1

    row = next(i for i in range(page.model.rowCount()) if page.model.index(i, 0).data() == "马新")
    page.view.selectRow(row)

    def suspend(dialog):
        assert isinstance(dialog, ReasonDialog)
        type_text(qtbot, dialog.text, "身体原因")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    answer_next_modal(qtbot, suspend)
    qtbot.mouseClick(page.status_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    with ctx.database.session() as s:
        assert s.scalar(select(Expert.status).where(Expert.name == "马新")) is ExpertStatus.SUSPENDED
    page.show_contact.setChecked(True)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.model.columnCount() == 9)
    page.grab().save(str(screenshot_dir() / "expert_pool_page.png"))


def test_panel_page_draw_assign_workbooks_finalise(world_ctx, qtbot, tmp_path, no_error_boxes):
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

    draw = page.open_draw()
    qtbot.addWidget(draw)
    wait_idle(qtbot, ctx)
    reasons = {draw.excluded_model.index(r, 0).data(): draw.excluded_model.index(r, 1).data()
               for r in range(draw.excluded_model.rowCount())}  # fmt: skip
    assert "与申报单位同单位" in reasons["专家01"]
    row14 = next(r for r in range(draw.eligible_model.rowCount()) if draw.eligible_model.index(r, 0).data() == "专家14")
    draw.eligible_view.selectRow(row14)

    def exclude(dialog):
        type_text(qtbot, dialog.text, "近期与申报单位合作")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    answer_next_modal(qtbot, exclude)
    qtbot.mouseClick(draw.exclude_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: draw.excluded_model.rowCount() == 7)
    reasons = {
        draw.excluded_model.index(r, 0).data(): draw.excluded_model.index(r, 1).data()
        for r in range(draw.excluded_model.rowCount())
    }
    assert "工作人员排除：近期与申报单位合作" in reasons["专家14"]
    with ctx.database.session() as s:
        s.execute(update(Expert).where(Expert.name == "专家01").values(unit_id=None))
    draw.load()
    wait_idle(qtbot, ctx)
    draw.size.setValue(7)
    type_text(qtbot, draw.seed, "gui-seed")
    qtbot.mouseClick(draw.draw_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert "gui-seed" in draw.result.text()
    draw.grab().save(str(screenshot_dir() / "panel_draw_dialog.png"))
    draw.accept()
    qtbot.waitUntil(lambda: page.members_model.rowCount() == 7)
    assert "专家" in page.pending_label.text()  # the drawn experts await confirmation
    answer_next_modal(qtbot, lambda d: qtbot.mouseClick(d.buttons.button(QDialogButtonBox.StandardButton.Ok),
                                                        Qt.MouseButton.LeftButton))  # fmt: skip
    qtbot.mouseClick(page.confirm_all_button, Qt.MouseButton.LeftButton)  # every one accepted by phone today
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.pending_label.text() == "")

    assign = page.open_assignment()
    qtbot.addWidget(assign)
    assign.per_application.setValue(5)
    assign.max_load.setValue(8)
    qtbot.mouseClick(assign.preview_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert assign.apply_button.isEnabled()
    assign.grab().save(str(screenshot_dir() / "panel_assignment_preview.png"))
    with ctx.database.session() as s:
        assert s.scalar(select(func.count(Assignment.id))) == 0  # preview stored nothing
    qtbot.mouseClick(assign.apply_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assign.accept()
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
    dialog.application.setCurrentIndex(dialog.application.findData(app))
    dialog.member.setCurrentIndex(dialog.member.findData(member))
    click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
    wait_idle(qtbot, ctx)
    assert len(no_error_boxes) == 1 and "申请人要求回避" in no_error_boxes.pop()

    page.export_workbooks(str(tmp_path / "wb"))
    wait_idle(qtbot, ctx)
    files = sorted((tmp_path / "wb").glob("*.xlsx"))
    assert len(files) == 7
    for i, f in enumerate(files[:6]):
        fill(f, scores={**SCORES, "C2": SCORES["C2"] - i % 3, "C3": SCORES["C3"] - 2 * (i % 2)})
    page.import_workbooks([str(f) for f in files], confirm=False)
    wait_idle(qtbot, ctx)
    wait_idle(qtbot, ctx)
    with ctx.database.session() as s:
        assert s.scalar(select(func.count(ScoreSheet.id))) == sum(
            1
            for _ in s.scalars(
                select(Assignment.id).where(Assignment.expert_id != int(files[6].stem.rsplit("_", 1)[1]))
            )
        )
    qtbot.waitUntil(lambda: "已提交" in page.counts_label.text())
    page.tabs.setCurrentIndex(1)
    page.grab().save(str(screenshot_dir() / "panel_sheet_status.png"))

    answer_next_modal(qtbot, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    qtbot.mouseClick(page.finalise_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.reopen_button.isEnabled())
    with ctx.database.session() as s:
        assert all(sh.locked for sh in s.scalars(select(ScoreSheet)))
    page.tabs.setCurrentIndex(3)
    page.grab().save(str(screenshot_dir() / "panel_calibration.png"))
    assert page.results_model.rowCount() == 10

    def reopen(dialog):
        type_text(qtbot, dialog.text, "补充评审意见")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    answer_next_modal(qtbot, reopen)
    qtbot.mouseClick(page.reopen_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.finalise_button.isEnabled())
    page.tabs.setCurrentIndex(2)
    members = [(m.expert_id, m.name) for m in page.snapshot.members]
    click_tab(qtbot, page.tabs, 2)
    for index, choice in enumerate(["for", "for", "against", "abstain"]):
        click(qtbot, page.vote_button)  # 记录投票… (crashed on checked=False before)
        vote = modal(qtbot, VoteDialog)
        vote.application.setCurrentIndex(vote.application.findData(w.apps["HD2026-001"]))
        vote.member.setCurrentIndex(vote.member.findData(members[index][0]))
        vote.choice.setCurrentIndex(vote.choice.findData(choice))
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
    dialog.name.clear()
    type_text(qtbot, dialog.name, "生态组")
    dialog.mode.setCurrentIndex(1)
    type_text(qtbot, dialog.group, "HD2026-001, HD2026-005")
    dialog.grab().save(str(screenshot_dir() / "panel_new_dialog.png"))
    click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok))
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.panel_combo.currentText() == "生态组")
    assert "会议评审" in page.info.text() and "2 个项目" in page.info.text()
