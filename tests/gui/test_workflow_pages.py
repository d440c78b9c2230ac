"""The workflow pages driven by clicks and typing: the 公示 page (open it, register an objection,
record a step, uphold it, send it to 复审, close it), the dashboard (its steps, the Open buttons
in the main window, the reminder list and its export), the audit log (filters, export) and the
invitation answers on the panel page."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import select

from clicks import click_nav, retype
from conftest_helpers import type_text, wait_idle
from gui.modal import FileChooser, modal_watchers  # noqa: F401 - autouse: no modal window left unanswered
from reviewtool.core.enums import Invitation, ObjectionOutcome
from reviewtool.gui.audit_log.audit_log_page import AuditLogPage
from reviewtool.gui.dashboard.dashboard_page import DashboardPage
from reviewtool.gui.publicity.publicity_page import PublicityPage
from reviewtool.i18n import _
from reviewtool.services.dashboard.progress import PAGES
from reviewtool.services.publicity import notice, objections
from reviewtool.services.stages.finalise import finalize_stage
from reviewtool.storage.models import AuditEvent, Objection, Panel, PanelMember, Publicity

pytestmark = pytest.mark.gui
LEFT = Qt.MouseButton.LeftButton
BATCH = "2025年海东市科技计划项目"


def click(qtbot, widget) -> None:
    assert widget.isEnabled(), widget.text()
    qtbot.mouseClick(widget, LEFT)


def click_row(qtbot, view, row: int, column: int = 1) -> None:
    rect = view.visualRect(view.model().index(row, column))
    qtbot.mouseClick(view.viewport(), LEFT, pos=rect.center())


def choose(qtbot, combo, text: str) -> None:
    index = next(i for i in range(combo.count()) if text in combo.itemText(i))
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _step in range(index):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert text in combo.currentText()


def dialog_of(qtbot, page, kind) -> QDialog:
    qtbot.waitUntil(lambda: isinstance(getattr(page, "dialog", None), kind) and page.dialog.isVisible(), timeout=5000)
    return page.dialog


def show(qtbot, page, ctx):
    qtbot.addWidget(page)
    page.resize(1300, 800)
    with qtbot.waitSignal(page.loaded, timeout=15000):
        page.show()
    wait_idle(qtbot, ctx)
    return page


def reload(qtbot, page, ctx) -> None:
    """Wait for the page's reload after an action (each action announces a change)."""
    wait_idle(qtbot, ctx)


@pytest.fixture
def finalised(demo_ctx):
    with demo_ctx.database.session() as s:
        finalize_stage(s, BATCH, "网络评审", actor="tester")
    return demo_ctx


def test_the_publicity_page_runs_the_notice_and_an_objection(qtbot, finalised):
    from reviewtool.gui.publicity import dialogs

    ctx = finalised
    page = show(qtbot, PublicityPage(ctx), ctx)
    assert not page.register_button.isEnabled() and not page.close_button.isEnabled()
    click(qtbot, page.open_button)
    dialog = dialog_of(qtbot, page, dialogs.OpenPublicityDialog)
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: page.list_model.rowCount() == 23, timeout=10000)
    assert page.register_button.isEnabled() and not page.open_button.isEnabled()
    target = page.list_model.index(22, 1).data()

    click(qtbot, page.register_button)
    dialog = dialog_of(qtbot, page, dialogs.ObjectionDialog)
    assert not dialog.ok.isEnabled()  # who and why are required
    choose(qtbot, dialog.application, target)
    type_text(qtbot, dialog.lodged_by, "海东市某公司")
    type_text(qtbot, dialog.grounds, "评审专家与申报单位有合作关系")
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: page.objection_model.rowCount() == 1, timeout=10000)

    click_row(qtbot, page.objection_view, 0)
    qtbot.waitUntil(lambda: page.handle_button.isEnabled())
    assert not page.review_button.isEnabled() and not page.close_objection_button.isEnabled()
    click(qtbot, page.handle_button)
    dialog = dialog_of(qtbot, page, dialogs.HandlingDialog)
    type_text(qtbot, dialog.step, "核查专家回避情况")
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: "核查专家回避情况" in page.detail.toPlainText(), timeout=10000)

    click(qtbot, page.decide_button)
    dialog = dialog_of(qtbot, page, dialogs.DecisionDialog)
    choose(qtbot, dialog.outcome, ObjectionOutcome.UPHELD.label())
    type_text(qtbot, dialog.note, "回避不当")
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: page.review_button.isEnabled(), timeout=10000)
    assert ObjectionOutcome.UPHELD.label() in page.objection_model.index(0, 5).data()

    click(qtbot, page.review_button)
    dialog = dialog_of(qtbot, page, dialogs.ReviewDialog)
    dialog.size.setFocus()
    qtbot.keyClick(dialog.size, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.size, Qt.Key.Key_Down)  # 5 → 3
    type_text(qtbot, dialog.seed, "gui-fs")
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: page.objection_model.index(0, 6).data() == "复审", timeout=15000)
    assert not page.decide_button.isEnabled() and not page.review_button.isEnabled()
    with ctx.database.session() as s:
        objection = s.scalar(select(Objection))
        assert objection.outcome is ObjectionOutcome.UPHELD and objection.handling.endswith("核查专家回避情况")
        panel = s.scalar(select(Panel).where(Panel.stage_id == objection.review_stage_id))
        members = list(s.scalars(select(PanelMember).where(PanelMember.panel_id == panel.id)))
        assert len(members) == 3 and {m.invitation for m in members} == {Invitation.PENDING}
        draw = s.scalar(select(AuditEvent).where(AuditEvent.action == "panel.draw", AuditEvent.entity_id == panel.id))
        assert draw.details["seed"] == "gui-fs"


def test_the_publicity_page_closes_and_amends_with_a_reason(qtbot, finalised):
    from reviewtool.gui.publicity import dialogs

    ctx = finalised
    with ctx.database.session() as s:
        batch_id = s.scalar(select(Panel.batch_id))
        notice.open_publicity(s, batch_id, starts_on=dt.date.today(), ends_on=dt.date.today(), actor="t")
        oid, _c = objections.register_objection(
            s, batch_id, "HDKJ2025-011", lodged_by="某单位", received_on=dt.date.today(), grounds="x", actor="t"
        )
        objections.decide_objection(s, oid, ObjectionOutcome.REJECTED, "不成立", actor="t")
    page = show(qtbot, PublicityPage(ctx), ctx)
    click_row(qtbot, page.objection_view, 0)
    qtbot.waitUntil(lambda: page.close_objection_button.isEnabled())
    click(qtbot, page.close_objection_button)
    dialog = dialog_of(qtbot, page, dialogs.CloseObjectionDialog)
    assert not dialog.decision.isEnabled()  # a rejected objection changes nothing
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: page.objection_model.index(0, 7).data() == dt.date.today().isoformat(), timeout=10000)

    click(qtbot, page.close_button)
    dialog = dialog_of(qtbot, page, dialogs.ClosePublicityDialog)
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: page.amend_button.isEnabled(), timeout=10000)
    assert page.list_model.index(0, 6).data() == _("funded")
    with ctx.database.session() as s:
        assert s.scalar(select(Publicity)).closed_on == dt.date.today()

    click(qtbot, page.amend_button)
    dialog = dialog_of(qtbot, page, dialogs.AmendDecisionDialog)
    choose(qtbot, dialog.application, "HDKJ2025-011")
    choose(qtbot, dialog.decision, _("not funded"))
    assert not dialog.ok.isEnabled()  # a reason is required
    type_text(qtbot, dialog.reason, "单位放弃")
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: page.list_model.index(0, 6).data() == _("not funded"), timeout=10000)


def test_the_dashboard_shows_each_step_and_opens_its_page(qtbot, finalised, monkeypatch, tmp_path):
    from reviewtool.gui.main_window import MainWindow

    ctx = finalised
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, ctx)
    click_nav(qtbot, window, _("Batch progress"))
    qtbot.waitUntil(lambda: isinstance(window.pages.currentWidget(), DashboardPage), timeout=10000)
    page = window.pages.currentWidget()
    qtbot.waitUntil(lambda: "publicity" in page.step_buttons, timeout=15000)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.step_buttons["publicity"].isVisible())
    labels = {key: label.text() for key, label in page.step_labels.items()}
    assert "53" in labels["received"]
    assert _("Open the 公示: the list within the funding line is frozen and published.") in labels["publicity"]
    assert page.reminders_model.rowCount() == 0 and not page.call_list_button.isEnabled()
    click(qtbot, page.step_buttons["publicity"])
    qtbot.waitUntil(lambda: isinstance(window.pages.currentWidget(), PublicityPage), timeout=10000)
    click_nav(qtbot, window, _("Batch progress"))
    qtbot.waitUntil(lambda: window.pages.currentWidget() is page)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.step_buttons["funding"].isVisible())
    click(qtbot, page.step_buttons["funding"])
    qtbot.waitUntil(lambda: type(window.pages.currentWidget()).__name__ == "FundingPage", timeout=10000)
    wait_idle(qtbot, ctx)
    # Every page a step may name (a stage waiting for promotion names 申报批次) is one the window opens by that name.
    for key in PAGES:
        assert window.select_page(key), key
        wait_idle(qtbot, ctx)


def test_the_dashboard_lists_reminders_and_exports_the_call_list(qtbot, demo_ctx, monkeypatch, tmp_path):
    from reviewtool.storage.models import Assignment, ScoreSheet

    ctx = demo_ctx
    with ctx.database.session() as s:  # two sheets go missing again, the panel was due yesterday
        sheets = list(s.scalars(select(ScoreSheet).order_by(ScoreSheet.id).limit(2)))
        late = {(x.application_id, x.reviewer_id) for x in sheets}
        for sheet in sheets:
            s.delete(sheet)
        for panel in s.scalars(select(Panel)):
            panel.due_date = dt.date.today() - dt.timedelta(days=1)
        assert s.scalar(select(Assignment).where(Assignment.expert_id == sheets[0].reviewer_id)) is not None
    page = show(qtbot, DashboardPage(ctx), ctx)
    qtbot.waitUntil(lambda: page.reminders_model.rowCount() >= 1, timeout=10000)
    experts = {page.reminders_model.index(r, 0).data() for r in range(page.reminders_model.rowCount())}
    assert len(experts) == len({e for _a, e in late})
    assert "2" in page.reminders_label.text()
    chooser = FileChooser(monkeypatch, tmp_path / "催交名单.xlsx")
    click(qtbot, page.call_list_button)
    qtbot.waitUntil(lambda: (tmp_path / "催交名单.xlsx").exists(), timeout=10000)
    wait_idle(qtbot, ctx)
    assert chooser.asked and chooser.asked[0][0] == "getSaveFileName"
    names = {row[0] for row in load_workbook(tmp_path / "催交名单.xlsx").active.iter_rows(values_only=True)}
    assert experts <= names


def test_the_audit_log_page_filters_and_exports(qtbot, demo_ctx, monkeypatch, tmp_path):
    ctx = demo_ctx
    page = show(qtbot, AuditLogPage(ctx), ctx)
    everything = page.model.rowCount()
    assert everything > 100
    type_text(qtbot, page.application_edit, "HDKJ2025-011")
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: 0 < page.model.rowCount() < everything, timeout=10000)
    for row in range(page.model.rowCount()):
        assert "{" not in (page.model.index(row, 5).data() or "") + (page.model.index(row, 6).data() or "")
    click_row(qtbot, page.view, 0)
    qtbot.waitUntil(lambda: page.detail.toPlainText() != "")
    filtered = page.model.rowCount()

    retype(qtbot, page.application_edit, "")  # select all and delete
    type_text(qtbot, page.user_edit, "nobody")
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10000)
    retype(qtbot, page.user_edit, "")
    type_text(qtbot, page.application_edit, "HDKJ2025-011")
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: page.model.rowCount() == filtered, timeout=10000)

    chooser = FileChooser(monkeypatch, tmp_path / "审计日志.xlsx")
    click(qtbot, page.export_button)
    qtbot.waitUntil(lambda: (tmp_path / "审计日志.xlsx").exists(), timeout=10000)
    wait_idle(qtbot, ctx)
    assert chooser.asked
    rows = list(load_workbook(tmp_path / "审计日志.xlsx").active.iter_rows(values_only=True))
    assert sum(1 for r in rows if r[0] and str(r[0])[:2] == "20") == filtered
    qtbot.waitUntil(lambda: page.model.rowCount() == filtered + 0, timeout=10000)
    with ctx.database.session() as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "audit.export")) is not None


def test_the_user_guides_pictures(qtbot, finalised):
    """The pictures of docs/dashboard.md, docs/publicity.md and docs/audit_log.md, taken by clicking the
    navigation (``REVIEWTOOL_DOC_IMAGES=1`` replaces the ones in docs/images/)."""
    from gui.test_doc_screenshots import main_window, open_page, save

    ctx = finalised
    with ctx.database.session() as s:
        batch_id = s.scalar(select(Panel.batch_id))
        today = dt.date.today()
        notice.open_publicity(s, batch_id, starts_on=today, ends_on=today + dt.timedelta(days=6), actor="张三")
        oid, _c = objections.register_objection(
            s, batch_id, "HDKJ2025-011", lodged_by="海东市某农业公司", received_on=today,
            grounds="认为评审专家与申报单位有合作关系，应当回避", actor="张三",
        )  # fmt: skip
        objections.record_handling(s, oid, "核查专家回避情况", actor="张三")
    window = main_window(ctx, qtbot)
    page = open_page(window, qtbot, ctx, "批次进度")
    qtbot.waitUntil(lambda: "objections" in page.step_buttons, timeout=15000)
    wait_idle(qtbot, ctx)
    assert "1" in page.step_labels["objections"].text()
    save(window, "dashboard")
    page = open_page(window, qtbot, ctx, "公示与异议")
    qtbot.waitUntil(lambda: page.objection_model.rowCount() == 1, timeout=15000)
    click_row(qtbot, page.objection_view, 0)
    qtbot.waitUntil(lambda: "核查专家回避情况" in page.detail.toPlainText())
    save(window, "publicity")
    page = open_page(window, qtbot, ctx, "审计日志")
    qtbot.waitUntil(lambda: page.model.rowCount() > 100, timeout=15000)
    click_row(qtbot, page.view, 0)
    qtbot.waitUntil(lambda: page.detail.toPlainText() != "")
    save(window, "audit-log")
