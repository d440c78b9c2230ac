"""Every window fits the bureau's laptops: a 1280×720 and a 1366×768 screen,
less a 40 px taskbar and a 32 px title bar, in Chinese and in English.

Each window is set to that size; Qt keeps a window at least as large as its
layout's minimum, so a window that cannot shrink shows here as a window
larger than the screen. Its OK/Save buttons must then lie inside the
window's area (on the screen), and every page of the main window must show
its buttons there too.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QAbstractButton, QDialogButtonBox, QPushButton

from clicks import click_nav
from conftest_helpers import screenshot_dir, wait_idle
from reviewtool.i18n import set_language

TASKBAR, TITLE_BAR = 40, 32
SCREENS = {"1280x720": (1280, 720 - TASKBAR - TITLE_BAR), "1366x768": (1366, 768 - TASKBAR - TITLE_BAR)}


@pytest.fixture(params=["zh_CN", "en"])
def language(request):
    set_language(request.param)
    yield request.param
    set_language("zh_CN")


@pytest.fixture(params=list(SCREENS))
def screen(request):
    return request.param, SCREENS[request.param]


def on_screen(window, widget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return QRect(0, 0, window.width(), window.height()).contains(QRect(top_left, widget.size()))


def fit(window, size, qtbot) -> None:
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    width, height = size
    assert window.width() <= width and window.height() <= height, (
        f"{type(window).__name__} cannot shrink to {width}×{height}: it stays {window.width()}×{window.height()}"
    )


def assert_buttons_on_screen(window, buttons) -> None:
    buttons = [b for b in buttons if b.isVisible()]
    assert buttons, f"{type(window).__name__}: no visible OK/Save button"
    off = [b.text() for b in buttons if not on_screen(window, b)]
    assert off == [], f"{type(window).__name__}: off the screen: {off}"


def dialog_buttons(dialog) -> list[QAbstractButton]:
    """The dialog's OK / Save / Cancel / Close buttons."""
    found = [b for box in dialog.findChildren(QDialogButtonBox) for b in box.buttons()]
    closing = {"保存", "保存评分表", "确定", "取消", "关闭", "Save", "Save rubric", "OK", "Cancel", "Close"}
    found += [b for b in dialog.findChildren(QPushButton) if b.text() in closing and b not in found]
    return found


def test_main_window_and_every_page_fit(demo_ctx, qtbot, language, screen):
    from reviewtool.gui.main_window import MainWindow

    name, size = screen
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    fit(window, size, qtbot)
    wait_idle(qtbot, demo_ctx)
    assert on_screen(window, window.statusBar())
    for row in range(window.nav.count()):
        page = click_nav(qtbot, window, window.nav.item(row).text())
        wait_idle(qtbot, demo_ctx)
        assert window.width() <= size[0], f"{type(page).__name__} widens the window to {window.width()} px"
        off = [b.text() for b in page.findChildren(QAbstractButton) if b.isVisible() and not on_screen(window, b)]
        assert off == [], f"{type(page).__name__}: buttons off the screen: {off}"
        if name == "1280x720" and language == "en":  # the tightest case, to look at
            window.grab().save(str(screenshot_dir() / f"fit_page_{type(page).__name__}_{name}_{language}.png"))
    click_nav(qtbot, window, window.nav.item(0).text())
    window.grab().save(str(screenshot_dir() / f"fit_main_{name}_{language}.png"))


def open_dialogs(ctx):
    """Every dialog of the pages owned here, freshly built."""
    from reviewtool.gui.experts.expert_dialog import ExpertDialog
    from reviewtool.gui.intake.application_form import ApplicationFormDialog
    from reviewtool.gui.scoring.ranking_page import AttachDialog, ReviewerPicker, RubricsDialog
    from reviewtool.gui.scoring.rubric_editor import RubricEditorDialog
    from reviewtool.gui.settings_dialog import SettingsDialog
    from reviewtool.services.scoring import rubrics, sheets

    with ctx.database.session() as session:
        document = rubrics.spec_of_version(rubrics.get_version(session, rubrics.list_rubrics(session)[0].code))
        choices = sheets.reviewer_choices(session, 1)
    return [
        RubricEditorDialog(ctx, document.as_dict()),
        ApplicationFormDialog(ctx, application_id=1),
        ExpertDialog(None),
        SettingsDialog(ctx, language="zh_CN", bureau_name="海东市科学技术局"),
        RubricsDialog(ctx),
        ReviewerPicker(choices),
        AttachDialog("HD-2025", [(1, "批次")], document),
    ]


def test_every_dialog_fits_with_its_buttons_on_screen(demo_ctx, qtbot, language, screen):
    name, size = screen
    dialogs = open_dialogs(demo_ctx)
    for dialog in dialogs:
        qtbot.addWidget(dialog)
    wait_idle(qtbot, demo_ctx)
    for dialog in dialogs:
        fit(dialog, size, qtbot)
        wait_idle(qtbot, demo_ctx)
        assert_buttons_on_screen(dialog, dialog_buttons(dialog))
        if type(dialog).__name__ == "RubricEditorDialog":
            dialog.grab().save(str(screenshot_dir() / f"fit_rubric_editor_{name}_{language}.png"))
        dialog.hide()
