"""Priority-area codes shown with their titles ("HD-I05 特色养殖业高效生产与精深加工技术研发").

- ``area_text(code, title)``: the one way a code and its title are written.
- ``area_titles(session)``: code → title of the plan's areas (worker thread).
- ``ElidedLabel``: one line, elided with "…" when short of room; the whole
  text is its tooltip.
- ``AreaCodesLabel``: under a field where codes are typed (secondary areas,
  an expert's fields, a rubric's scope), the titles of the codes typed so
  far, and the codes that are not areas of the plan.

GUI thread only, except ``area_titles``.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy, QWidget

from reviewtool.i18n import _

_SEPARATORS = re.compile(r"[，,；;、\s]+")


def area_text(code: str | None, title: str | None) -> str:
    if not code:
        return ""
    return f"{code} {title}" if title else code


def area_titles(session) -> dict[str, str]:
    """Code → title of every area of the active plan editions."""
    from reviewtool.services.taxonomy import list_areas

    return {area.code: area.title for area in list_areas(session)}


def split_area_codes(text: str) -> list[str]:
    return [c for c in _SEPARATORS.split(text.strip().upper()) if c]


class ElidedLabel(QLabel):
    """A one-line label that elides its text to the room it has."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self.setToolTip(text.replace("；", "\n"))

    def minimumSizeHint(self):  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        hint.setWidth(0)
        return hint

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), text)


class AreaCodesLabel(ElidedLabel):
    """Follows ``edit`` (where area codes are typed) and names the areas typed."""

    def __init__(self, edit: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName(f"{edit.objectName() or 'areas'}-titles")
        self._edit = edit
        self._titles: dict[str, str] = {}
        self.setStyleSheet("color: #555;")
        edit.textChanged.connect(self.refresh)

    def set_titles(self, titles: dict[str, str]) -> None:
        self._titles = dict(titles)
        self.refresh()

    def unknown_codes(self) -> list[str]:
        if not self._titles:
            return []
        return [c for c in split_area_codes(self._edit.text()) if c not in self._titles]

    def refresh(self, *_args) -> None:
        codes = split_area_codes(self._edit.text())
        known = [area_text(c, self._titles[c]) for c in codes if c in self._titles]
        unknown = self.unknown_codes()
        parts = known[:]
        if unknown:
            parts.append(_("not areas of the plan: {codes}").format(codes="、".join(unknown)))
        self.setStyleSheet("color: #b71c1c;" if unknown else "color: #555;")
        self.setText("；".join(parts))
