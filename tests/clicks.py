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


def choose(qtbot, combo, data=None, *, text: str | None = None) -> None:
    """Pick an item of a combo box (by its data, or its text) as a person does from the
    keyboard: Alt+Down opens the combo's list, Down or Up moves to the item, Enter takes it.
    (Taking it from the list also puts its text in an editable combo showing other text.)"""
    target = combo.findText(text) if text is not None else combo.findData(data)
    assert target >= 0, f"no item {text if text is not None else data!r} in the combo box"
    qtbot.waitUntil(lambda: combo.isVisible() and combo.isEnabled(), timeout=10000)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=10000)
    for _step in range(combo.count()):
        row = view.currentIndex().row()
        if row == target:
            break
        qtbot.keyClick(view, Qt.Key.Key_Down if row < target else Qt.Key.Key_Up)
    assert view.currentIndex().row() == target, f"the keys did not reach item {target} of the combo box's list"
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=10000)
    assert combo.currentIndex() == target and combo.currentText() == combo.itemText(target)


def check(qtbot, box, checked: bool = True) -> None:
    """Click a check box or radio button (on its indicator, which a stretched box's
    middle may be far from) or a checkable button, so that it is ``checked``."""
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QCheckBox, QRadioButton, QStyle

    if box.isChecked() == checked:
        return
    qtbot.waitUntil(lambda: box.isVisible() and box.isEnabled(), timeout=10000)
    metric = {
        QCheckBox: QStyle.PixelMetric.PM_IndicatorWidth,
        QRadioButton: QStyle.PixelMetric.PM_ExclusiveIndicatorWidth,
    }
    kind = next((k for k in metric if isinstance(box, k)), None)
    if kind is None:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    else:
        width = box.style().pixelMetric(metric[kind], None, box)
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(width // 2 + 1, box.height() // 2))
    assert box.isChecked() == checked, (
        f"clicking {box.text()!r} did not make it {'checked' if checked else 'unchecked'}"
    )


def click_tool(qtbot, toolbar, action) -> None:
    """Click the tool button that shows ``action`` on ``toolbar``."""
    button = toolbar.widgetForAction(action)
    assert button is not None, f"{action.text()!r} is not on the toolbar"
    click(qtbot, button)


def click_menu(qtbot, window, action) -> None:
    """Choose ``action`` from the window's menu bar: click the menu's title,
    then the action's entry in the menu that opens. (When the action runs a
    dialog with ``exec()``, arrange its answer with ``when_modal`` first.)"""
    bar = window.menuBar()
    holder = next((a for a in bar.actions() if a.menu() is not None and action in a.menu().actions()), None)
    assert holder is not None, f"{action.text()!r} is in no menu of the menu bar"
    menu = holder.menu()
    qtbot.waitUntil(lambda: bar.isVisible() and holder.isVisible(), timeout=10000)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(holder).center())
    qtbot.waitUntil(menu.isVisible, timeout=10000)
    assert action.isVisible() and action.isEnabled(), f"{action.text()!r} cannot be chosen"
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


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


def retype_combo(qtbot, combo, text: str) -> None:
    """Type over what an editable combo box shows: click into its text field,
    select everything (Ctrl+A) and type."""
    line = combo.lineEdit()
    assert line is not None, "the combo box is not editable"
    qtbot.waitUntil(lambda: combo.isVisible() and combo.isEnabled(), timeout=10000)
    click_into(qtbot, line)
    retype(qtbot, line, text)
    assert combo.currentText() == text, f"the combo box shows {combo.currentText()!r}, not {text!r}"


def open_editor(qtbot, view) -> QWidget:
    """The cell editor open in ``view`` (once it is shown and has the keyboard focus)."""
    from PySide6.QtWidgets import QAbstractItemView

    def editor() -> QWidget | None:
        widget = QApplication.focusWidget()
        if view.state() != QAbstractItemView.State.EditingState or widget is None:
            return None
        return widget if view.viewport().isAncestorOf(widget) else None

    qtbot.waitUntil(lambda: editor() is not None, timeout=10000)
    return editor()


def type_in_editor(qtbot, view, text: str) -> None:
    """Type over the text of the cell editor open in ``view`` (Ctrl+A, then the
    text), then press Enter to keep it: the editor closes."""
    from PySide6.QtWidgets import QAbstractItemView

    editor = open_editor(qtbot, view)
    retype(qtbot, editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.state() != QAbstractItemView.State.EditingState, timeout=10000)


def _in_sight(view, index) -> None:
    """Scroll ``index`` into view and check a person could see it (the view's
    viewport is not cut off there by a scroll area or splitter around it)."""
    view.scrollTo(index)
    centre = view.visualRect(index).center()
    assert view.viewport().visibleRegion().contains(centre), f"{index.data()!r} is out of sight"


def edit_cell(qtbot, view, row: int, column: int, text: str) -> None:
    """Double-click a table cell, type ``text`` over it in the editor that opens, press Enter.
    The cell must be in sight (not cut off by a scroll area or a splitter around the table)."""
    _in_sight(view, view.model().index(row, column))
    click_row(qtbot, view, row, column, double=True)
    type_in_editor(qtbot, view, text)


def click_check_cell(qtbot, view, row: int, column: int) -> None:
    """Click the check box drawn in a table cell (on its indicator, where the view toggles it)."""
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

    index = view.model().index(row, column)
    _in_sight(view, index)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    option.checkState = Qt.CheckState(index.data(Qt.ItemDataRole.CheckStateRole))
    option.widget = view
    indicator = view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, view)
    assert option.rect.contains(indicator.center()), "no check box in that cell"
    before = index.data(Qt.ItemDataRole.CheckStateRole)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=indicator.center())
    qtbot.waitUntil(lambda: index.data(Qt.ItemDataRole.CheckStateRole) != before, timeout=10000)


def click_tree_item(qtbot, tree, index) -> None:
    """Click an item of a tree view (its parents must be expanded), scrolling it into view first."""
    parent = index.parent()
    while parent.isValid():
        assert tree.isExpanded(parent), f"{parent.data()!r} is collapsed: expand it first"
        parent = parent.parent()
    _in_sight(tree, index)
    rect = tree.visualRect(index)
    assert rect.isValid(), f"{index.data()!r} is not shown"
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: tree.currentIndex() == index, timeout=10000)


def expand_tree_item(qtbot, tree, index) -> None:
    """Click the arrow left of a collapsed tree item, so that its children show."""
    from PySide6.QtCore import QPoint

    if tree.isExpanded(index):
        return
    tree.scrollTo(index)
    rect = tree.visualRect(index)
    assert rect.isValid(), f"{index.data()!r} is not shown"
    arrow = QPoint(rect.left() - tree.indentation() // 2, rect.center().y())
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=arrow)
    qtbot.waitUntil(lambda: tree.isExpanded(index), timeout=10000)


def click_into(qtbot, widget) -> None:
    """Click into a text field (or any widget that takes the focus by a click): it has the focus."""
    qtbot.waitUntil(lambda: widget.isVisible() and widget.isEnabled(), timeout=10000)
    window = widget.window()
    if not window.isActiveWindow():
        # A click on a window the desktop left inactive (offscreen, after a dialog closed)
        # activates it first: the window manager's part of a person's click.
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=10000)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(widget.hasFocus, timeout=10000)
