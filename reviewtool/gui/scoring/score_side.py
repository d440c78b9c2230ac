"""The side of the score sheet: the application's abstract (F2), its areas
and plan match (F3) and its attachments (F4, opened with the desktop's
viewer). Read-only, outside the Tab order.

Threading: GUI thread only; opening an attachment goes through ``ctx.run_db``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMessageBox, QTabWidget, QTextBrowser

from reviewtool.core.scoring.rubric import PLAN_MATCH_KINDS
from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.scoring import sheets


class ApplicationSide(QTabWidget):
    def __init__(self, ctx: GuiContext, parent=None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.abstract_view = QTextBrowser()
        self.areas_view = QTextBrowser()
        self.attachments = QListWidget()
        for view in (self.abstract_view, self.areas_view, self.attachments):
            view.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.addTab(self.abstract_view, _("Abstract"))
        self.addTab(self.areas_view, _("Areas and plan"))
        self.addTab(self.attachments, _("Attachments"))
        self.attachments.itemActivated.connect(self.open_attachment)

    def show_context(self, context: sheets.ScoringContext) -> None:
        self.abstract_view.setPlainText(context.abstract or _("(no abstract)"))
        self._fill_areas(context)
        for attachment_id, kind, filename in context.attachments:
            item = QListWidgetItem(f"{filename}（{kind}）")
            item.setData(Qt.ItemDataRole.UserRole, attachment_id)
            item.setToolTip(_("Double-click or press Enter to open"))
            self.attachments.addItem(item)
        if not context.attachments:
            self.attachments.addItem(_("(no attachments)"))

    def _fill_areas(self, context: sheets.ScoringContext) -> None:
        parts = []
        match = _(PLAN_MATCH_KINDS.get(context.plan_match, context.plan_match))
        parts.append("<p>" + _("Plan match: <b>{match}</b>").format(match=match))
        if context.suggested_band:
            parts.append(
                "　" + _("suggested band for the plan-fit criterion: <b>{band}</b>").format(band=context.suggested_band)
            )
        parts.append("</p>")
        if not context.areas:
            parts.append("<p>" + _("No confirmed priority areas.") + "</p>")
        for area in context.areas:
            role = _("primary") if area.role == "primary" else _("secondary")
            parts.append(f"<p><b>{area.code} {area.title}</b>（{role}）<br>{area.description}</p>")
        self.areas_view.setHtml("".join(parts))

    def open_attachment(self, item: QListWidgetItem) -> None:
        attachment_id = item.data(Qt.ItemDataRole.UserRole)
        if attachment_id is None:
            return
        from reviewtool.services.intake.attachments import export_attachment

        folder = Path(tempfile.gettempdir()) / "reviewtool-attachments"
        self._ctx.run_db(
            lambda s, _p, _c: export_attachment(s, attachment_id, folder),
            lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
            lambda e: QMessageBox.warning(self, _("Error"), str(e)),
        )
