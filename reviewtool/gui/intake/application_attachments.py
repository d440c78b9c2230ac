"""The application form's 附件 tab: the files attached to one application.

Listed by an ``AttachmentsModel``; files are stored and removed through
``services.intake.attachments`` on the worker and opened with the desktop's
viewer from a temporary copy. GUI thread only.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.gui.widgets.row_table_model import RowTableModel
from reviewtool.i18n import N_, _
from reviewtool.services.intake import attachments


class AttachmentsModel(RowTableModel):
    """The application's ``AttachmentRow``s."""

    headers = (N_("File"), N_("Kind"), N_("Size"), N_("Added by"), N_("SHA-256"))

    def attachment(self, row: int) -> attachments.AttachmentRow:
        return self.rows[row]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.rows[index.row()]
        if row.size < 1024:
            size = f"{row.size} B"
        elif row.size < 1024 * 1024:
            size = f"{row.size / 1024:,.1f} KB"
        else:
            size = f"{row.size / 1048576:,.1f} MB"
        return (row.filename, _(attachments.KINDS.get(row.kind, row.kind)), size, row.added_by, row.sha256[:16])[
            index.column()
        ]


class AttachmentsTab(QWidget):
    """``application_id`` gives the saved application's id (None while it is new)."""

    def __init__(
        self,
        ctx: GuiContext,
        application_id: Callable[[], int | None],
        show_error: Callable[[BaseException], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._application_id = application_id
        self._show_error = show_error
        self.model = AttachmentsModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _index: self.open_attachment())
        buttons = QHBoxLayout()
        self.add_button = QPushButton(_("Attach file…"))
        self.open_button = QPushButton(_("Open"))
        self.remove_button = QPushButton(_("Remove…"))
        self.add_button.clicked.connect(lambda: self.add_attachment())
        self.open_button.clicked.connect(self.open_attachment)
        self.remove_button.clicked.connect(self.remove_attachment)
        for button in (self.add_button, self.open_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.note = QLabel(_("Save the application first to attach files."))
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.note)

    def show_files(self, files, saved: bool) -> None:
        self.model.set_rows(files)
        for button in (self.add_button, self.open_button, self.remove_button):
            button.setEnabled(saved)
        self.note.setVisible(not saved)

    def reload(self, *_args) -> None:
        application_id = self._application_id()
        self._ctx.run_db(
            lambda session, _p, _c: attachments.list_attachments(session, application_id),
            self.model.set_rows,
            self._show_error,
        )

    def add_attachment(self, path: str | None = None) -> None:
        if not path:
            path, _filter = QFileDialog.getOpenFileName(self, _("Attach file"), "", _("All files (*)"))
        if not path:
            return
        application_id, actor = self._application_id(), self._ctx.actor
        self._ctx.run_db(
            lambda session, _p, _c: attachments.add_attachment(session, application_id, path, actor=actor),
            self.reload,
            self._show_error,
            label=_("Storing the file…"),
        )

    def selected(self) -> attachments.AttachmentRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.attachment(rows[0].row()) if rows else None

    def open_attachment(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        folder = tempfile.mkdtemp(prefix="reviewtool-")
        self._ctx.run_db(
            lambda session, _p, _c: attachments.export_attachment(session, chosen.id, folder),
            lambda path: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))),
            self._show_error,
        )

    def remove_attachment(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        if (
            QMessageBox.question(self, _("Remove attachment"), _("Remove {file}?").format(file=chosen.filename))
            != QMessageBox.StandardButton.Yes
        ):
            return
        actor = self._ctx.actor
        self._ctx.run_db(
            lambda session, _p, _c: attachments.remove_attachment(session, chosen.id, actor=actor),
            self.reload,
            self._show_error,
        )
