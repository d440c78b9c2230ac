"""The export dialog: what to export, for which batch (and panel), with which
options, and where. The export runs on the worker (``services.exports.run``)
with a progress dialog after 600 ms and a cancel button.

The fonts are looked up on the worker too (reading the font folders takes
most of a second the first time), so opening the dialog never waits for
them. When a document has characters no installed font has, a message box
names the characters and the documents.

Threading: GUI thread only; database and font work goes through the worker.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reviewtool.gui import options
from reviewtool.gui.context import GuiContext
from reviewtool.gui.documents.notice_settings_dialog import NoticeSettingsDialog
from reviewtool.gui.funding.draft_warning import DRAFT_DOCUMENTS, confirm_draft
from reviewtool.gui.widgets.stage_choice import StageChoice
from reviewtool.i18n import _
from reviewtool.services.applications import list_batches
from reviewtool.services.documents.export import font_in_use
from reviewtool.services.documents.fonts import describe_characters
from reviewtool.services.exports.run import EXPORTS, PANEL_EXPORTS, TARGETS, ExportRequest, run_export
from reviewtool.services.panels.panel import list_panels
from reviewtool.services.progress import Cancelled
from reviewtool.services.stages.stage import stage_choices

_FILTERS = {".pdf": "PDF (*.pdf)", ".xlsx": "Excel (*.xlsx)", ".docx": "Word (*.docx)"}
_SHEETS = ("expert", "blank", "blank_by_expert", "panel", "applicant", "panel_docx", "leader_draft", "notices_pdf",
           "notices_docx")  # fmt: skip


class ExportDialog(QDialog):
    """Emits ``finished_export`` with the ``ExportResult`` when files are written."""

    finished_export = Signal(object)

    def __init__(
        self,
        ctx: GuiContext,
        *,
        batch_id: int | None = None,
        what: str = "expert",
        parent: QWidget | None = None,
        stage_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._wanted_stage = stage_id
        self.setWindowTitle(_("Export documents"))
        self.setMinimumWidth(600)
        self.what = QComboBox()
        for code, title, _target in EXPORTS:
            self.what.addItem(_(title), code)
        self.batch = QComboBox()
        self.stage = StageChoice()
        self.panel = QComboBox()
        self.panel.setObjectName("export-panel")
        self.anonymous = QCheckBox(_("Anonymise experts (专家1, 专家2 …)"))
        self.combined = QCheckBox(_("One combined file instead of one file per application"))
        self.per_expert = QCheckBox(_("One blank sheet per assigned expert"))
        self.by_area = QCheckBox(_("Group by priority area"))
        self.target = QLineEdit()
        self.target.setObjectName("export-target")
        browse = QPushButton(_("Choose…"))
        browse.clicked.connect(self._browse)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target, 1)
        target_row.addWidget(browse)
        self.font_label = QLabel(_("Looking for fonts…"))
        self.font_label.setObjectName("export-font")
        self.font_label.setWordWrap(True)
        font_button = QPushButton(_("Font file…"))
        font_button.clicked.connect(self._choose_font)
        font_row = QHBoxLayout()
        font_row.addWidget(self.font_label, 1)
        font_row.addWidget(font_button)
        self.notice_button = QPushButton(_("Notice and letter settings…"))
        self.notice_button.clicked.connect(self._edit_notice_settings)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setObjectName("export-result")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow(_("Document:"), self.what)
        form.addRow(_("Batch:"), self.batch)
        form.addRow(_("Review stage:"), self.stage)
        form.addRow(_("Panel:"), self.panel)
        form.addRow("", self.anonymous)
        form.addRow("", self.combined)
        form.addRow("", self.per_expert)
        form.addRow("", self.by_area)
        self.target_label = QLabel(_("Output folder:"))
        form.addRow(self.target_label, target_row)
        form.addRow(_("Chinese font:"), font_row)
        form.addRow("", self.notice_button)
        buttons = QDialogButtonBox()
        self.export_button = buttons.addButton(_("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(_("Close"))
        self.export_button.clicked.connect(self.start)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.result_label)
        layout.addWidget(buttons)

        index = self.what.findData(what)
        self.what.setCurrentIndex(max(0, index))
        self.what.currentIndexChanged.connect(self._update_options)
        self.batch.currentIndexChanged.connect(self._load_panels)
        self.stage.activated.connect(lambda _i: self._load_panels(keep_stage=True))
        self._update_options()
        self._wanted_batch = batch_id
        self._show_font()
        self.ctx.run_db(lambda s, _p, _c: [(b.id, b.name) for b in list_batches(s)], self._fill_batches, self._error)

    # -- state -------------------------------------------------------------

    def _fill_batches(self, batches) -> None:
        self.batch.clear()
        for batch_id, name in batches:
            self.batch.addItem(name, batch_id)
        if self._wanted_batch is not None:
            self.batch.setCurrentIndex(max(0, self.batch.findData(self._wanted_batch)))
        self._load_panels()

    def _load_panels(self, *_args, keep_stage: bool = False) -> None:
        """The batch's stages (the one asked for, else the current one) and that stage's panels."""
        batch_id = self.batch.currentData()
        if batch_id is None:
            return
        wanted = self.stage.wanted() if keep_stage else self._wanted_stage

        def load(session, _p, _c):
            rows, chosen = stage_choices(session, int(batch_id), wanted)
            return rows, chosen, [p.name for p in list_panels(session, int(batch_id), chosen)]

        self.ctx.run_db(load, self._fill_panels, self._error)

    def _fill_panels(self, result) -> None:
        rows, chosen, names = result
        self.stage.fill(rows, chosen)
        self.panel.clear()
        for name in names:
            self.panel.addItem(name, name)

    def _update_options(self) -> None:
        code = self.what.currentData()
        self.anonymous.setEnabled(code in ("expert", "panel", "matrix", "panel_docx", "leader_draft"))
        self.combined.setEnabled(code in _SHEETS and code != "blank_by_expert")
        self.per_expert.setEnabled(code == "blank")
        self.by_area.setEnabled(code == "summary")
        self.panel.setEnabled(code in PANEL_EXPORTS)
        self.target_label.setText(_("Output folder:") if TARGETS[code] == "dir" else _("Output file:"))
        current = self.target.text().strip()
        if current and TARGETS[code] != "dir":
            path = Path(current)
            if path.suffix.lower() != TARGETS[code]:
                self.target.setText(
                    str(path.with_suffix(TARGETS[code]) if path.suffix else path / f"{code}{TARGETS[code]}")
                )

    def _browse(self) -> None:
        code = self.what.currentData()
        if TARGETS[code] == "dir":
            chosen = QFileDialog.getExistingDirectory(self, _("Output folder"), self.target.text())
        else:
            chosen, _filter = QFileDialog.getSaveFileName(
                self, _("Output file"), self.target.text(), _FILTERS[TARGETS[code]]
            )
        if chosen:
            self.target.setText(chosen)

    def _show_font(self) -> None:
        """Which font the documents will use, found on the worker."""
        font_file = options.PDF_FONT_FILE.read(self.ctx.settings) or None
        self.ctx.tasks.run(lambda _p, _c: font_in_use(font_file), self._font_found, self._error)

    def _font_found(self, fonts) -> None:
        text = str(fonts.source) if fonts.source else fonts.name
        if fonts.warning:
            text += "\n" + fonts.warning
        self.font_label.setText(text)

    def _choose_font(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, _("Chinese font for PDF documents"), "", _("Fonts (*.ttf *.ttc *.otf)")
        )
        if chosen:
            self.set_font_file(chosen)

    def set_font_file(self, path: str) -> None:
        """Remember the font file in the user's settings (a .ttc uses its first face;
        type ``FILE#INDEX`` in the settings for another)."""
        options.PDF_FONT_FILE.write(self.ctx.settings, path)
        self.font_label.setText(_("Looking for fonts…"))
        self._show_font()

    def _edit_notice_settings(self) -> None:
        batch_id = self.batch.currentData()
        if batch_id is None:
            return
        dialog = NoticeSettingsDialog(self.ctx, int(batch_id), self.batch.currentText(), parent=self)
        dialog.open()

    def request(self) -> ExportRequest | None:
        code = self.what.currentData()
        batch_id = self.batch.currentData()
        text = self.target.text().strip()
        if batch_id is None or not text:
            return None
        return ExportRequest(
            what=code,
            batch_id=int(batch_id),
            target=Path(text),
            anonymous=self.anonymous.isEnabled() and self.anonymous.isChecked(),
            combined=self.combined.isEnabled() and self.combined.isChecked(),
            per_expert=self.per_expert.isEnabled() and self.per_expert.isChecked(),
            group_by_area=self.by_area.isEnabled() and self.by_area.isChecked(),
            font_file=options.PDF_FONT_FILE.read(self.ctx.settings) or None,
            panel=self.panel.currentData() if code in PANEL_EXPORTS else None,
            stage_id=self.stage.wanted(),
            actor=self.ctx.actor,  # the export is recorded under the operator's name
        )

    # -- running -----------------------------------------------------------

    def start(self) -> None:
        request = self.request()
        if request is not None and request.what in DRAFT_DOCUMENTS:
            confirm_draft(self.ctx, self, request.batch_id, self._start)  # asks first while a panel is not final
            return
        self._start()

    def _start(self) -> None:
        request = self.request()
        if request is None:
            self.result_label.setText(_("Choose a batch and where to write the files."))
            return
        self.export_button.setEnabled(False)
        self.result_label.setText(_("Exporting…"))

        def work(session, progress, cancel):
            return run_export(session, request, progress, cancel)

        self.ctx.run_db(
            work,
            self._done,
            self._error,
            label=_("Exporting {what}…").format(what=self.what.currentText()),
            cancellable=True,
            parent=self,
        )

    def _done(self, result) -> None:
        self.export_button.setEnabled(True)
        lines = [_("{count} file(s) written:").format(count=len(result.files))]
        if result.files:
            lines.append(_("in {folder}").format(folder=result.files[0].parent))
        lines += ["  " + p.name for p in result.files[:8]]
        if len(result.files) > 8:
            lines.append("…")
        if result.warning:
            lines.append(_("Warning: {message}").format(message=result.warning))
        self.result_label.setText("\n".join(lines))
        self.adjustSize()
        self.finished_export.emit(result)
        if result.missing:
            self._warn_missing(result.missing)

    def _warn_missing(self, missing) -> None:
        shown = [_("{document}: {characters}").format(document=m.document, characters=describe_characters(m.characters))
                 for m in missing[:10]]  # fmt: skip
        if len(missing) > 10:
            shown.append("…")
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            _("Characters without a font"),
            _(
                "No installed font has these characters; they are printed as their code points. "
                "Install a font that has them (Windows: SimSun-ExtB; Debian: fonts-hanazono) or choose one with "
                "“Font file…”."
            )
            + "\n\n"
            + "\n".join(shown),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("missing-characters")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal, without a nested event loop

    def _error(self, error: BaseException) -> None:
        self.export_button.setEnabled(True)
        if isinstance(error, Cancelled):
            self.result_label.setText(_("Cancelled; no file was written."))
        else:
            self.result_label.setText(_("Error: {message}").format(message=error))
