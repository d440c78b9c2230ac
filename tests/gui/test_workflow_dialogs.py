"""The workflow's dialogs driven by clicks and typing: a member's 已确认 and 谢绝 on the panel
page (a refusal draws a replacement), the draw rules (yearly cap, rotation), the formal review's
limits and the pre-filled verdicts, and an expert's service record from the pool page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QRadioButton
from sqlalchemy import select

from clicks import check, retype
from conftest_helpers import type_text, wait_idle
from gui.modal import answer_next, modal_watchers  # noqa: F401 - autouse: no modal window left unanswered
from panels.conftest import BATCH, attach_general_rubric, build_world
from reviewtool.core.enums import Invitation
from reviewtool.gui.experts.pool_page import ExpertPoolPage
from reviewtool.gui.experts.service_record_dialog import ServiceRecordDialog
from reviewtool.gui.intake.formal_limits_dialog import FormalLimitsDialog
from reviewtool.gui.intake.formal_review_dialog import FormalReviewDialog
from reviewtool.gui.panels.draw_rules_dialog import DrawRulesDialog
from reviewtool.gui.panels.invitation_dialog import InvitationAnswerDialog
from reviewtool.gui.panels.panel_page import PanelPage
from reviewtool.services.panels import draw_rules
from reviewtool.services.panels import panel as panels
from reviewtool.services.panels.draw import draw_panel
from reviewtool.storage.models import Application, Batch, Expert, PanelMember

LEFT = Qt.MouseButton.LeftButton


def click(qtbot, widget) -> None:
    assert widget.isEnabled(), widget.text()
    qtbot.mouseClick(widget, LEFT)


def select_member(qtbot, page, name: str) -> None:
    model = page.members_model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == name)
    rect = page.members_view.visualRect(model.index(row, 0))
    qtbot.mouseClick(page.members_view.viewport(), LEFT, pos=rect.center())


def drawn_world(ctx):
    with ctx.database.session() as s:
        world = build_world(s, n_apps=6, n_experts=14)
        attach_general_rubric(s, world.batch_id)
        draw_rules.set_draw_rules(s, actor="t", cap=None, rotation=False)
        panel_id, _c = panels.create_panel(s, BATCH, "第一组", actor="t")
        drawn = draw_panel(s, panel_id, 5, actor="t", seed="gui-inv").result.drawn
        names = [s.get(Expert, e).name for e in drawn]
    return world, panel_id, list(drawn), names


def test_members_confirm_and_decline_with_the_date(qtbot, gui_ctx):
    ctx = gui_ctx
    _world, panel_id, drawn, names = drawn_world(ctx)
    page = PanelPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.members_model.rowCount() == 5, timeout=10000)
    assert names[0] in page.pending_label.text()

    select_member(qtbot, page, names[0])
    yesterday = dt.date.today() - dt.timedelta(days=1)

    def confirm(dialog):
        assert isinstance(dialog, InvitationAnswerDialog) and not dialog.declined
        dialog.date.setFocus()
        qtbot.keyClick(dialog.date, Qt.Key.Key_End)  # the day
        qtbot.keyClick(dialog.date, Qt.Key.Key_Down)  # one day back
        type_text(qtbot, dialog.note, "电话确认")
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))

    seen = answer_next(qtbot, InvitationAnswerDialog, then=confirm)
    click(qtbot, page.confirm_button)
    qtbot.waitUntil(lambda: seen.done, timeout=5000)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: names[0] not in page.pending_label.text(), timeout=10000)

    select_member(qtbot, page, names[1])

    def decline(dialog):
        assert dialog.declined
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()  # a refusal needs its reason
        type_text(qtbot, dialog.note, "出差在外")
        click(qtbot, ok)

    seen = answer_next(qtbot, InvitationAnswerDialog, then=decline)
    click(qtbot, page.decline_button)
    qtbot.waitUntil(lambda: seen.done, timeout=5000)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: page.members_model.rowCount() == 6, timeout=10000)
    with ctx.database.session() as s:
        members = {m.expert_id: m for m in s.scalars(select(PanelMember).where(PanelMember.panel_id == panel_id))}
        first, second = members[drawn[0]], members[drawn[1]]
        assert first.invitation is Invitation.CONFIRMED and first.answer_note == "电话确认"
        assert first.answered_on == yesterday or (yesterday.day > dt.date.today().day)  # (a new month wraps)
        assert second.invitation is Invitation.DECLINED and second.status_reason == "出差在外"
        replacement = next(m for e, m in members.items() if e not in drawn)
        assert replacement.invitation is Invitation.PENDING


def test_the_draw_rules_dialog_saves_cap_and_rotation(qtbot, gui_ctx):
    ctx = gui_ctx
    dialog = DrawRulesDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, ctx)
    assert dialog.cap.value() == 10 and dialog.rotation.isChecked()  # the published defaults
    retype(qtbot, dialog.cap, "6")
    check(qtbot, dialog.rotation, False)  # a click on the check box
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    with ctx.database.session() as s:
        assert draw_rules.draw_rules(s) == draw_rules.DrawRules(6, False)


def test_formal_limits_prefill_the_review_and_an_override_needs_a_reason(qtbot, gui_ctx):
    ctx = gui_ctx
    with ctx.database.session() as s:
        world = build_world(s, n_apps=3)
        s.get(Batch, world.batch_id).deadline = dt.date(2026, 3, 31)
        app = s.get(Application, world.apps["HD2026-001"])
        app.self_funding = Decimal("10")  # 10 : 30
        app_id = app.id
    dialog = FormalReviewDialog(ctx, app_id)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, ctx)
    click(qtbot, dialog.limits_button)
    qtbot.waitUntil(lambda: isinstance(getattr(dialog, "limits_dialog", None), FormalLimitsDialog), timeout=5000)
    limits = dialog.limits_dialog
    wait_idle(qtbot, ctx)
    type_text(qtbot, limits.fields["cofunding_ratio"], "1")
    click(qtbot, limits.buttons.button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: not limits.isVisible(), timeout=5000)
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: dialog.findChild(QLabel, "data_cofunding_ratio") is not None, timeout=5000)
    verdict = dialog.findChild(QLabel, "data_cofunding_ratio")
    qtbot.waitUntil(lambda: "0.33" in verdict.toolTip(), timeout=5000)
    failed = dialog.findChild(QRadioButton, "failed_cofunding_ratio")
    assert failed.isChecked()  # pre-filled from the data
    click(qtbot, dialog.findChild(QRadioButton, "passed_cofunding_ratio"))
    reason = dialog.findChild(QLineEdit, "reason_cofunding_ratio")
    retype(qtbot, reason, "")  # select all and delete
    assert not dialog.save_button.isEnabled()  # differing from the data needs the reason
    type_text(qtbot, reason, "另有配套资金承诺函")
    assert dialog.save_button.isEnabled()


def test_the_service_record_opens_from_the_pool_page(qtbot, gui_ctx):
    ctx = gui_ctx
    _world, _panel_id, drawn, names = drawn_world(ctx)
    page = ExpertPoolPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    wait_idle(qtbot, ctx)
    row = next(i for i in range(page.model.rowCount()) if page.model.index(i, 0).data() == names[0])
    rect = page.view.visualRect(page.model.index(row, 0))
    qtbot.mouseClick(page.view.viewport(), LEFT, pos=rect.center())
    click(qtbot, page.record_button)
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, ServiceRecordDialog) and w.isVisible() for w in page.findChildren(ServiceRecordDialog)
        ),
        timeout=5000,
    )
    record = next(w for w in page.findChildren(ServiceRecordDialog) if w.isVisible())
    wait_idle(qtbot, ctx)
    qtbot.waitUntil(lambda: record.model.rowCount() == 1, timeout=5000)
    assert names[0] in record.heading.text()
    assert "第一组" in [record.model.index(0, c).data() for c in range(record.model.columnCount())]
    qtbot.keyClick(record, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not record.isVisible(), timeout=5000)
