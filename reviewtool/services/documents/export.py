"""Whole-batch PDF exports: review sheets, panel opinion sheets, applicant
comments and the results summary.

Each export reads what it needs inside the session, then lays the pages
out into a staging folder (``export_files.Staging``): nothing half-written
is left by a cancel or an error. Progress is reported per application (or
per expert for per-expert packets); ``cancel.check()`` runs between
documents and, for a combined file, during the layout itself. Characters no
installed font has are named, per file, in the result's warning.

Fonts are registered once per process (``fonts.document_fonts``), never per
document.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services.documents import data
from reviewtool.services.documents.data_notices import review_note
from reviewtool.services.documents.export_files import (
    ExportResult,
    MissingCharacters,
    Staging,
    bureau_name,
    get_batch,
    layout_cancel,
    safe_filename,
)
from reviewtool.services.documents.fonts import DocumentFonts, document_fonts
from reviewtool.services.documents.issued import Ledger
from reviewtool.services.documents.layout import Styles
from reviewtool.services.documents.model import SummaryDoc, SummaryRow
from reviewtool.services.documents.notice_settings import notice_settings
from reviewtool.services.documents.render import (
    applicant_story,
    expert_sheet_story,
    panel_sheet_story,
    summary_story,
    write_pdf,
)
from reviewtool.services.funding import funding_view
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress

__all__ = [
    "ExportResult",
    "MissingCharacters",
    "SheetKind",
    "export_sheets",
    "export_summary",
    "font_in_use",
    "safe_filename",
    "summary_doc",
]


class SheetKind(str, enum.Enum):
    EXPERT = "expert"  # 专家评审表, filled
    BLANK = "blank"  # 专家评审表, empty
    PANEL = "panel"  # 项目综合评审意见表
    APPLICANT = "applicant"  # comments for the applicant


def _documents(session: Session, batch_id: int, kind: SheetKind, *, anonymous, per_expert, ids, bureau, stage_id):
    """(documents, story function, title of the files)."""
    if kind is SheetKind.EXPERT:
        docs = data.filled_sheets(session, batch_id, anonymous=anonymous, ids=ids, stage_id=stage_id)
        return docs, expert_sheet_story, _("Expert review sheets")
    if kind is SheetKind.BLANK:
        docs = data.blank_sheets(session, batch_id, per_expert=per_expert, ids=ids, stage_id=stage_id)
        return docs, expert_sheet_story, _("Blank review sheets")
    if kind is SheetKind.PANEL:
        docs = data.panel_sheets(session, batch_id, anonymous=anonymous, ids=ids, stage_id=stage_id)
        return docs, panel_sheet_story, _("Panel review opinion sheets")
    settings = notice_settings(session, batch_id)
    docs = data.applicant_letters(
        session,
        batch_id,
        ids=ids,
        bureau=bureau,
        issued=settings.issue_date(),
        review_note=review_note(settings, bureau),
        stage_id=stage_id,
    )
    return docs, applicant_story, _("Expert review comments")


def export_sheets(
    session: Session,
    batch_id: int,
    out_dir: str | Path,
    *,
    kind: SheetKind = SheetKind.EXPERT,
    anonymous: bool = False,
    combined: bool = False,
    per_expert: bool = False,
    by_expert: bool = False,
    application_ids: Sequence[int] | None = None,
    font_file: str | None = None,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
    stage_id: int | None = None,
) -> ExportResult:
    """Write the batch's sheets of one kind, of one review stage (default: the
    current one), as PDF: one file per application, one combined file
    (``combined``), or — for blank sheets per assigned expert — one packet per
    expert (``by_expert``). Reads only."""
    stage_id = data.stage_of(session, batch_id, stage_id)
    batch = get_batch(session, batch_id)
    bureau = bureau_name(session)
    if by_expert:
        if kind is not SheetKind.BLANK:
            raise UserError(_("One packet per expert is only for blank sheets."))
        per_expert = True
    docs, story_of, title = _documents(
        session, batch_id, kind, anonymous=anonymous, per_expert=per_expert, ids=application_ids, bureau=bureau,
        stage_id=stage_id,
    )  # fmt: skip
    all_ids = data.application_ids(session, batch_id, application_ids)
    printed = {d.app.number for d in docs}
    headers = data.app_headers(session, all_ids)
    skipped = tuple(h.number for h in headers.values() if h.number not in printed)
    if not docs:
        raise UserError(_("Batch {batch} has nothing to print for this document.").format(batch=batch.name))
    fonts = document_fonts(font_file)
    st = Styles(fonts)

    groups: dict[str, list] = {}
    if by_expert:
        for doc in docs:
            groups.setdefault(doc.intended_for or _("(no expert assigned)"), []).append(doc)
    else:
        for doc in docs:
            groups.setdefault(doc.app.number, []).append(doc)
    ledger = Ledger(title, batch_id, batch.name)
    with Staging(Path(out_dir)) as staging:
        total = len(groups)
        if combined:
            stories = []
            for done, (key, members) in enumerate(groups.items(), start=1):
                cancel.check()
                stories += [story_of(doc, st, bureau=bureau) for doc in members]
                progress.update(done, total + 1, key)
            name = safe_filename(f"{batch.name}_{title}") + ".pdf"
            progress.update(total, total + 1, _("Laying out {name}").format(name=name))
            fingerprint = ledger.issue(name, sorted(printed))
            write_pdf(staging.path / name, stories, fonts=fonts, author=bureau, on_progress=layout_cancel(cancel),
                      fingerprint=fingerprint)  # fmt: skip
            staging.note_missing(name, st.take_missing())
            progress.update(total + 1, total + 1, name)
        else:
            for done, (key, members) in enumerate(groups.items(), start=1):
                cancel.check()
                name = safe_filename(f"{key}_{title}") + ".pdf"
                write_pdf(
                    staging.path / name,
                    [story_of(doc, st, bureau=bureau) for doc in members],
                    fonts=fonts,
                    author=bureau,
                    fingerprint=ledger.issue(name, sorted({doc.app.number for doc in members})),
                )
                staging.note_missing(name, st.take_missing())
                progress.update(done, total, key)
        cancel.check()
        ledger.record(session, staging.path)
        files = staging.commit()
    return ExportResult(tuple(files), len(docs), fonts.warning, skipped, tuple(staging.missing))


def summary_doc(
    session: Session,
    batch_id: int,
    *,
    group_by_area: bool = False,
    funded_only: bool = False,
    stage_id: int | None = None,
) -> SummaryDoc:
    """The 评审结果汇总表 model from the funding view (ranking + line, on the final
    scores up to a stage); with ``funded_only`` the 拟立项项目清单 (the applications within the line)."""
    view = funding_view(session, batch_id, stage_id)
    rows = tuple(
        SummaryRow(
            rank=r.position,
            number=r.number,
            title=r.title,
            unit=r.unit,
            area=f"{r.area_code} {r.area_title}" if r.area_code else "",
            area_code=r.area_code or "",
            score=r.score,
            sheet_count=r.sheet_count,
            opinions=r.opinions,
            requested=r.requested,
            recommended=r.recommended,
            decision=data.decision_text(vetoed=r.vetoed, sheet_count=r.sheet_count, decision=r.decision.label()),
            funded=r.funded,
            vetoed=r.vetoed,
            stability=r.stability.label() if r.score is not None else "",
            vote=r.vote,
        )
        for r in view.rows
        if r.funded or not funded_only
    )
    titles = {r.area_code: r.area_title or "" for r in view.rows if r.area_code}
    batch = get_batch(session, batch_id)
    rule = (
        view.final_rule
        + " "
        + _("Each stage: trimmed mean with at least {n} sheets, otherwise the mean.").format(
            n=max(3, batch.trimmed_min_sheets or 5)
        )
    )
    return SummaryDoc(
        batch=view.batch,
        rows=rows,
        rule=rule,
        threshold=view.threshold,
        budget=view.budget,
        used=view.used,
        remaining=view.remaining,
        funding_rule=view.rule.label(),
        cut_rank=view.cut_rank,
        group_by_area=group_by_area,
        area_titles=titles,
        title=_("Funding recommendation list") if funded_only else "",
        draft=view.draft,
    )


def export_summary(
    session: Session,
    batch_id: int,
    out_file: str | Path,
    *,
    group_by_area: bool = False,
    funded_only: bool = False,
    font_file: str | None = None,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
    stage_id: int | None = None,
) -> ExportResult:
    """Write the batch's 评审结果汇总表 (landscape), or with ``funded_only``
    its 拟立项项目清单 (final scores up to ``stage_id``, default the current stage)."""
    doc = summary_doc(session, batch_id, group_by_area=group_by_area, funded_only=funded_only, stage_id=stage_id)
    fonts = document_fonts(font_file)
    bureau = bureau_name(session)
    out_file = Path(out_file)
    st = Styles(fonts)
    progress.update(0, 1, out_file.name)
    ledger = Ledger(doc.title or _("Review results summary"), batch_id, doc.batch)
    write_pdf(
        out_file,
        [summary_story(doc, st, bureau=bureau)],
        fonts=fonts,
        wide=True,
        author=bureau,
        on_progress=layout_cancel(cancel),
        fingerprint=ledger.issue(out_file.name, [r.number for r in doc.rows]),
    )
    ledger.record(session, out_file.parent)
    progress.update(1, 1, out_file.name)
    missing = st.take_missing()
    return ExportResult(
        (out_file,), 1, fonts.warning, missing=(MissingCharacters(out_file.name, missing),) if missing else ()
    )


def font_in_use(font_file: str | None = None) -> DocumentFonts:
    """The fonts the documents would use (for the settings dialog and ``--json``). Reads the disk once."""
    return document_fonts(font_file)
