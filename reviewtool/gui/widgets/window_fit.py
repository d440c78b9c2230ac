"""Windows that fit the bureau's laptops (1280×720 and 1366×768 screens).

``fit_to_screen`` gives a window its preferred size, or the screen's free
area (without the taskbar, less room for the title bar) when that is
smaller. Each window's layout must also be able
to shrink that far: ``tests/gui/test_window_fit.py`` sets every window to
1280×720 less a taskbar and checks its OK/Save buttons are on the screen.

GUI thread only.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QFrame, QScrollArea, QWidget

#: Room for the window's title bar and frame, which ``resize`` does not count.
FRAME_HEIGHT = 32
FRAME_WIDTH = 8


def available_size(widget: QWidget | None = None):
    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize ``window`` to ``width``×``height``, shrunk to the screen when that is smaller."""
    parent = window.parentWidget()
    area = available_size(parent.window() if parent is not None else window)
    window.resize(min(width, area.width() - FRAME_WIDTH), min(height, area.height() - FRAME_HEIGHT))


def scrolling(widget: QWidget) -> QScrollArea:
    """``widget`` in a frameless scroll area, so a long form can shrink with its window."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


def shrinkable(combo: QComboBox, characters: int) -> QComboBox:
    """Let a choice box shrink to ``characters`` wide when its row is short of
    room (a long English entry must not widen the window); its open list still
    shows every entry whole."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    return combo
