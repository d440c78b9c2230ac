"""An expert logs in through the login dialog (SQLite with local users) and gets the 我的评审 page
only: exactly their own assignments; the score entry opens only after the 回避 declaration and the
保密承诺 are accepted; then they score one sheet by typing and submit it. Clicks and keys only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from my_reviews_world import EXPERT_LOGIN, PASSWORD, expert_world
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from clicks import click, modal, retype
from conftest_helpers import screenshot_dir, type_text, wait_idle
from reviewtool.core.enums import SheetStatus
from reviewtool.gui.app import Launcher, LaunchOptions
from reviewtool.gui.main_window import PAGES
from reviewtool.gui.my_reviews.declaration_dialog import DeclarationDialog
from reviewtool.gui.my_reviews.my_reviews_page import MyReviewsPage
from reviewtool.gui.users.login_dialog import LoginDialog
from reviewtool.i18n import _
from reviewtool.storage.database import Database
from reviewtool.storage.models import Application, AuditEvent, ReviewDeclaration, ScoreSheet

pytestmark = pytest.mark.gui


@pytest.fixture
def db(sqlite_db):
    """Local users belong to an SQLite file (on PostgreSQL the server's login roles are the users)."""
    return sqlite_db


@pytest.fixture(autouse=True)
def private_qsettings(tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    yield


def _log_in(qtbot, url: str, name: str) -> Launcher:
    launcher = Launcher(QApplication.instance(), LaunchOptions(url, False, None, None))
    launcher.start()
    dialog = modal(qtbot, LoginDialog, timeout=20000)
    retype(qtbot, dialog.login, name)
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: launcher.window is not None, timeout=20000)
    return launcher


def _click_row(qtbot, table, row: int) -> None:
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _tick(qtbot, button) -> None:
    """Click a radio button or check box on its indicator (a wide one's middle is not the button)."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    qtbot.waitUntil(button.isChecked, timeout=5000)


def test_an_expert_logs_in_declares_and_scores_their_own_sheet(db, qtbot):
    world = expert_world(db)
    with Database(db.url).session() as session:
        numbers = dict(session.execute(select(Application.id, Application.number)).all())
    launcher = _log_in(qtbot, db.url, EXPERT_LOGIN)
    try:
        window = launcher.window
        wait_idle(qtbot, window.ctx)
        # Nothing staff-only: one page, no import or export in the menu.
        assert [window.nav.item(i).text() for i in range(window.nav.count())] == ["我的评审"]
        assert isinstance(window.pages.currentWidget(), MyReviewsPage)
        menu_texts = {a.text() for a in window.menuBar().actions()[0].menu().actions()}
        assert not {"导入…", "导出文书…"} & {t.replace("&", "") for t in menu_texts}
        page = window.pages.currentWidget()
        qtbot.waitUntil(lambda: page.table.rowCount() > 0, timeout=10000)
        wait_idle(qtbot, window.ctx)
        shown = {page.table.item(r, 0).text() for r in range(page.table.rowCount())}
        assert shown == {numbers[a] for a in world.mine}  # exactly their own, in the demo's one stage
        text = " ".join(page.table.item(r, c).text() for r in range(page.table.rowCount()) for c in range(5))
        assert not [name for name in world.others if name in text]
        # Their first fresh application: the summary, then 打开评审表 asks for the declarations first.
        target = world.fresh[0]
        row = next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).text() == numbers[target])
        _click_row(qtbot, page.table, row)
        qtbot.waitUntil(lambda: numbers[target] in page.summary_view.toPlainText(), timeout=10000)
        assert page.table.item(row, 3).text() == "未开始"
        click(qtbot, page.score_button)
        dialog = modal(qtbot, DeclarationDialog)
        assert not dialog.accept_button.isEnabled() and page.score_window is None
        _tick(qtbot, dialog.no_conflict)
        assert not dialog.accept_button.isEnabled() and "保密承诺" in dialog.problem.text()
        _tick(qtbot, dialog.confidentiality)
        qtbot.waitUntil(dialog.accept_button.isEnabled)
        dialog.grab().save(str(screenshot_dir() / "my-reviews-declarations.png"))
        click(qtbot, dialog.accept_button)
        # The declaration is recorded, then the score entry opens on their own sheet.
        qtbot.waitUntil(lambda: page.score_window is not None, timeout=15000)
        entry = page.score_window
        qtbot.waitUntil(lambda: bool(entry.rows) and entry.rows[-1].points.isVisible(), timeout=15000)
        assert entry.reviewer_id == world.expert_id and not entry.transcribe.isVisible()
        with Database(db.url).session() as session:
            declared = session.scalars(select(ReviewDeclaration)).one()
            assert (declared.expert_id, declared.stage_id, declared.accepted_by) == (
                world.expert_id, world.stage_id, EXPERT_LOGIN,
            )  # fmt: skip
        for _key in entry.vetoes:
            qtbot.keyClick(entry.focusWidget(), Qt.Key.Key_N)
            qtbot.keyClick(entry.focusWidget(), Qt.Key.Key_Tab)
        typed = {}
        for crow in entry.rows:
            value = int(crow.criterion.max_points * Decimal("0.8"))
            typed[crow.criterion.key] = Decimal(value)
            qtbot.keyClicks(entry.focusWidget(), str(value))
            qtbot.keyClick(entry.focusWidget(), Qt.Key.Key_Tab)
        assert entry.focusWidget() is entry.opinion
        qtbot.keyClick(entry.opinion, Qt.Key.Key_1)
        qtbot.keyClick(entry.opinion, Qt.Key.Key_Tab)
        type_text(qtbot, entry.written, "研究目标明确，建议支持。")
        entry.grab().save(str(screenshot_dir() / "my-reviews-score-entry.png"))
        click(qtbot, entry.submit_button)
        wait_idle(qtbot, window.ctx)
        with Database(db.url).session() as session:

            def submitted():
                session.expire_all()
                sheet = session.scalar(
                    select(ScoreSheet).where(
                        ScoreSheet.application_id == target, ScoreSheet.reviewer_id == world.expert_id
                    )
                )
                return sheet is not None and sheet.status is SheetStatus.SUBMITTED

            qtbot.waitUntil(submitted, timeout=15000)
            sheet = session.scalar(
                select(ScoreSheet).where(ScoreSheet.application_id == target, ScoreSheet.reviewer_id == world.expert_id)
            )
            keys = {c.id: c.key for c in sheet.rubric_version.criteria}
            assert {keys[s.criterion_id]: s.points for s in sheet.scores} == typed
            mine = select(AuditEvent).where(AuditEvent.actor == EXPERT_LOGIN).order_by(AuditEvent.seq)
            actions = [e.action for e in session.scalars(mine)]
            assert actions[0] == "declaration.accept"
            assert {"sheet.submit", "sheet.create_submit"} & set(actions[1:])
        click(qtbot, entry.close_button)
        qtbot.waitUntil(lambda: page.table.item(row, 3).text() == "已提交", timeout=15000)
        window.grab().save(str(screenshot_dir() / "my-reviews-page.png"))
    finally:
        if launcher.window is not None:
            launcher.window.close()
        launcher.shutdown()


def test_staff_see_no_change(db, qtbot):
    expert_world(db)
    launcher = _log_in(qtbot, db.url, "staff1")
    try:
        window = launcher.window
        wait_idle(qtbot, window.ctx)
        titles = [window.nav.item(i).text() for i in range(window.nav.count())]
        assert titles == [_(spec.title) for spec in PAGES] and "我的评审" not in titles
        assert not window.expert_only
    finally:
        if launcher.window is not None:
            launcher.window.close()
        launcher.shutdown()
