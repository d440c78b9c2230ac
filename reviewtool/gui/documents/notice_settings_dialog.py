"""The batch's notice and letter settings: the 公示期, how to object, the
contact, the date of issue, the 复核 period, the meeting and the review fee
(``services.documents.notice_settings``).

Reads and saves on the worker; a bad value is shown under the form, naming
the field, and nothing is stored.

Threading: GUI thread only; database work goes through ``ctx.run_db``.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import _
from reviewtool.services.documents.notice_settings import FIELDS, notice_settings, set_notice_settings


class NoticeSettingsDialog(QDialog):
    def __init__(self, ctx: GuiContext, batch_id: int, batch_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.batch_id = batch_id
        self.setWindowTitle(_("Notice and letter settings — {batch}").format(batch=batch_name))
        self.setMinimumWidth(560)
        self.fields: dict[str, QWidget] = {}
        form = QFormLayout()
        for name, (label, kind) in FIELDS.items():
            if kind == "bool":
                widget = QCheckBox(_(label))
                form.addRow("", widget)
            elif name == "objection":
                widget = QPlainTextEdit()
                widget.setPlaceholderText(_("Empty: the standard text"))
                widget.setFixedHeight(80)
                form.addRow(_("{label}:").format(label=_(label)), widget)
            else:
                widget = QLineEdit()
                if kind == "date":
                    widget.setPlaceholderText("YYYY-MM-DD")
                form.addRow(_("{label}:").format(label=_(label)), widget)
            widget.setObjectName(f"notice-{name}")
            self.fields[name] = widget
        self.error = QLabel()
        self.error.setObjectName("notice-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #B00020")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(_("Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        self.save_button.clicked.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.save_button.setEnabled(False)
        self.ctx.run_db(lambda s, _p, _c: notice_settings(s, batch_id).as_json(), self._fill, self._failed)

    def _fill(self, values: dict) -> None:
        for name, widget in self.fields.items():
            value = values.get(name)
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value or "")
            else:
                widget.setText("" if value is None else str(value))
        self.save_button.setEnabled(True)

    def values(self) -> dict:
        out = {}
        for name, widget in self.fields.items():
            if isinstance(widget, QCheckBox):
                out[name] = widget.isChecked()
            elif isinstance(widget, QPlainTextEdit):
                out[name] = widget.toPlainText().strip()
            else:
                out[name] = widget.text().strip()
        return out

    def _save(self) -> None:
        values = self.values()
        self.save_button.setEnabled(False)
        self.error.clear()
        self.ctx.run_db(
            lambda s, _p, _c: set_notice_settings(s, self.batch_id, values, actor=self.ctx.actor),
            self._saved,
            self._failed,
        )

    def _saved(self, _changes) -> None:
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.error.setText(str(error))
