"""Asking before a draft is exported: while a panel of the batch is not
finalised, the funding list and the 汇总表 are drafts (the documents say
未定稿). ``confirm_draft`` looks the stage up on the worker and, when it is a
draft, asks first (a window-modal question; 导出 goes on, 取消 stops).

Threading: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.batches.stage import ReviewStage, review_stage

#: Export codes (``services.exports.run.EXPORTS``) whose documents are drafts until every panel is final.
DRAFT_DOCUMENTS = ("summary", "funding_xlsx", "funding_pdf")


def confirm_draft(ctx: GuiContext, parent: QWidget, batch_id: int, proceed: Callable[[], None]) -> None:
    def ask(stage: ReviewStage) -> None:
        if not stage.draft:
            proceed()
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("The review is not final"),
            stage.warning(),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            parent,
        )
        box.setInformativeText(_("Export it anyway, marked 未定稿?"))
        box.button(QMessageBox.StandardButton.Yes).setText(_("Export as draft"))
        box.button(QMessageBox.StandardButton.Cancel).setText(_("Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(
            lambda button: proceed() if box.standardButton(button) == QMessageBox.StandardButton.Yes else None
        )
        parent.draft_question = box
        box.open()

    ctx.run_db(
        lambda s, _p, _c: review_stage(s, batch_id), ask, lambda e: QMessageBox.warning(parent, _("Error"), str(e))
    )
