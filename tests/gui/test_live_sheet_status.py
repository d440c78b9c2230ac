"""The clerk's panel page follows an expert's submit on another workstation
(PostgreSQL LISTEN/NOTIFY): no refresh button pressed, no polling."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from clicks import click_nav, click_tab, row_of
from conftest_helpers import wait_idle
from gui.conftest import make_context
from reviewtool.gui.main_window import MainWindow
from reviewtool.i18n import _
from reviewtool.services.demo import load_demo
from reviewtool.services.scoring import sheet_edits
from reviewtool.storage.database import Database
from reviewtool.storage.models import ScoreSheet

pytestmark = [pytest.mark.gui, pytest.mark.pg]


@pytest.fixture
def clerk(pg_db, qtbot):
    with pg_db.session() as s:
        load_demo(s, actor="tester")
    ctx = make_context(pg_db, qtbot)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.live_changes.active, timeout=10000)
    yield window
    window.close()
    ctx.tasks.shutdown()


def test_a_sheet_reopened_elsewhere_shows_on_the_clerks_panel_page(clerk, pg_db, qtbot):
    page = click_nav(qtbot, clerk, _("Expert panels"))
    wait_idle(qtbot, clerk.ctx)
    click_tab(qtbot, page.tabs, page.tabs.indexOf(page.sheets_view.parentWidget()))
    qtbot.waitUntil(lambda: page.sheets_model.rowCount() > 0, timeout=10000)
    row = row_of(page.sheets_view, 3, _("Submitted"))
    application_id, expert_id = page.sheets_model.key(row)

    other = Database(pg_db.url)  # the expert's laptop in the meeting room
    try:
        with other.session() as s:
            sheet_id = s.scalar(
                select(ScoreSheet.id).where(ScoreSheet.application_id == application_id,
                                            ScoreSheet.reviewer_id == expert_id)
            )  # fmt: skip
            sheet_edits.reopen_sheet(s, sheet_id, actor="专家", reason="补充意见", to_draft=True)
    finally:
        other.dispose()

    def state() -> str:
        rows = [
            r for r in range(page.sheets_model.rowCount()) if page.sheets_model.key(r) == (application_id, expert_id)
        ]
        return page.sheets_model.index(rows[0], 3).data() if rows else ""

    qtbot.waitUntil(lambda: state() == _("Draft"), timeout=10000)
