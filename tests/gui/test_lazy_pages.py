"""The main window imports and builds a page when it is first shown, and hidden
pages do no work (gui/page_stack.py). Nothing here times anything: the
structure is checked instead — which modules a cold start loaded, and which
pages sent work to the database worker."""

from __future__ import annotations

import os
import traceback

import pytest
from PySide6.QtCore import Qt

from conftest_helpers import wait_idle
from gui.cold_start import cold_start
from reviewtool.gui.main_window import PAGES, MainWindow
from reviewtool.gui.page_stack import merged
from reviewtool.i18n import _
from reviewtool.services.changes import Changes

#: Libraries that must wait until a page or a command needs them.
HEAVY = ("openpyxl", "reportlab", "jieba", "sklearn", "scipy", "ortools", "numpy", "docx", "docxtpl", "pandas")


def test_a_cold_start_loads_only_the_shown_page_and_no_heavy_library(tmp_path):
    report = cold_start(tmp_path)
    assert report["built"] == ["applications_page"]  # the first start opens the application list
    assert set(HEAVY) & set(report["main"]["roots"]) == set()
    page_modules = {spec.target.split(":")[0] for spec in PAGES}
    assert page_modules & set(report["main"]["gui"]) == {"reviewtool.gui.applications_page"}


def test_merged_changes_keep_every_flag_and_the_latest_message():
    both = merged(Changes(applications=True, message="a", details={"x": 1}), Changes(sheets=True, message="b"))
    assert both.applications and both.sheets and not both.batches
    assert both.message == "b" and both.details == {"x": 1}


@pytest.fixture
def window(demo_ctx, qtbot):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, demo_ctx)
    return window


@pytest.fixture
def worker_calls(demo_ctx, monkeypatch):
    """The source files that sent each database task (the frames above ``run_db``)."""
    calls: list[set[str]] = []
    run_db = demo_ctx.tasks.run_db

    def spy(*args, **kwargs):
        calls.append({os.path.basename(frame.filename) for frame in traceback.extract_stack()[:-1]})
        return run_db(*args, **kwargs)

    monkeypatch.setattr(demo_ctx.tasks, "run_db", spy)
    return calls


def click_nav(qtbot, window, title: str) -> None:
    item = window.nav.findItems(title, Qt.MatchFlag.MatchExactly)[0]
    rect = window.nav.visualItemRect(item)
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_only_the_shown_page_is_built(window):
    built = [spec.attribute for spec in PAGES if window.page_stack.built(spec.attribute) is not None]
    assert built == ["applications_page"]
    assert window.pages.currentWidget() is window.applications_page


def test_a_hidden_page_waits_for_its_show_to_reload(window, qtbot, demo_ctx, worker_calls):
    funding = window.funding_page  # built, but hidden
    wait_idle(qtbot, demo_ctx)
    worker_calls.clear()
    demo_ctx.bus.announce(Changes(applications=True, sheets=True, batches=True))
    demo_ctx.bus.announce(Changes(sheets=True))
    wait_idle(qtbot, demo_ctx)
    assert not any("funding_page.py" in files for files in worker_calls)
    assert any("applications_page.py" in files or "applications_model.py" in files for files in worker_calls)

    worker_calls.clear()
    click_nav(qtbot, window, _("Funding"))
    qtbot.waitUntil(lambda: window.pages.currentWidget() is funding)
    wait_idle(qtbot, demo_ctx)
    assert any("funding_page.py" in files for files in worker_calls)
    assert window.page_stack.built("ranking_page") is None  # still never shown, never built


def test_pages_shown_by_click_are_built_in_their_place(window, qtbot, demo_ctx):
    click_nav(qtbot, window, _("Expert pool"))
    qtbot.waitUntil(lambda: window.page_stack.built("experts_page") is not None)
    assert window.pages.currentWidget() is window.experts_page
    assert window.pages.indexOf(window.experts_page) == window.page_stack.index_of("experts_page")
    assert window.nav.count() == window.pages.count() == len(PAGES)
    wait_idle(qtbot, demo_ctx)
