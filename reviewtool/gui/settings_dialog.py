"""Settings: database location, language, bureau name, PDF font.

Who acts is the logged-in user (shown here, not typed): see ``gui/users``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.i18n import LANGUAGES, _
from reviewtool.services import settings as data_settings
from reviewtool.services.users.login import url_without_password


@dataclass
class SettingsResult:
    database_url: str
    language: str
    bureau_name: str
    font_file: str = ""


class SettingsDialog(QDialog):
    """Edits settings; the caller applies the result (switching databases runs in the background)."""

    def __init__(
        self,
        ctx: GuiContext,
        *,
        language: str,
        bureau_name: str,
        font_file: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Settings"))
        self.setMinimumWidth(560)
        self._ctx = ctx

        self.database_url = QLineEdit(url_without_password(ctx.database.url))  # never the password
        self.database_url.setToolTip(
            _("An SQLite file path, or a server URL such as postgresql://user:password@server/reviewtool")
        )
        open_button = QPushButton(_("Open file…"))
        new_button = QPushButton(_("New database…"))
        open_button.clicked.connect(self._open_file)
        new_button.clicked.connect(self._new_file)
        row = QHBoxLayout()
        row.addWidget(self.database_url, 1)
        row.addWidget(open_button)
        row.addWidget(new_button)
        database_box = QGroupBox(_("Database"))
        database_layout = QVBoxLayout(database_box)
        database_layout.addLayout(row)
        hint = QLabel(_("Changing the database reopens the application's data; the schema is upgraded automatically."))
        hint.setWordWrap(True)
        database_layout.addWidget(hint)

        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(language), 0))
        self.bureau_name = QLineEdit(bureau_name)
        self.user = QLabel(ctx.user.label if ctx.user is not None else ctx.actor)
        self.user.setObjectName("settings-user")

        self.font_file = QLineEdit(font_file)
        self.font_file.setPlaceholderText(_("Found automatically (宋体, 仿宋, 微软雅黑, WenQuanYi …)"))
        font_button = QPushButton(_("Choose…"))
        font_button.clicked.connect(self._choose_font)
        font_row = QHBoxLayout()
        font_row.addWidget(self.font_file, 1)
        font_row.addWidget(font_button)

        form = QFormLayout()
        form.addRow(_("Language"), self.language)
        form.addRow(_(data_settings.BUREAU_NAME.title), self.bureau_name)
        form.addRow(_("Logged in as (recorded in the audit trail)"), self.user)
        form.addRow(_("Chinese font for PDF documents"), font_row)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("OK"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(database_box)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def _open_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Open database"), "", _("SQLite databases (*.sqlite3 *.sqlite *.db);;All files (*)")
        )
        if path:
            self.database_url.setText(f"sqlite:///{Path(path).as_posix()}")

    def _new_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, _("New database"), "reviewtool.sqlite3", _("SQLite databases (*.sqlite3)")
        )
        if path:
            self.database_url.setText(f"sqlite:///{Path(path).as_posix()}")

    def _choose_font(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Chinese font for PDF documents"), "", _("Fonts (*.ttf *.ttc *.otf)")
        )
        if path:
            self.font_file.setText(path)

    def result_values(self) -> SettingsResult:
        return SettingsResult(
            database_url=self.database_url.text().strip(),
            language=self.language.currentData(),
            bureau_name=self.bureau_name.text().strip(),
            font_file=self.font_file.text().strip(),
        )
