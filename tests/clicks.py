"""Driving the real window as a person does: click buttons, rows and
navigation items, type with keys, and answer dialogs when they appear.

Dialogs opened with ``open()`` return at once: click, then ``modal(...)``
waits for the dialog. Dialogs run with ``exec()`` (message boxes, file
pickers) block the click itself: ``when_modal(...)`` arranges, before the
click, to wait for the dialog inside its own event loop and answer it.
No fixed delays anywhere: every wait is ``qtbot.waitUntil`` on a condition.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget


def click(qtbot, button: QAbstractButton) -> None:
    """Click a button the way a person can: only when it is visible and enabled."""
    qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=10000)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def modal(qtbot, kind: type | None = None, *, timeout: int = 10000) -> QWidget:
    """The modal dialog on top (of ``kind``), once it is shown."""

    def found() -> bool:
        widget = QApplication.activeModalWidget()
        return widget is not None and widget.isVisible() and (kind is None or isinstance(widget, kind))

    qtbot.waitUntil(found, timeout=timeout)
    return QApplication.activeModalWidget()


def shown(qtbot, kind: type, *, timeout: int = 10000) -> QWidget:
    """The visible window of ``kind`` (a modeless window such as the export dialog), once shown."""

    def find():
        return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)

    qtbot.waitUntil(lambda: find() is not None, timeout=timeout)
    return find()


def when_modal(qtbot, action: Callable[[QWidget], None], kind: type | None = None, *, after: QWidget | None = None):
    """Answer the next modal dialog (of ``kind``; not ``after``) with ``action``.

    Call it *before* the click that runs the dialog's ``exec()``: it watches,
    from the event loop, for the dialog to be shown (checking each turn of the
    loop, like ``waitUntil``, never sleeping a fixed time) and then answers it
    inside the dialog's own loop. Returns a list that holds the dialog once
    answered, so the test can check it was."""
    import time

    answered: list[QWidget] = []
    deadline = time.monotonic() + 15

    def ready() -> QWidget | None:
        widget = QApplication.activeModalWidget()
        if widget is None or widget is after or not widget.isVisible():
            return None
        return widget if kind is None or isinstance(widget, kind) else None

    def poll() -> None:
        widget = ready()
        if widget is None:
            if time.monotonic() < deadline:
                QTimer.singleShot(10, poll)
            return
        answered.append(widget)
        action(widget)

    QTimer.singleShot(0, poll)
    return answered


def press(qtbot, box: QMessageBox, which: QMessageBox.StandardButton) -> None:
    """Click one of a message box's standard buttons."""
    qtbot.mouseClick(box.button(which), Qt.MouseButton.LeftButton)


def click_nav(qtbot, window, title: str) -> QWidget:
    """Click a navigation item by its text; the page now shown."""
    items = window.nav.findItems(title, Qt.MatchFlag.MatchExactly)
    assert items, f"no navigation item {title!r}"
    rect = window.nav.visualItemRect(items[0])
    qtbot.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.nav.currentItem() is items[0])
    return window.pages.currentWidget()


def click_tab(qtbot, tabs, index: int) -> None:
    """Click a tab of a QTabWidget by its position."""
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index)


def row_of(view, column: int, text: str) -> int:
    model = view.model()
    for row in range(model.rowCount()):
        if model.index(row, column).data() == text:
            return row
    raise AssertionError(f"no row with {text!r} in column {column}: "
                         f"{[model.index(r, column).data() for r in range(model.rowCount())]}")  # fmt: skip


def click_row(qtbot, view, row: int, column: int = 0, *, double: bool = False) -> None:
    """Click (or double-click) a table cell, scrolling it into view first."""
    index = view.model().index(row, column)
    view.scrollTo(index)
    rect = view.visualRect(index)
    # A person's double-click is a press and release, then the double-click:
    # the view acts on a double-click only over the cell it saw pressed.
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    if double:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def retype(qtbot, widget, text: str) -> None:
    """Select everything in a line edit or spin box and type over it."""
    from conftest_helpers import type_text

    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    type_text(qtbot, widget, text)


def answer_file_dialog(qtbot, text: str, *, after: QWidget | None = None) -> list:
    """Answer the next file dialog (``QFileDialog.get…`` runs it with ``exec()``) by entering
    ``text`` in its file-name box and pressing Enter. Call before the click.

    The text arrives as one input-method commit, as a paste or an IME delivers
    it: typed key by key, the box's completer popup takes the keys offscreen."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QFileDialog, QLineEdit

    def fill(dialog) -> None:
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        assert edit is not None, "not Qt's own file dialog"
        qtbot.waitUntil(edit.isVisible)
        edit.setFocus()
        edit.selectAll()
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(edit, event)
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    return when_modal(qtbot, fill, QFileDialog, after=after)
