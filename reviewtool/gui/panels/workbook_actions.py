"""The panel page's offline scoring workbooks: export them for the members,
and import the filled ones — checked first (a dry run), every file and every
error shown in one dialog, then imported on confirmation.

Export, check and import run on the worker with a progress dialog (after
600 ms) and a Cancel button; cancelling rolls the transaction back.

Threading: GUI thread only; database work goes through ``ctx.run_db``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from reviewtool.i18n import _
from reviewtool.services.changes import Changes
from reviewtool.services.panels import workbook_export, workbook_import


def import_summary(report: workbook_import.ImportReport) -> str:
    """The first line of the report: how many files, sheets and refusals."""
    new = sum(f.count("new") for f in report.files if f.ok)
    updated = sum(f.count("update") for f in report.files if f.ok)
    failed = sum(1 for f in report.files if not f.ok)
    return _("{files} files: {new} new sheets, {updated} updated, {failed} files refused.").format(
        files=len(report.files), new=new, updated=updated, failed=failed
    )


def import_lines(report: workbook_import.ImportReport) -> list[str]:
    """Every file with every one of its errors, and every change field by field."""
    lines = []
    for f in report.files:
        if not f.ok:
            lines.append(_("✗ {file}: refused, nothing from it is imported").format(file=f.path.name))
            lines += [f"    {error}" for error in f.errors]
            continue
        label = f"{f.expert}（{f.path.name}）"
        if not f.changed:
            lines.append(_("✓ {file}: nothing new").format(file=label))
            continue
        lines.append(_("✓ {file}: {new} new, {updated} updated").format(
            file=label, new=f.count("new"), updated=f.count("update")))  # fmt: skip
        for row in f.rows:
            if row.action == "new":
                lines.append("    " + _("{number}: new sheet").format(number=row.number)
                             + ("" if row.submit else _(" (draft: {missing})").format(missing="；".join(row.missing))))  # fmt: skip
            elif row.action == "update":
                changes = "；".join(f"{k} {a}→{b}" for k, (a, b) in row.changes.items())
                lines.append(f"    {row.number}: {changes}")
    return lines


class ImportCheckDialog(QDialog):
    """The dry run's report: the summary, then every file and every error in
    a scrollable text; 导入 only when some file would change something."""

    def __init__(self, report: workbook_import.ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(_("Import scoring workbooks"))
        self.summary = QLabel(import_summary(report))
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-weight: bold;")
        self.details = QPlainTextEdit("\n".join(import_lines(report)))
        self.details.setObjectName("import-details")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.will_import = any(f.ok and f.changed for f in report.files)
        older = [f for f in report.files if getattr(f, "refused_older", False)]
        # A replay (a workbook exported before the stored sheets last changed) is applied only when confirmed.
        self.accept_older = QCheckBox(
            _("Also import the {count} older workbooks, reverting the fields listed").format(count=len(older))
        )
        self.accept_older.setVisible(bool(older))
        self.buttons = QDialogButtonBox()
        if self.will_import or older:
            self.import_button = self.buttons.addButton(_("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
            self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel).setText(_("Cancel"))
            question = _("Import the changes of the files marked ✓? Refused files are left out.")
        else:
            self.import_button = None
            self.buttons.addButton(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
            question = _("Nothing to import.")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.accept_older)
        layout.addWidget(QLabel(question))
        layout.addWidget(self.buttons)
        self.resize(820, 460)


class WorkbookActions:
    """Export and import for one panel page (which gives the panel id, the
    context and ``run`` — the page's way to run a change and announce it)."""

    def __init__(self, page) -> None:
        self.page = page
        self.last_check: ImportCheckDialog | None = None

    def export(self, folder: str | None = None) -> None:
        page = self.page
        if page._panel_id is None:
            return
        if not folder:
            folder = QFileDialog.getExistingDirectory(page, _("Folder for the scoring workbooks"))
        if not folder:
            return
        panel_id, actor = page._panel_id, page.ctx.actor

        def run(session, progress, cancel):
            files = workbook_export.export_workbooks(
                session, panel_id, Path(folder), actor=actor, progress=progress, cancel=cancel
            )
            return Changes(
                message=_("Exported {count} scoring workbooks to {folder}").format(count=len(files), folder=folder)
            )

        page._run(run, label=_("Exporting scoring workbooks…"), cancellable=True)

    def import_(self, paths: list[str] | None = None, *, confirm: bool = True) -> None:
        """Check first (dry run), show every file and error, then import on confirmation."""
        page = self.page
        if page._panel_id is None:
            return
        if not paths:
            paths, _f = QFileDialog.getOpenFileNames(page, _("Import scoring workbooks"), "", _("Workbooks (*.xlsx)"))
        if not paths:
            return
        panel_id, actor = page._panel_id, page.ctx.actor
        targets = [Path(p) for p in paths]

        def check(session, progress, cancel):
            return workbook_import.import_workbooks(session, targets, actor=actor, dry_run=True,
                                                    expect_panel_id=panel_id, progress=progress, cancel=cancel)  # fmt: skip

        def run(session, progress, cancel, accept_older=False):
            result = workbook_import.import_workbooks(session, targets, actor=actor, expect_panel_id=panel_id,
                                                      progress=progress, cancel=cancel,
                                                      **({"accept_older": True} if accept_older else {}))  # fmt: skip
            result.changes.message = import_summary(result)
            return result.changes

        def checked(report: workbook_import.ImportReport) -> None:
            page.last_import_preview = report
            dialog = ImportCheckDialog(report, page)
            self.last_check = dialog
            if dialog.will_import and not confirm:
                page._run(run, label=_("Importing scoring workbooks…"), cancellable=True)
                return

            def confirmed() -> None:
                older = dialog.accept_older.isChecked()  # read here, on the GUI thread, not in the worker
                page._run(
                    lambda s, p, c: run(s, p, c, accept_older=older),
                    label=_("Importing scoring workbooks…"),
                    cancellable=True,
                )

            dialog.accepted.connect(confirmed)
            dialog.open()

        page.ctx.run_db(check, checked, page.show_error, label=_("Checking scoring workbooks…"), cancellable=True,
                        parent=page)  # fmt: skip
