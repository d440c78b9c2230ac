"""The funding page with the batch's rules, clicked as a clerk: incomplete
reviews shown as 评审未完成 and never funded, area codes with their titles,
the plan view counting primary areas only (secondary apart), the pass mark
typed on the ranking page saved as the batch's, and an export of a draft
asked about first. Screenshots under build/screenshots/funding/."""

from __future__ import annotations

from decimal import Decimal

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select

from clicks import click, click_tab, modal, retype, shown
from conftest_helpers import screenshot_dir, wait_idle
from reviewtool.core.funding import Decision
from reviewtool.gui.documents.export_dialog import ExportDialog
from reviewtool.gui.funding.funding_page import FundingPage
from reviewtool.gui.scoring.ranking_page import RankingPage
from reviewtool.storage.models import AuditEvent, Batch

pytestmark = pytest.mark.gui


def shots():
    folder = screenshot_dir() / "funding"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_incomplete_reviews_are_not_funded_and_the_plan_adds_up(demo_ctx, qtbot):
    page = FundingPage(demo_ctx)
    qtbot.addWidget(page)
    page.resize(1270, 680)
    page.show()
    qtbot.waitUntil(lambda: page.view is not None, timeout=15000)
    view = page.view
    model = page.model
    rows = {model.index(r, 1).data(): r for r in range(model.rowCount())}
    incomplete = [r for r in view.rows if r.incomplete]
    assert incomplete and all(not r.funded for r in incomplete)
    one = rows[incomplete[0].number]
    assert model.index(one, 11).data() == "评审未完成" and model.index(one, 12).data() == ""
    assert "份" in model.index(one, 11).data(Qt.ItemDataRole.ToolTipRole)
    funded = next(r for r in view.rows if r.funded)
    assert model.index(rows[funded.number], 3).data() == f"{funded.area_code} {funded.area_title}"
    assert "评审未完成" in page.summary.text() and "未定稿" in page.summary.text()
    page.grab().save(str(shots() / "01-list.png"))

    click_tab(qtbot, page.tabs, 1)
    plan = page.plan_model
    directions = [plan.rows[r] for r in range(plan.rowCount()) if plan.rows[r].kind == "direction"]
    assert sum(a.count for a in directions) == view.funded_count
    assert sum((a.amount for a in directions), Decimal(0)) == view.used
    with_secondary = [r for r in range(plan.rowCount()) if plan.rows[r].secondary_count]
    assert with_secondary and "·" in plan.index(with_secondary[0], 6).data()
    assert plan.headerData(6, Qt.Orientation.Horizontal) == "作为次要领域（不计入）"
    page.grab().save(str(shots() / "02-plan.png"))


def test_the_pass_mark_typed_on_the_ranking_page_is_the_batchs(demo_ctx, qtbot):
    ranking = RankingPage(demo_ctx)
    funding = FundingPage(demo_ctx)
    for widget in (ranking, funding):
        qtbot.addWidget(widget)
        widget.resize(1270, 680)
        widget.show()
    qtbot.waitUntil(lambda: ranking.model.rowCount() > 40 and funding.view is not None, timeout=15000)
    assert ranking.threshold.text() == "70"
    before = funding.view.funded_count
    retype(qtbot, ranking.threshold, "85")
    qtbot.keyClick(ranking.threshold, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: funding.view.threshold == Decimal(85), timeout=15000)
    wait_idle(qtbot, demo_ctx)
    assert all(r.score >= Decimal(85) for r in funding.view.rows if r.funded)
    assert funding.view.funded_count < before
    assert "85" in ranking.summary.text() and ranking.threshold.text() == "85"
    with demo_ctx.database.session() as s:
        assert s.scalars(select(Batch.threshold)).one() == Decimal(85)
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "batch.edit")) is not None
    assert Decision.NOT_ELIGIBLE.label() in {funding.model.index(r, 11).data() for r in range(funding.model.rowCount())}


def test_exporting_the_funding_list_of_a_draft_asks_first(demo_ctx, qtbot, tmp_path):
    page = FundingPage(demo_ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.view is not None, timeout=15000)
    click(qtbot, page.export_button)
    dialog = shown(qtbot, ExportDialog)
    qtbot.waitUntil(lambda: dialog.batch.count() == 1, timeout=10000)
    target = tmp_path / "拟立项项目清单.xlsx"
    retype(qtbot, dialog.target, str(target))
    click(qtbot, dialog.export_button)
    box = modal(qtbot, QMessageBox)
    assert "未定稿" in box.text()
    box.grab().save(str(shots() / "03-draft-question.png"))
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    wait_idle(qtbot, demo_ctx)
    assert not target.exists()
    click(qtbot, dialog.export_button)
    box = modal(qtbot, QMessageBox)
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(target.exists, timeout=20000)
    wait_idle(qtbot, demo_ctx)
    assert "未定稿" in load_workbook(target).worksheets[0]["A1"].value
    dialog.close()
