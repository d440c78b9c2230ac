"""Answering modal windows as a user does, for tests that click.

A modal dialog opened with ``exec()`` (a question, a file dialog) blocks the
click that opened it until it closes, so the answer has to be arranged
before the click: ``answer_next`` watches (on a short polling timer, the
same waiting ``qtbot.waitUntil`` does) for the next modal window of the
given kind and then clicks its button, or types into it, through real
mouse and key events. The returned ``Answer`` says what was seen.

File choosers are the desktop's (native on Windows), not the application's:
``FileChooser`` stands in for them (``QFileDialog.getSaveFileName`` and
friends), answering with a given path or cancelling, and records what the
application asked for. (Qt's own widget-based file dialog, used offscreen,
races its background folder reader under synthetic input and crashes now
and then, so tests do not drive it.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QFileDialog,
    QMessageBox,
    QWidget,
)

POLL_MS = 20
#: A modal window nobody answers is closed with Esc after this long (and the test fails).
UNANSWERED_MS = 8000
_watchers: list[QTimer] = []


@dataclass
class Answer:
    seen: list[str] = field(default_factory=list)  # window titles, in order
    texts: list[str] = field(default_factory=list)  # message texts (QMessageBox) or "" for others
    done: bool = False


def _button(window: QWidget, text: str) -> QAbstractButton | None:
    for button in window.findChildren(QAbstractButton):
        if button.isVisible() and button.text().replace("&", "") == text:
            return button
    return None


def answer_next(
    qtbot,
    kind=QMessageBox,
    *,
    click: str | None = None,
    then: Callable[[QWidget], None] | None = None,
    timeout: int = 10000,
) -> Answer:
    """Answer the next modal window of ``kind``: click the button labelled
    ``click``, or run ``then(window)`` (which clicks and types itself), or
    with neither press Esc."""
    answer = Answer()
    timer = QTimer()
    left = [timeout // POLL_MS]

    def poll() -> None:
        left[0] -= 1
        window = QApplication.activeModalWidget()
        if window is None or not isinstance(window, kind) or not window.isVisible():
            if left[0] <= 0:
                timer.stop()
            return
        timer.stop()
        answer.seen.append(window.windowTitle())
        answer.texts.append(window.text() if isinstance(window, QMessageBox) else "")
        if then is not None:
            then(window)
        elif click is not None:
            button = _button(window, click)
            assert button is not None, f"no button {click!r} in {window.windowTitle()!r}"
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        else:
            qtbot.keyClick(window, Qt.Key.Key_Escape)
        answer.done = True

    timer.timeout.connect(poll)
    timer.start(POLL_MS)
    answer.timer = timer  # keep it alive as long as the answer
    _watchers.append(timer)
    return answer


@pytest.fixture(autouse=True)
def modal_watchers(qtbot):
    """Import into a test module (autouse there): no watcher outlives its test, and
    a modal window left unanswered (which would block the test for ever) is closed
    with Esc after ``UNANSWERED_MS`` and fails the test."""
    unanswered: list[str] = []
    state = {"window": None, "ticks": 0}
    guard = QTimer()

    def check() -> None:
        window = QApplication.activeModalWidget()
        if window is None or window is not state["window"]:
            state.update(window=window, ticks=0)
            return
        state["ticks"] += 1
        if state["ticks"] * 100 >= UNANSWERED_MS:
            unanswered.append(window.windowTitle())
            state["ticks"] = 0
            qtbot.keyClick(window, Qt.Key.Key_Escape)

    guard.timeout.connect(check)
    guard.start(100)
    yield
    guard.stop()
    for timer in _watchers:
        timer.stop()
    _watchers.clear()
    assert unanswered == [], f"modal windows left unanswered: {unanswered}"


def keep(qtbot, dialog):
    """``qtbot.addWidget`` for a dialog that asks before discarding typed
    data: at teardown (also after a failed assertion) its changes count as
    seen, so closing it does not wait for an answer nobody will give."""

    def forget_changes(widget) -> None:
        unsaved = getattr(widget, "unsaved", None)
        if unsaved is not None:
            unsaved.mark_saved()

    qtbot.addWidget(dialog, before_close_func=forget_changes)
    return dialog


class FileChooser:
    """Stands in for the desktop's file chooser: ``answer`` is the path
    returned (a list of paths for ``getOpenFileNames``; None: the user cancels). ``asked`` records (function, caption,
    suggested path, filter) for each time the application asked."""

    def __init__(self, monkeypatch, answer=None) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str, str, str]] = []
        for name in ("getSaveFileName", "getOpenFileName"):
            monkeypatch.setattr(QFileDialog, name, staticmethod(self.answer_for(name)))
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(self.many_files))
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(self.folder))

    def note_asked(self, name, args, kwargs) -> None:
        values = list(args[1:4]) + [""] * 3
        caption = kwargs.get("caption", values[0])
        suggested = kwargs.get("dir", values[1])
        pattern = kwargs.get("filter", values[2])
        self.asked.append((name, str(caption), str(suggested), str(pattern)))

    def answer_for(self, name):
        def choose(*args, **kwargs):
            self.note_asked(name, args, kwargs)
            return ("" if self.answer is None else str(self.answer)), ""

        return choose

    def many_files(self, *args, **kwargs):
        self.note_asked("getOpenFileNames", args, kwargs)
        if self.answer is None:
            return [], ""
        many = isinstance(self.answer, (list, tuple))
        return [str(path) for path in (self.answer if many else [self.answer])], ""

    def folder(self, *args, **kwargs):
        self.note_asked("getExistingDirectory", args, kwargs)
        return "" if self.answer is None else str(self.answer)
