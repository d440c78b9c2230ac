"""Ask before a dialog throws away what the user typed.

A dialog gives ``UnsavedChanges`` a ``snapshot`` of its values (anything
comparable with ``==``) and its ``save``; it calls ``mark_saved()`` once its
values are loaded and lets its ``reject()`` — Cancel, Esc and the window's
close button all go through it — close only when ``may_close()`` says so:

- nothing changed since ``mark_saved()``: close, without asking;
- otherwise 保存 / 放弃 / 取消: 保存 runs ``save`` (which closes the dialog
  itself when it succeeds, and keeps it open showing the problem when not),
  放弃 closes, 取消 (or Esc in the question) goes back to editing.

GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from reviewtool.i18n import _

_NOT_LOADED = object()


class UnsavedChanges:
    def __init__(self, dialog: QWidget, snapshot: Callable[[], Any], save: Callable[[], None]) -> None:
        self._dialog = dialog
        self._snapshot = snapshot
        self._save = save
        self._saved: Any = _NOT_LOADED
        self.question: QMessageBox | None = None

    def mark_saved(self) -> None:
        """The values as they are now count as unchanged."""
        self._saved = self._snapshot()

    def changed(self) -> bool:
        return self._saved is not _NOT_LOADED and self._snapshot() != self._saved

    def may_close(self) -> bool:
        if not self.changed():
            return True
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self._dialog.windowTitle(),
            _("You have changed this form and not saved it."),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self._dialog,
        )
        box.setInformativeText(_("Save the changes, discard them, or go back to editing?"))
        box.button(QMessageBox.StandardButton.Save).setText(_("Save"))
        box.button(QMessageBox.StandardButton.Discard).setText(_("Discard"))
        box.button(QMessageBox.StandardButton.Cancel).setText(_("Cancel"))
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setEscapeButton(QMessageBox.StandardButton.Cancel)
        self.question = box
        try:
            answer = box.exec()
        finally:
            self.question = None
            box.deleteLater()
        if answer == QMessageBox.StandardButton.Discard:
            return True
        if answer == QMessageBox.StandardButton.Save:
            self._save()
        return False
