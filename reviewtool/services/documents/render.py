"""The bureau's documents as reportlab stories, and writing them to PDF.

Each ``*_story`` function turns one document model into a list of
flowables that begins with a ``DocumentStart``; ``write_pdf`` lays one or
many of them out into a file, each with its own page numbering. All text
goes through ``Styles.p`` (escaped), so nothing from an application or a
comment is ever read as markup. The stories live beside this module, one
per kind of document:

- ``render_sheets``: 专家评审表 and 项目综合评审意见表;
- ``render_lists``: 评审结果汇总表 / 拟立项项目清单 and the 公示名单;
- ``render_letters``: 专家评审意见, 立项通知 and 不予立项 letters;
- ``render_meeting``: 签到表 and 专家评审费签领表.

Thread-safety: pure functions over immutable models; safe on any thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO

from reportlab.platypus import Flowable, PageBreak

from reviewtool.services import files
from reviewtool.services.documents.fonts import DocumentFonts
from reviewtool.services.documents.layout import DocumentStart, PageInfo, build_pdf
from reviewtool.services.documents.render_letters import applicant_story, outcome_story
from reviewtool.services.documents.render_lists import publicity_story, summary_story
from reviewtool.services.documents.render_meeting import meeting_story
from reviewtool.services.documents.render_sheets import expert_sheet_story, panel_sheet_story
from reviewtool.services.documents.text import fmt_date, fmt_money, fmt_points, fmt_total

__all__ = [
    "applicant_story",
    "expert_sheet_story",
    "fmt_date",
    "fmt_money",
    "fmt_points",
    "fmt_total",
    "join_stories",
    "meeting_story",
    "outcome_story",
    "panel_sheet_story",
    "publicity_story",
    "summary_story",
    "write_pdf",
]


# --------------------------------------------------------------------------- writing files


def join_stories(stories: Iterable[list[Flowable]]) -> list[Flowable]:
    """One story from many documents, each starting on a new page."""
    out: list[Flowable] = []
    for story in stories:
        if out:
            out.append(PageBreak())
        out.extend(story)
    return out


def write_pdf(
    target: str | Path | IO[bytes],
    stories: Sequence[list[Flowable]],
    *,
    fonts: DocumentFonts,
    wide: bool = False,
    author: str = "",
    on_progress=None,
    fingerprint: str = "",
) -> None:
    """Write one or more document stories into one PDF (with its ``fingerprint`` on every page)."""
    story = join_stories(stories)
    first = next((f.info for f in story if isinstance(f, DocumentStart)), PageInfo(""))
    files.write_with(
        target,
        lambda out: build_pdf(
            out,
            story,
            fonts=fonts,
            info=first,
            wide=wide,
            author=author,
            on_progress=on_progress,
            fingerprint=fingerprint,
        ),  # fmt: skip
    )
