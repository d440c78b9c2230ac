"""One entry point for every export, as the export dialog offers them.

``run_export(session, request, progress, cancel)`` dispatches to the PDF
and Excel exporters; the GUI runs it on the worker with a progress dialog
and a cancel button. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import N_, _
from reviewtool.services.audit_log.exports import recorded_export
from reviewtool.services.documents.export import ExportResult, SheetKind, export_sheets, export_summary
from reviewtool.services.documents.export_notices import (
    export_meeting_sheet,
    export_notices,
    export_panel_docx,
    export_publicity,
)
from reviewtool.services.exports.workbooks import export_batch_workbook, export_funding_workbook, export_score_matrix
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress

#: (code, title, target kind: "dir" for a folder, else the file suffix)
EXPORTS: tuple[tuple[str, str, str], ...] = (
    ("expert", N_("Expert review sheets (PDF)"), "dir"),
    ("blank", N_("Blank review sheets (PDF)"), "dir"),
    ("blank_by_expert", N_("Blank review sheets, one packet per expert (PDF)"), "dir"),
    ("panel", N_("Panel review opinion sheets (PDF)"), "dir"),
    ("panel_docx", N_("Panel review opinion sheets (Word)"), "dir"),
    ("leader_draft", N_("Panel leader's summary drafts (Word)"), "dir"),
    ("applicant", N_("Comments for applicants (PDF)"), "dir"),
    ("publicity_pdf", N_("Public notice and list (PDF)"), ".pdf"),
    ("publicity_docx", N_("Public notice and list (Word)"), ".docx"),
    ("publicity_xlsx", N_("Public notice and list (Excel)"), ".xlsx"),
    ("notices_pdf", N_("Outcome letters to applicant units (PDF)"), "dir"),
    ("notices_docx", N_("Outcome letters to applicant units (Word)"), "dir"),
    ("signin", N_("Sign-in sheet of a panel (PDF)"), ".pdf"),
    ("fees", N_("Review fee receipt of a panel (PDF)"), ".pdf"),
    ("summary", N_("Review results summary (PDF)"), ".pdf"),
    ("funding_xlsx", N_("Funding recommendation list (Excel)"), ".xlsx"),
    ("funding_pdf", N_("Funding recommendation list (PDF)"), ".pdf"),
    ("matrix", N_("Score matrix (Excel)"), ".xlsx"),
    ("batch", N_("Whole batch data (Excel)"), ".xlsx"),
)
TARGETS = {code: target for code, _title, target in EXPORTS}
#: exports of one panel's paperwork (the dialog asks which panel)
PANEL_EXPORTS = ("signin", "fees")


@dataclass(frozen=True)
class ExportRequest:
    what: str  # a code of EXPORTS
    batch_id: int
    target: Path  # folder for "dir" exports, else the file
    anonymous: bool = False
    combined: bool = False
    per_expert: bool = False
    group_by_area: bool = False
    font_file: str | None = None
    panel: str | None = None  # signin / fees: the panel's name (None: the stage's only panel)
    stage_id: int | None = None  # the review stage (None: the batch's current stage)
    actor: str = ""  # who exports (recorded); empty: the operator's login name


@recorded_export  # every export leaves a record (documents.export), confidential ones marked
def run_export(
    session: Session,
    request: ExportRequest,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ExportResult:
    if request.what not in TARGETS:
        raise UserError(_("Unknown export “{what}”.").format(what=request.what))
    kind = TARGETS[request.what]
    target = Path(request.target)
    if kind != "dir" and target.suffix.lower() != kind:
        raise UserError(_("{file}: the file name must end in {allowed}.").format(file=target, allowed=kind))
    what = request.what
    common = {"font_file": request.font_file}
    if what in ("expert", "blank", "blank_by_expert", "panel", "applicant"):
        return export_sheets(
            session,
            request.batch_id,
            target,
            kind=SheetKind.BLANK if what == "blank_by_expert" else SheetKind(what),
            anonymous=request.anonymous,
            combined=request.combined,
            per_expert=request.per_expert,
            by_expert=what == "blank_by_expert",
            progress=progress,
            cancel=cancel,
            stage_id=request.stage_id,
            **common,
        )
    if what in ("panel_docx", "leader_draft"):
        return export_panel_docx(
            session,
            request.batch_id,
            target,
            leader_draft=what == "leader_draft",
            anonymous=request.anonymous,
            combined=request.combined,
            progress=progress,
            cancel=cancel,
            stage_id=request.stage_id,
            **common,
        )
    if what.startswith("publicity_"):
        return export_publicity(
            session, request.batch_id, target, progress=progress, cancel=cancel, stage_id=request.stage_id, **common
        )
    if what.startswith("notices_"):
        return export_notices(
            session,
            request.batch_id,
            target,
            combined=request.combined,
            fmt=what.split("_", 1)[1],
            progress=progress,
            cancel=cancel,
            stage_id=request.stage_id,
            **common,
        )
    if what in PANEL_EXPORTS:
        return export_meeting_sheet(
            session, request.batch_id, target, panel=request.panel, fees=what == "fees", cancel=cancel,
            stage_id=request.stage_id, **common,
        )  # fmt: skip
    if request.what in ("summary", "funding_pdf"):
        return export_summary(
            session,
            request.batch_id,
            target,
            group_by_area=request.group_by_area,
            funded_only=request.what == "funding_pdf",
            font_file=request.font_file,
            progress=progress,
            cancel=cancel,
            stage_id=request.stage_id,
        )
    progress.update(0, 1, target.name)
    if request.what == "funding_xlsx":
        path = export_funding_workbook(session, request.batch_id, target, request.stage_id)
    elif request.what == "matrix":
        path = export_score_matrix(
            session, request.batch_id, target, anonymous=request.anonymous, stage_id=request.stage_id
        )
    else:
        path = export_batch_workbook(
            session, request.batch_id, target, progress=progress, cancel=cancel, stage_id=request.stage_id
        )
    progress.update(1, 1, path.name)
    return ExportResult((path,), 1)
