"""The funding page and the export dialog, driven through real widgets."""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from modal import FileChooser
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QPushButton

from clicks import check, choose, click, click_row, click_tab, press, retype, row_of, when_modal
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.core.funding import Decision, Stability
from reviewtool.gui.documents.export_dialog import ExportDialog
from reviewtool.gui.funding.funding_page import AMOUNT_COLUMN, AmountDialog, FundingPage, QuotaDialog
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.documents.fonts import document_fonts

_spec = importlib.util.spec_from_file_location(
    "documents_scored_batch", Path(__file__).resolve().parent.parent / "documents" / "scored_batch.py"
)
scored_batch = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = scored_batch
_spec.loader.exec_module(scored_batch)


@pytest.fixture
def scored_ctx(gui_ctx):
    with gui_ctx.database.session() as session:
        gui_ctx.info = scored_batch.build_scored_batch(session)
    return gui_ctx


def ok_button(dialog):
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


def open_page(qtbot, ctx) -> FundingPage:
    page = FundingPage(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 640)
    page.show()
    qtbot.waitUntil(lambda: page.view is not None and page.model.rowCount() == 4, timeout=10000)
    return page


def test_funding_page_shows_the_line_and_edits_an_amount_with_a_reason(qtbot, scored_ctx):
    page = open_page(qtbot, scored_ctx)
    assert "剩余 5.00" in page.summary.text() and "第 3 名" in page.summary.text()
    model = page.model
    assert model.index(0, 1).data() == "HD2026-001"
    assert model.index(0, AMOUNT_COLUMN).data() == "50.00"
    assert model.index(2, 12).data() == Stability.BORDERLINE.label()
    assert model.index(3, 11).data() == Decision.NOT_ELIGIBLE.label()
    page.grab().save(str(screenshot_dir() / "funding-page.png"))

    # the amount dialog refuses an empty reason, then accepts one (its OK button clicked)
    row = model.rows[1]
    dialog = AmountDialog(row, page)
    qtbot.addWidget(dialog)
    dialog.show()
    ok = ok_button(dialog)
    retype(qtbot, dialog.amount, "30")
    click(qtbot, ok)
    assert dialog.isVisible() and not dialog.result() and "理由" in dialog.error.text()
    type_text(qtbot, dialog.reason, "与同类项目持平")
    click(qtbot, ok)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() and dialog.result_values() == (Decimal("30"), "与同类项目持平")

    # through the page: a double-click on the amount opens the dialog, which we fill and accept
    def fill_and_accept(active):
        assert isinstance(active, AmountDialog) and active.windowTitle().endswith("HD2026-002")
        retype(qtbot, active.amount, "30")
        type_text(qtbot, active.reason, "与同类项目持平")
        click(qtbot, ok_button(active))

    answered = when_modal(qtbot, fill_and_accept, AmountDialog)
    click_row(qtbot, page.table, row_of(page.table, 1, "HD2026-002"), AMOUNT_COLUMN, double=True)
    assert answered
    qtbot.waitUntil(lambda: page.model.rows[1].recommended == Decimal("30"), timeout=10000)
    assert "✎" in page.model.index(1, AMOUNT_COLUMN).data()
    reason_column = list(page.model.headers).index("Reason for the amount")
    assert page.model.headers[reason_column - 1] == "Meeting vote"
    assert page.model.index(1, reason_column).data() == "与同类项目持平"
    with scored_ctx.database.session() as s:
        events = audit.events_for(s, "application", scored_ctx.info.app_ids["HD2026-002"])
        assert events[-1].action == "funding.amount" and events[-1].details["reason"] == "与同类项目持平"
    wait_idle(qtbot, scored_ctx)


def test_budget_and_rule_change_moves_the_line_and_plan_view_draws(qtbot, scored_ctx):
    page = open_page(qtbot, scored_ctx)
    retype(qtbot, page.budget, "100")
    choose(qtbot, page.rule, "skip")
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.view is not None and page.view.budget == Decimal("100"), timeout=10000)
    decisions = {r.number: r.decision for r in page.view.rows}
    assert decisions["HD2026-003"] is Decision.OVER_BUDGET
    assert "剩余 5.00" in page.summary.text()

    click_tab(qtbot, page.tabs, 1)
    qtbot.waitUntil(lambda: page.plan_table.isVisible() and page.plan_model.rowCount() > 0)
    codes = [page.plan_model.index(i, 0).data() for i in range(page.plan_model.rowCount())]
    assert codes[0] == "HD-D1" and codes.index("HD-I05") > codes.index("HD-D2")
    bars = {b.label.split()[0]: b for b in page.chart.bars}
    assert bars["HD-D2"].value == Decimal("95") and "HD-D3" in bars
    page.grab().save(str(screenshot_dir() / "funding-plan.png"))

    # a quota on HD-D2 through its dialog (a double-click on its row): one application only
    def set_quota(active):
        assert isinstance(active, QuotaDialog) and active.area.currentData() == "HD-D2"
        retype(qtbot, active.max_count, "x")
        click(qtbot, ok_button(active))
        assert active.isVisible() and "x" in active.error.text()
        retype(qtbot, active.max_count, "1")
        click(qtbot, ok_button(active))

    answered = when_modal(qtbot, set_quota, QuotaDialog)
    click_row(qtbot, page.plan_table, codes.index("HD-D2"), double=True)
    assert answered
    qtbot.waitUntil(lambda: "HD-D2" in page.plan_model.quotas, timeout=10000)
    row = codes.index("HD-D2")
    assert page.plan_model.index(row, 5).data() == "最多 1 项"
    decisions = {r.number: r.decision for r in page.view.rows}
    assert decisions["HD2026-002"] is Decision.OVER_QUOTA

    # bad input: a clear message, nothing stored
    retype(qtbot, page.budget, "很多")
    qtbot.mouseClick(page.apply_button, Qt.MouseButton.LeftButton)
    assert "很多" in page.summary.text()
    wait_idle(qtbot, scored_ctx)


def test_export_dialog_writes_files_in_the_background(qtbot, scored_ctx, tmp_path, monkeypatch):
    dialog = ExportDialog(scored_ctx, batch_id=scored_ctx.info.batch_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.batch.count() == 1, timeout=10000)
    choose(qtbot, dialog.what, "panel")
    check(qtbot, dialog.anonymous)
    check(qtbot, dialog.combined)
    assert not dialog.per_expert.isEnabled() and not dialog.by_area.isEnabled()
    type_text(qtbot, dialog.target, str(tmp_path / "out"))
    with qtbot.waitSignal(dialog.finished_export, timeout=20000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    result = blocker.args[0]
    assert len(result.files) == 1
    text = "".join(p.extract_text() for p in pypdf.PdfReader(result.files[0]).pages)
    assert "项目综合评审意见表" in text and "专家1" in text and "王专家" not in text
    assert "已写入 1 个文件" in dialog.result_label.text() and result.files[0].name in dialog.result_label.text()
    system_font = str(document_fonts().source)  # found the way the app finds it, not a fixed path
    qtbot.waitUntil(lambda: system_font in dialog.font_label.text(), timeout=10000)
    dialog.grab().save(str(screenshot_dir() / "export-dialog.png"))

    # a font file that cannot be used (chosen with the "Font file…" button): the dialog
    # says so and a system font is used
    bad = tmp_path / "坏字体.ttf"
    bad.write_bytes(b"not a font")
    chooser = FileChooser(monkeypatch, answer=bad)
    font_button = next(b for b in dialog.findChildren(QPushButton) if b.text() == _("Font file…"))
    click(qtbot, font_button)
    assert [asked[0] for asked in chooser.asked] == ["getOpenFileName"]
    qtbot.waitUntil(lambda: "坏字体.ttf" in dialog.font_label.text(), timeout=10000)
    assert system_font in dialog.font_label.text()
    dialog.set_font_file("")

    # a file export: the suffix follows the document
    retype(qtbot, dialog.target, str(tmp_path / "清单"))
    choose(qtbot, dialog.what, "funding_xlsx")
    assert dialog.target.text().endswith(".xlsx")
    # No panel of the batch is finalised: the funding list is a draft, and the dialog asks first.
    asked = when_modal(qtbot, lambda box: press(qtbot, box, QMessageBox.StandardButton.Yes), QMessageBox)
    with qtbot.waitSignal(dialog.finished_export, timeout=20000) as blocker:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert asked and "未定稿" in asked[0].text()
    assert blocker.args[0].files[0].suffix == ".xlsx" and blocker.args[0].files[0].exists()
    wait_idle(qtbot, scored_ctx)


def test_main_window_has_the_funding_page_and_export_action(qtbot, scored_ctx):
    from reviewtool.gui.main_window import MainWindow

    window = MainWindow(scored_ctx)
    qtbot.addWidget(window)
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert "拟立项" in titles or "经费安排" in titles
    assert window.export_action.text().startswith("导出")
    wait_idle(qtbot, scored_ctx)
