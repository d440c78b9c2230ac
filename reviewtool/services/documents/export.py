"""Whole-batch PDF exports: review sheets, panel opinion sheets, applicant
comments and the results summary.

Each export reads what it needs inside the session, then lays the pages
out. Files are written into a temporary folder beside the target and moved
into place only when every file is complete, so a cancelled or failed
export leaves nothing half-written (and no earlier file is overwritten by a
partial one). Progress is reported per application; ``cancel.check()`` runs
between documents and, for a combined file, during the layout itself.

Fonts are registered once per process (``fonts.document_fonts``), never per
document.
"""

from __future__ import annotations

import enum
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services import settings as data_settings
from reviewtool.services.documents import data
from reviewtool.services.documents.fonts import DocumentFonts, document_fonts
from reviewtool.services.documents.layout import Styles
from reviewtool.services.documents.model import SummaryDoc, SummaryRow
from reviewtool.services.documents.render import (
    applicant_story,
    expert_sheet_story,
    panel_sheet_story,
    summary_story,
    write_pdf,
)
from reviewtool.services.funding import funding_view
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.storage.models import Batch


class SheetKind(str, enum.Enum):
    EXPERT = "expert"  # 专家评审表, filled
    BLANK = "blank"  # 专家评审表, empty
    PANEL = "panel"  # 项目综合评审意见表
    APPLICANT = "applicant"  # comments for the applicant


@dataclass(frozen=True)
class ExportResult:
    files: tuple[Path, ...]
    documents: int
    warning: str | None = None
    skipped: tuple[str, ...] = field(default_factory=tuple)  # 申报编号 with nothing to print

    def as_json(self) -> dict:
        return {
            "files": [str(f) for f in self.files],
            "documents": self.documents,
            "warning": self.warning,
            "skipped": list(self.skipped),
        }


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_filename(text: str, limit: int = 80) -> str:
    """A file name that Windows, macOS and Linux all accept."""
    name = _UNSAFE.sub("_", text).strip(" .") or "_"
    return name[:limit]


def _batch(session: Session, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise UserError(_("No batch with id {id}.").format(id=batch_id))
    return batch


def _bureau(session: Session) -> str:
    return str(data_settings.get(session, data_settings.BUREAU_NAME) or "")


def _layout_cancel(cancel: CancelToken) -> Callable[[str, int], None]:
    def on_progress(kind: str, value: int) -> None:
        cancel.check()

    return on_progress


class _Staging:
    """A temporary folder beside the target; ``commit`` moves its files in."""

    def __init__(self, target_dir: Path) -> None:
        target_dir.mkdir(parents=True, exist_ok=True)
        self.target_dir = target_dir
        self.path = Path(tempfile.mkdtemp(prefix=".reviewtool-export-", dir=target_dir))

    def commit(self) -> list[Path]:
        moved = []
        for item in sorted(self.path.iterdir()):
            final = self.target_dir / item.name
            item.replace(final)
            moved.append(final)
        self.cleanup()
        return moved

    def cleanup(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def export_sheets(
    session: Session,
    batch_id: int,
    out_dir: str | Path,
    *,
    kind: SheetKind = SheetKind.EXPERT,
    anonymous: bool = False,
    combined: bool = False,
    per_expert: bool = False,
    application_ids: Sequence[int] | None = None,
    font_file: str | None = None,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ExportResult:
    """Write the batch's sheets of one kind as PDF: one file per
    application, or one combined file (``combined``). Reads only."""
    batch = _batch(session, batch_id)
    bureau = _bureau(session)
    fonts = document_fonts(font_file)
    st = Styles(fonts)
    if kind is SheetKind.EXPERT:
        docs = data.filled_sheets(session, batch_id, anonymous=anonymous, ids=application_ids)
        story_of, number_of, title = expert_sheet_story, (lambda d: d.app.number), _("Expert review sheets")
    elif kind is SheetKind.BLANK:
        docs = data.blank_sheets(session, batch_id, per_expert=per_expert, ids=application_ids)
        story_of, number_of, title = expert_sheet_story, (lambda d: d.app.number), _("Blank review sheets")
    elif kind is SheetKind.PANEL:
        docs = data.panel_sheets(session, batch_id, anonymous=anonymous, ids=application_ids)
        story_of, number_of, title = panel_sheet_story, (lambda d: d.app.number), _("Panel review opinion sheets")
    else:
        docs = data.applicant_letters(session, batch_id, ids=application_ids)
        story_of, number_of, title = applicant_story, (lambda d: d.app.number), _("Expert review comments")
    all_ids = data.application_ids(session, batch_id, application_ids)
    printed = {number_of(d) for d in docs}
    headers = data.app_headers(session, all_ids)
    skipped = tuple(h.number for h in headers.values() if h.number not in printed)
    if not docs:
        raise UserError(_("Batch {batch} has nothing to print for this document.").format(batch=batch.name))

    groups: dict[str, list] = {}
    for doc in docs:
        groups.setdefault(number_of(doc), []).append(doc)
    out_dir = Path(out_dir)
    staging = _Staging(out_dir)
    try:
        total = len(groups)
        if combined:
            stories = []
            for done, (number, members) in enumerate(groups.items(), start=1):
                cancel.check()
                stories += [story_of(doc, st, bureau=bureau) for doc in members]
                progress.update(done, total + 1, number)
            name = safe_filename(f"{batch.name}_{title}") + ".pdf"
            progress.update(total, total + 1, _("Laying out {name}").format(name=name))
            write_pdf(staging.path / name, stories, fonts=fonts, author=bureau, on_progress=_layout_cancel(cancel))
            progress.update(total + 1, total + 1, name)
        else:
            for done, (number, members) in enumerate(groups.items(), start=1):
                cancel.check()
                name = safe_filename(f"{number}_{title}") + ".pdf"
                write_pdf(
                    staging.path / name,
                    [story_of(doc, st, bureau=bureau) for doc in members],
                    fonts=fonts,
                    author=bureau,
                )
                progress.update(done, total, number)
        cancel.check()
        files = staging.commit()
    except BaseException:
        staging.cleanup()
        raise
    return ExportResult(tuple(files), len(docs), fonts.warning, skipped)


def summary_doc(
    session: Session, batch_id: int, *, group_by_area: bool = False, funded_only: bool = False
) -> SummaryDoc:
    """The 评审结果汇总表 model from the funding view (ranking + line);
    with ``funded_only`` the 拟立项项目清单 (the applications within the line)."""
    view = funding_view(session, batch_id)
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
            decision=r.decision.label(),
            funded=r.funded,
            vetoed=r.vetoed,
            stability=r.stability.label() if r.score is not None else "",
            vote=r.vote,
        )
        for r in view.rows
        if r.funded or not funded_only
    )
    titles = {r.area_code: r.area_title or "" for r in view.rows if r.area_code}
    batch = _batch(session, batch_id)
    rule = _("trimmed mean with at least {n} sheets, otherwise the mean").format(
        n=max(3, batch.trimmed_min_sheets or 5)
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
) -> ExportResult:
    """Write the batch's 评审结果汇总表 (landscape), or with ``funded_only``
    its 拟立项项目清单."""
    doc = summary_doc(session, batch_id, group_by_area=group_by_area, funded_only=funded_only)
    fonts = document_fonts(font_file)
    bureau = _bureau(session)
    out_file = Path(out_file)
    staging = _Staging(out_file.parent)
    try:
        temp = staging.path / out_file.name
        progress.update(0, 1, out_file.name)
        write_pdf(
            temp,
            [summary_story(doc, Styles(fonts), bureau=bureau)],
            fonts=fonts,
            wide=True,
            author=bureau,
            on_progress=_layout_cancel(cancel),
        )
        temp.replace(out_file)
        progress.update(1, 1, out_file.name)
    finally:
        staging.cleanup()
    return ExportResult((out_file,), 1, fonts.warning)


def font_in_use(font_file: str | None = None) -> DocumentFonts:
    """The fonts the documents would use (for the settings dialog and ``--json``)."""
    return document_fonts(font_file)
