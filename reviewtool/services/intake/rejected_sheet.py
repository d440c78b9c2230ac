"""The rejected rows of an import as a workbook to send back to the applicants:
one line per problem, naming the sheet, row and column, with the row's number,
title, unit and project leader. Written with the injection-safe helpers
(``services.exports.xlsx``), atomically."""

from __future__ import annotations

from pathlib import Path

from reviewtool.i18n import _
from reviewtool.services.exports.xlsx import Column, TableSheet, add_sheet, new_workbook, save_workbook
from reviewtool.services.intake.import_result import ImportResult


def write_rejected_rows(result: ImportResult, path: str | Path) -> int:
    """Write the rejected rows of ``result`` to ``path`` (.xlsx); returns how many rows were written."""
    workbook = new_workbook()
    sheet = TableSheet(
        add_sheet(workbook, _("Rejected rows")),
        [
            Column(_("Sheet")),
            Column(_("Row"), "int"),
            Column(_("No.")),
            Column(_("Project title"), width=40),
            Column(_("Applicant unit"), width=30),
            Column(_("Project leader")),
            Column(_("Column letter")),
            Column(_("Problem"), width=60, wrap=True),
        ],
        title=_("{file}: rows not imported").format(file=result.file),
    )
    written = 0
    for outcome in result.rows:
        if outcome.action != "reject":
            continue
        written += 1
        problems = [i for i in outcome.issues if i.kind != "warning"] or outcome.issues
        for issue in problems:
            column = f"{issue.column}（{issue.header}）" if issue.column else ""
            sheet.append(
                [
                    outcome.sheet,
                    outcome.row,
                    outcome.number,
                    outcome.title,
                    outcome.unit,
                    outcome.pi_name,
                    column,
                    issue.message,
                ]
            )
    sheet.finish()
    save_workbook(workbook, path)
    return written
