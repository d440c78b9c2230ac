"""Import applications from a summary workbook: choose the file and the batch,
preview, map the columns if needed, then import.

The preview is a dry run of the same service the CLI uses; nothing is written
until the user presses Import, and a rejected row blocks the import unless
"import only the valid rows" is ticked. The batch is always chosen by the
clerk (the open batches are offered, none is pre-filled). Every header of the
sheet is listed beside the preview with a drop-down of the fields; choosing a
field previews again with that mapping, which can be saved under a name for
every workstation. Rejected rows can be exported as a sheet to send back.
Both runs happen on the worker with progress and cancel.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from reviewtool.gui.context import GuiContext
from reviewtool.gui.intake.mapping_table import MappingTable
from reviewtool.gui.widgets.row_table_model import RowTableModel
from reviewtool.i18n import N_, _
from reviewtool.paths import resource_path
from reviewtool.services.applications import ApplicationQuery, count_applications
from reviewtool.services.batches.batch import list_open_batches
from reviewtool.services.intake import import_result, importer
from reviewtool.services.intake.mapping import list_profiles
from reviewtool.services.intake.rejected_sheet import write_rejected_rows

ACTIONS = {
    "create": N_("New"),
    "update": N_("Update"),
    "unchanged": N_("Unchanged"),
    "reject": N_("Rejected"),
}
COLORS = {"create": "#e8f5e9", "update": "#fff8e1", "reject": "#ffebee", "unchanged": "#f5f5f5"}
#: Offered by “Use the sample sheet” while the database holds no applications.
SAMPLE_SHEET = resource_path("samples", "申报汇总表示例.xlsx")
SAMPLE_BATCH = "2025年海东市科技计划项目（示例）"
PREVIEW_COLUMNS = (
    N_("Row"),
    N_("Action"),
    N_("No."),
    N_("Project title"),
    N_("Applicant unit"),
    N_("Project leader"),
    N_("County"),
    N_("Requested (10k yuan)"),
    N_("Total (10k yuan)"),
    N_("Details"),
)
DETAILS_COLUMN = len(PREVIEW_COLUMNS) - 1


class PreviewModel(RowTableModel):
    """The rows of an import preview (plain ``RowOutcome`` values)."""

    headers = PREVIEW_COLUMNS

    def outcome(self, row: int) -> import_result.RowOutcome:
        return self.rows[row]

    @staticmethod
    def details(outcome, *, full: bool = False) -> str:
        parts = [issue.text() if full else issue.short_text() for issue in outcome.issues]
        if outcome.changes:
            parts.append(
                _("Changes: {changes}").format(
                    changes="；".join(
                        f"{key}: {import_result.plain_value(old)} → {import_result.plain_value(new)}"
                        for key, (old, new) in outcome.changes.items()
                    )
                )
            )
        if outcome.suggested_area:
            parts.append(_("Suggested area: {code}").format(code=outcome.suggested_area))
        elif outcome.suggestion_confidence == "low":
            parts.append(_("No area of the plan clearly fits: choose one in the form."))
        return "\n".join(parts)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        outcome = self.rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values = (
                str(outcome.row) + (" " + _("(hidden)") if outcome.hidden else ""),
                _(ACTIONS[outcome.action]),
                outcome.number,
                outcome.title,
                outcome.unit,
                outcome.pi_name,
                outcome.county,
                import_result.plain_value(outcome.requested) or "",
                import_result.plain_value(outcome.total) or "",
                self.details(outcome, full=role == Qt.ItemDataRole.ToolTipRole),
            )
            return values[column]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(COLORS[outcome.action]))
        return None


class ImportDialog(QDialog):
    """Choose a workbook and a batch, preview, import."""

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None, *, path: str = "") -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.result_data: import_result.ImportResult | None = None
        self.setWindowTitle(_("Import applications"))
        self.resize(1100, 640)

        self.file_edit = QLineEdit(path)
        self.file_edit.setPlaceholderText(_("Summary workbook (.xlsx or .csv)"))
        browse = QPushButton(_("Browse…"))
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(browse)
        self.sample_button = QPushButton(_("Use the sample sheet"))
        self.sample_button.setToolTip(_("Try the import with the sample summary sheet that comes with reviewtool."))
        self.sample_button.setVisible(False)  # shown by _offer_sample when there are no applications yet
        self.sample_button.clicked.connect(self._use_sample)
        file_row.addWidget(self.sample_button)

        self.batch_combo = QComboBox()
        self.batch_combo.setEditable(True)
        self.batch_combo.setMinimumContentsLength(30)
        self.batch_combo.lineEdit().setPlaceholderText(_("Choose the batch, or type a new name to create it"))
        self.profile_combo = QComboBox()
        self.profile_combo.addItem(_("automatic (a saved mapping made for these headers, if any)"), None)
        self.save_profile_edit = QLineEdit()
        self.save_profile_edit.setPlaceholderText(_("Name to save this column mapping under (optional)"))
        self.existing_combo = QComboBox()
        self.existing_combo.addItem(_("update the stored application"), import_result.EXISTING_UPDATE)
        self.existing_combo.addItem(_("reject the row"), import_result.EXISTING_REJECT)
        self.only_valid = QCheckBox(_("Import only the valid rows when some are rejected"))
        self.accept_duplicates = QCheckBox(_("Import probable duplicates (same unit, similar title)"))
        self.suggest = QCheckBox(_("Suggest a priority area for rows without one"))
        self.suggest.setChecked(True)

        form = QFormLayout()
        form.addRow(_("File"), file_row)
        form.addRow(_("Batch"), self.batch_combo)
        form.addRow(_("Column mapping"), self.profile_combo)
        form.addRow(_("Save mapping as"), self.save_profile_edit)
        form.addRow(_("A number already in the batch"), self.existing_combo)
        form.addRow("", self.only_valid)
        form.addRow("", self.accept_duplicates)
        form.addRow("", self.suggest)

        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((60, 70, 100, 230, 170, 70, 90, 80, 80)):
            self.table.setColumnWidth(column, width)
        self.mapping_table = MappingTable()
        self.mapping_table.mapping_changed.connect(self._mapped)
        self._mapping: dict[str, str] = {}
        splitter = QSplitter()
        splitter.addWidget(self.mapping_table)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([430, 850])
        self.mapping_table.setMinimumWidth(320)

        self.summary = QLabel(_("Choose a file and press Preview."))
        self.summary.setWordWrap(True)

        self.buttons = QDialogButtonBox()
        self.preview_button = self.buttons.addButton(_("Preview"), QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button = self.buttons.addButton(_("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_rejected_button = self.buttons.addButton(
            _("Export rejected rows…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.export_rejected_button.setToolTip(
            _("Save the rejected rows with their problems, to send back to applicants.")
        )
        self.export_rejected_button.setEnabled(False)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.import_button.setEnabled(False)
        self.preview_button.clicked.connect(lambda _checked=False: self.preview())
        self.import_button.clicked.connect(lambda _checked=False: self.run_import())
        self.export_rejected_button.clicked.connect(lambda _checked=False: self.export_rejected())
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        for widget in (self.only_valid, self.accept_duplicates, self.suggest):
            widget.toggled.connect(self._invalidate)
        self.existing_combo.currentIndexChanged.connect(self._invalidate)
        self.file_edit.textChanged.connect(self._new_file)
        self.batch_combo.currentTextChanged.connect(self._invalidate)
        self.profile_combo.currentIndexChanged.connect(self._invalidate)
        self.save_profile_edit.textChanged.connect(self._invalidate)
        self._load_batches()

    # -- setup ---------------------------------------------------------------

    def _load_batches(self) -> None:
        def load(session, _p, _c):
            return [b.name for b in list_open_batches(session)], [p.name for p in list_profiles(session)]

        self._ctx.run_db(load, self._fill_choices)
        self._ctx.run_db(lambda session, _p, _c: count_applications(session, ApplicationQuery()), self._offer_sample)

    def _offer_sample(self, applications: int) -> None:
        self.sample_button.setVisible(applications == 0 and SAMPLE_SHEET.is_file())

    def _use_sample(self) -> None:
        self.file_edit.setText(str(SAMPLE_SHEET))
        if not self.batch_combo.currentText().strip():
            self.batch_combo.setEditText(SAMPLE_BATCH)

    def _fill_choices(self, found: tuple[list[str], list[str]]) -> None:
        names, profiles = found
        current = self.batch_combo.currentText()
        self.batch_combo.blockSignals(True)
        self.batch_combo.clear()
        self.batch_combo.addItems(names)
        self.batch_combo.setEditText(current)  # never pre-filled: the clerk chooses the batch
        self.batch_combo.blockSignals(False)
        for name in profiles:
            self.profile_combo.addItem(name, name)

    def _new_file(self, *_args) -> None:
        self._mapping = {}
        self._invalidate()

    def _mapped(self, header: str, key: str) -> None:
        """A field chosen in the mapping table: preview again with it (on top of the mapping in use)."""
        if not self._mapping and self.result_data is not None:
            self._mapping = dict(self.result_data.mapping)
        self._mapping[header] = key
        self._invalidate()
        self.preview()

    def _browse(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Import applications"), self.file_edit.text(), _("Workbooks (*.xlsx *.xlsm *.csv);;All files (*)")
        )
        if path:
            self.file_edit.setText(path)

    def _invalidate(self, *_args) -> None:
        self.import_button.setEnabled(False)
        self.export_rejected_button.setEnabled(False)
        if self.result_data is not None:
            self.summary.setText(_("Options changed; press Preview again."))
        self.result_data = None

    def options(self, *, dry_run: bool) -> import_result.ImportOptions:
        return import_result.ImportOptions(
            batch=self.batch_combo.currentText().strip() or None,
            existing=self.existing_combo.currentData(),
            accept_probable_duplicates=self.accept_duplicates.isChecked(),
            only_valid=self.only_valid.isChecked(),
            suggest=self.suggest.isChecked(),
            dry_run=dry_run,
            mapping=dict(self._mapping),
            profile=self.profile_combo.currentData(),
            save_profile=self.save_profile_edit.text().strip() or None,
        )

    # -- preview and import ----------------------------------------------------

    def preview(self) -> None:
        path = self.file_edit.text().strip()
        if not path:
            self.summary.setText(_("Choose a file first."))
            return
        if not self.batch_combo.currentText().strip():
            self.summary.setText(_("Choose the batch the applications belong to (or type a new batch's name)."))
            return
        options = self.options(dry_run=True)
        actor = self._ctx.actor
        self.preview_button.setEnabled(False)
        self.summary.setText(_("Reading {file}…").format(file=Path(path).name))

        def work(session, progress, cancel):
            return importer.import_applications(session, path, options, actor=actor, progress=progress, cancel=cancel)

        self._ctx.run_db(
            work, self._previewed, self._failed, label=_("Checking {file}…").format(file=Path(path).name),
            cancellable=True, parent=self,
        )  # fmt: skip

    def _previewed(self, result: import_result.ImportResult) -> None:
        self.preview_button.setEnabled(True)
        self.result_data = result
        self.model.set_rows(result.rows)
        self.mapping_table.blockSignals(True)
        self.mapping_table.set_headers(result.headers)
        self.mapping_table.blockSignals(False)
        if len(result.rows) <= 500:
            self.table.resizeRowsToContents()
        counts = result.counts()
        text = _(
            "Sheet {sheet}, header row {header}, batch {batch}{new}: {create} new, {update} to update, "
            "{unchanged} unchanged, {reject} rejected; {skipped} rows skipped (blank, totals, notes)."
        ).format(
            sheet=result.sheet,
            header="、".join(map(str, result.header_rows)),
            batch=result.batch,
            new=_(" (new)") if result.batch_created else "",
            create=counts["create"],
            update=counts["update"],
            unchanged=counts["unchanged"],
            reject=counts["reject"],
            skipped=counts["skipped_rows"],
        )
        if result.unknown_columns:
            text += "\n" + _("Extra columns kept as additional fields: {columns}").format(
                columns="、".join(result.unknown_columns)
            )
        for message in result.messages:
            text += "\n" + message
        writable = counts["create"] + counts["update"]
        if result.rejected and not self.only_valid.isChecked():
            text += "\n" + _(
                "Nothing can be imported while rows are rejected: correct the file, or tick "
                "“Import only the valid rows”."
            )
            writable = 0
        if result.missing_columns:
            text += "\n" + _("Choose, in the list of headers on the left, the column that holds {missing}.").format(
                missing="、".join(result.missing_columns)
            )
            writable = 0
        self.summary.setText(text)
        self.import_button.setEnabled(writable > 0)
        self.export_rejected_button.setEnabled(result.rejected > 0)

    def export_rejected(self) -> None:
        """Save the rejected rows of the last preview as a workbook (no database work)."""
        if self.result_data is None or not self.result_data.rejected:
            return
        suggested = str(
            Path(self.file_edit.text().strip()).with_name(Path(self.result_data.file).stem + "_未导入.xlsx")
        )
        path, _filter = QFileDialog.getSaveFileName(self, _("Export rejected rows"), suggested, _("Workbooks (*.xlsx)"))
        if not path:
            return
        try:
            count = write_rejected_rows(self.result_data, path)
        except OSError as exc:
            self.summary.setText(_("The file could not be written: {error}").format(error=exc))
            return
        self.summary.setText(
            self.summary.text()
            + "\n"
            + _("{count} rejected rows saved to {file}.").format(count=count, file=Path(path).name)
        )

    def _failed(self, error: BaseException) -> None:
        self.preview_button.setEnabled(True)
        self.import_button.setEnabled(False)
        self.summary.setText(str(error))

    def run_import(self) -> None:
        if self.result_data is None:
            return
        path = self.file_edit.text().strip()
        options = self.options(dry_run=False)
        actor = self._ctx.actor
        self.import_button.setEnabled(False)
        self.preview_button.setEnabled(False)

        def work(session, progress, cancel):
            return importer.import_applications(session, path, options, actor=actor, progress=progress, cancel=cancel)

        self._ctx.run_db(
            work, self._imported, self._failed, label=_("Importing {file}…").format(file=Path(path).name),
            cancellable=True, parent=self,
        )  # fmt: skip

    def _imported(self, result: import_result.ImportResult) -> None:
        self.result_data = result
        if not result.written:
            self._previewed(result)
            return
        self._ctx.bus.announce(import_result.changes_of(result))
        self.accept()
