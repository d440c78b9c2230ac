"""Exports of the documents that leave the bureau and of the meeting
paperwork: the 公示 notice and list (PDF, Word, Excel), the outcome letters
to applicant units (PDF or Word; one file per unit or one combined file),
the 签到表 and 专家评审费签领表 of a panel (PDF), and the Word forms of the
综合评审意见表 and the 组长综合意见 draft.

Every export reads inside the session, writes through a staging folder or
an atomic file (nothing half-written on error or cancel), and returns an
``ExportResult`` whose warning names any character no installed font has,
with the document it is in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services import files
from reviewtool.services.documents import data
from reviewtool.services.documents.data_meeting import meeting_sheet
from reviewtool.services.documents.data_notices import outcome_letters, publicity_doc, publicity_warnings
from reviewtool.services.documents.document_templates import template_for
from reviewtool.services.documents.docx_context import notices_context, panel_context, publicity_context
from reviewtool.services.documents.docx_render import render_docx
from reviewtool.services.documents.export_files import (
    ExportResult,
    MissingCharacters,
    Staging,
    bureau_name,
    get_batch,
    layout_cancel,
    safe_filename,
)
from reviewtool.services.documents.fonts import document_fonts
from reviewtool.services.documents.issued import Ledger
from reviewtool.services.documents.layout import Styles
from reviewtool.services.documents.render import meeting_story, outcome_story, publicity_story, write_pdf
from reviewtool.services.documents.render_meeting import meeting_title
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress

FORMATS = ("pdf", "docx")


def _suffix(path: Path, allowed: Sequence[str]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise UserError(
            _("{file}: the file name must end in {allowed}.").format(file=path, allowed=" / ".join(allowed))
        )
    return suffix


def _missing(name: str, chars: str) -> tuple[MissingCharacters, ...]:
    return (MissingCharacters(name, chars),) if chars else ()


def export_publicity(
    session: Session,
    batch_id: int,
    out_file: str | Path,
    *,
    font_file: str | None = None,
    today: dt.date | None = None,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
    stage_id: int | None = None,
) -> ExportResult:
    """The 公示 notice and list as .pdf, .docx or .xlsx (by the file's suffix)."""
    out_file = Path(out_file)
    suffix = _suffix(out_file, (".pdf", ".docx", ".xlsx"))
    bureau = bureau_name(session)
    doc = publicity_doc(session, batch_id, bureau=bureau, today=today, stage_id=stage_id)
    notes = tuple(publicity_warnings(session, batch_id))
    fonts = document_fonts(font_file)
    progress.update(0, 1, out_file.name)
    if suffix == ".pdf":
        st = Styles(fonts)
        ledger = Ledger(doc.title, batch_id, doc.batch)
        write_pdf(out_file, [publicity_story(doc, st)], fonts=fonts, author=bureau, on_progress=layout_cancel(cancel),
                  fingerprint=ledger.issue(out_file.name))  # fmt: skip
        ledger.record(session, out_file.parent)
        missing = st.take_missing()
    elif suffix == ".docx":
        template, name = template_for(session, "publicity", show_amount=doc.show_amount)
        content, missing = render_docx(template, publicity_context(doc), name=name, fonts=fonts)
        cancel.check()
        files.write_bytes(out_file, content)
    else:
        from reviewtool.services.exports.publicity_workbook import write_publicity_workbook

        write_publicity_workbook(doc, out_file)
        texts = [doc.title, *doc.paragraphs, *(v for r in doc.rows for v in (r.title, r.unit, r.pi_name, r.county))]
        missing = "".join(sorted({ch for t in texts for ch in fonts.missing(t)}))
    progress.update(1, 1, out_file.name)
    return ExportResult((out_file,), 1, fonts.warning, missing=_missing(out_file.name, missing), notes=notes)


def export_notices(
    session: Session,
    batch_id: int,
    out_dir: str | Path,
    *,
    combined: bool = False,
    fmt: str = "pdf",
    application_ids: Sequence[int] | None = None,
    font_file: str | None = None,
    today: dt.date | None = None,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
    stage_id: int | None = None,
) -> ExportResult:
    """立项通知 and 不予立项 letters: one file per applicant unit, or one combined file."""
    if fmt not in FORMATS:
        raise UserError(_("Unknown format “{format}”; choose pdf or docx.").format(format=fmt))
    batch = get_batch(session, batch_id)
    bureau = bureau_name(session)
    letters = outcome_letters(session, batch_id, bureau=bureau, ids=application_ids, today=today, stage_id=stage_id)
    fonts = document_fonts(font_file)
    st = Styles(fonts)
    groups: dict[str, list] = {}
    title = _("Outcome letters")
    if combined:
        groups[f"{batch.name}_{title}"] = letters
    else:
        for letter in letters:
            groups.setdefault(f"{letter.app.unit}_{title}", []).append(letter)
    template = name = None
    if fmt == "docx":
        template, name = template_for(session, "notices")
    ledger = Ledger(title, batch_id, batch.name)
    with Staging(Path(out_dir)) as staging:
        for done, (key, members) in enumerate(groups.items(), start=1):
            cancel.check()
            file_name = safe_filename(key) + f".{fmt}"
            target = staging.path / file_name
            if fmt == "pdf":
                write_pdf(target, [outcome_story(letter, st) for letter in members], fonts=fonts, author=bureau,
                          on_progress=layout_cancel(cancel),
                          fingerprint=ledger.issue(file_name, sorted({m.app.number for m in members})))  # fmt: skip
                staging.note_missing(file_name, st.take_missing())
            else:
                content, missing = render_docx(template, notices_context(members, bureau), name=name, fonts=fonts)
                files.write_bytes(target, content)
                staging.note_missing(file_name, missing)
            progress.update(done, len(groups), key)
        cancel.check()
        ledger.record(session, staging.path)
        written = staging.commit()
    return ExportResult(tuple(written), len(letters), fonts.warning, missing=tuple(staging.missing))


def export_meeting_sheet(
    session: Session,
    batch_id: int,
    out_file: str | Path,
    *,
    panel: str | None = None,
    fees: bool = False,
    fee=None,
    font_file: str | None = None,
    cancel: CancelToken = NEVER_CANCELLED,
    stage_id: int | None = None,
) -> ExportResult:
    """The 签到表 or (``fees``) the 专家评审费签领表 of one panel, as PDF."""
    out_file = Path(out_file)
    _suffix(out_file, (".pdf",))
    sheet = meeting_sheet(session, batch_id, panel, fees=fees, fee=fee, stage_id=stage_id)
    if not sheet.members:
        raise UserError(_("Panel {panel} has no members yet.").format(panel=sheet.panel))
    bureau = bureau_name(session)
    fonts = document_fonts(font_file)
    st = Styles(fonts)
    ledger = Ledger(meeting_title(sheet), batch_id, sheet.batch)
    write_pdf(out_file, [meeting_story(sheet, st, bureau=bureau)], fonts=fonts, author=bureau,
              on_progress=layout_cancel(cancel), fingerprint=ledger.issue(out_file.name))  # fmt: skip
    ledger.record(session, out_file.parent)
    return ExportResult((out_file,), 1, fonts.warning, missing=_missing(out_file.name, st.take_missing()))


def export_panel_docx(
    session: Session,
    batch_id: int,
    out_dir: str | Path,
    *,
    leader_draft: bool = False,
    anonymous: bool = False,
    combined: bool = False,
    application_ids: Sequence[int] | None = None,
    font_file: str | None = None,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
    stage_id: int | None = None,
) -> ExportResult:
    """The 综合评审意见表, or (``leader_draft``) the 组长综合意见 draft, of a review stage, as Word documents."""
    batch = get_batch(session, batch_id)
    bureau = bureau_name(session)
    sheets = data.panel_sheets(session, batch_id, anonymous=anonymous, ids=application_ids, stage_id=stage_id)
    if not sheets:
        raise UserError(_("Batch {batch} has nothing to print for this document.").format(batch=batch.name))
    code = "leader_draft" if leader_draft else "panel_sheet"
    title = _("Panel leader's summary (draft)") if leader_draft else _("Panel review opinion sheets")
    heading = _("Panel leader's summary (draft)") if leader_draft else _("Panel review opinion sheet")
    template, name = template_for(session, code)
    fonts = document_fonts(font_file)
    groups = {f"{batch.name}_{title}": sheets} if combined else {f"{s.app.number}_{title}": [s] for s in sheets}
    with Staging(Path(out_dir)) as staging:
        for done, (key, members) in enumerate(groups.items(), start=1):
            cancel.check()
            file_name = safe_filename(key) + ".docx"
            context = panel_context(members, bureau, title=heading)
            content, missing = render_docx(template, context, name=name, fonts=fonts)
            files.write_bytes(staging.path / file_name, content)
            staging.note_missing(file_name, missing)
            progress.update(done, len(groups), key)
        cancel.check()
        written = staging.commit()
    return ExportResult(tuple(written), len(sheets), fonts.warning, missing=tuple(staging.missing))
