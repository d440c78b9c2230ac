"""A small horizontal bar chart drawn with QPainter (QtCharts is not part of
PySide6-Essentials). Plain values in, no data access.

Threading: GUI thread only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_COLOUR = QColor("#3B6EA8")
SECOND_COLOUR = QColor("#9DB7D5")


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str = ""  # shown after the bar (e.g. "3 项 · 95.00 万元 · 63.3%")
    secondary: bool = False  # drawn lighter (e.g. key industries under a direction)


class BarChart(QWidget):
    """One horizontal bar per item, labels on the left, values on the right."""

    ROW = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[Bar] = []
        self._title = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(120)

    @property
    def bars(self) -> list[Bar]:
        return list(self._bars)

    def set_bars(self, bars: list[Bar], title: str = "") -> None:
        self._bars = list(bars)
        self._title = title
        self.setMinimumHeight(40 + self.ROW * max(1, len(self._bars)))
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(560, 40 + self.ROW * max(4, len(self._bars)))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self.palette().base())
        metrics = QFontMetrics(self.font())
        top = 8
        if self._title:
            painter.setPen(self.palette().text().color())
            painter.drawText(
                QRectF(8, top, self.width() - 16, metrics.height()), Qt.AlignmentFlag.AlignLeft, self._title
            )
            top += metrics.height() + 6
        if not self._bars:
            painter.end()
            return
        label_width = min(max(metrics.horizontalAdvance(b.label) for b in self._bars) + 12, self.width() // 3)
        text_width = max(metrics.horizontalAdvance(b.text) for b in self._bars) + 12
        left = 8 + label_width
        span = max(10, self.width() - left - text_width - 8)
        largest = max((b.value for b in self._bars), default=Decimal(0))
        for index, bar in enumerate(self._bars):
            y = top + index * self.ROW
            painter.setPen(self.palette().text().color())
            label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, label_width - 8)
            painter.drawText(QRectF(8, y, label_width - 8, self.ROW), Qt.AlignmentFlag.AlignVCenter, label)
            length = 0.0 if not largest else float(bar.value / largest) * span
            painter.fillRect(
                QRectF(left, y + 4, max(length, 1.0), self.ROW - 8), SECOND_COLOUR if bar.secondary else BAR_COLOUR
            )
            painter.drawText(
                QRectF(left + length + 6, y, text_width, self.ROW), Qt.AlignmentFlag.AlignVCenter, bar.text
            )
        painter.end()
