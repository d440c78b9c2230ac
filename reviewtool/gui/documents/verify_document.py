"""文件 → 核验 PDF 文件…: was this PDF issued by this database, unaltered?

The check is ``services.documents.issued.verify_pdf`` on the worker; the
answer is a message box opened without a nested event loop (it is shown
from the task's callback).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox, QWidget

from reviewtool.i18n import _


def add_action(window: QMainWindow, menu: QMenu) -> None:
    window.verify_action = QAction(_("&Verify a PDF…"), window)
    window.verify_action.setObjectName("verify-pdf-action")
    window.verify_action.setToolTip(_("Check that a PDF is one this database issued, and unaltered (文件指纹)."))
    window.verify_action.triggered.connect(lambda _checked=False: verify_document(window))
    menu.addAction(window.verify_action)


def verify_document(window: QMainWindow) -> None:
    path, _filter = QFileDialog.getOpenFileName(window, _("Verify a PDF"), "", _("PDF documents (*.pdf)"))
    if not path:
        return
    from reviewtool.services.documents.issued import verify_pdf

    window.ctx.run_db(
        lambda session, _progress, _cancel: verify_pdf(session, path),
        lambda result: _show(window, result),
        lambda error: _box(window, str(error), warning=True),
        label=_("Verifying {file}").format(file=path),
    )


def _show(window: QWidget, result) -> None:
    text = ("✓ " if result.ok else "✗ ") + result.reason
    if result.numbers:
        text += "\n" + _("Applications: {numbers}").format(numbers="、".join(result.numbers))
    _box(window, text, warning=not result.ok)


def _box(parent: QWidget, text: str, *, warning: bool) -> QMessageBox:
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Information
    box = QMessageBox(icon, _("Verify a PDF"), text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("verify-pdf-result")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()
    return box
