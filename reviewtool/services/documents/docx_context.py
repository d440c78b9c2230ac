"""The data each Word template is filled with, from the document models.

Every value is text (money and points already formatted), so a bureau's
template needs no filters. The placeholders of each document:

- ``publicity``: ``title``, ``paragraphs`` (list of text), ``rows`` (each
  ``seq title unit pi_name category county amount``), ``show_amount``,
  ``total``, ``bureau``, ``issued``, ``batch``, ``contact``, ``phone``,
  ``address``;
- ``notices``: ``docs`` (each ``title unit funded paragraphs number
  project_title batch amount reason bureau issued comments``; a comment is
  ``label opinion lines criteria`` and a criterion ``title comment``),
  ``bureau``;
- ``leader_draft`` and ``panel_sheet``: ``docs`` (each ``number
  project_title unit pi_name category batch figures experts opinions draft
  members``; a figure is ``label value``, an expert ``seq label unit total
  opinion``, an opinion ``label text``, a member ``seq name unit title``;
  ``page_header`` is what the page header of each document's section says,
  two lines: bureau · document, and 申报编号 · title (shortened) · panel),
  ``bureau``, ``blank_date``, ``confidential``.

Thread-safety: pure functions.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from reviewtool.core.enums import Opinion
from reviewtool.i18n import _
from reviewtool.services.documents.layout import SEPARATOR
from reviewtool.services.documents.model import ApplicantComment, PanelSheet
from reviewtool.services.documents.model_notices import OutcomeLetter, PublicityDoc
from reviewtool.services.documents.render_letters import letter_paragraphs, outcome_title
from reviewtool.services.documents.render_lists import publicity_values
from reviewtool.services.documents.render_sheets import member_rows, panel_figures
from reviewtool.services.documents.text import fmt_date, fmt_money, fmt_total, opinion_tally


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


def publicity_context(doc: PublicityDoc) -> dict:
    values = publicity_values(doc)
    rows = values[:-1] if doc.show_amount else values
    keys = ("seq", "title", "unit", "pi_name", "category", "county", "amount")
    return {
        "title": doc.title,
        "paragraphs": list(doc.paragraphs),
        "rows": [dict(zip(keys, [*row, *([""] * (7 - len(row)))], strict=True)) for row in rows],
        "show_amount": doc.show_amount,
        "total": fmt_money(sum((r.amount or Decimal(0) for r in doc.rows), Decimal(0))) if doc.show_amount else "",
        "bureau": doc.bureau,
        "issued": fmt_date(doc.issued),
        "batch": doc.batch,
        "contact": doc.contact,
        "phone": doc.phone,
        "address": doc.address,
    }


def _comment(comment: ApplicantComment) -> dict:
    return {
        "label": comment.label,
        "opinion": comment.opinion.label() if comment.opinion else "",
        "lines": _lines(comment.written_opinion),
        "criteria": [{"title": t, "comment": c} for t, c in comment.criterion_comments],
    }


def notices_context(letters: Sequence[OutcomeLetter], bureau: str) -> dict:
    return {
        "bureau": bureau,
        "docs": [
            {
                "title": outcome_title(letter),
                "unit": letter.app.unit,
                "funded": letter.funded,
                "paragraphs": letter_paragraphs(letter),
                "number": letter.app.number,
                "project_title": letter.app.title,
                "batch": letter.app.batch,
                "amount": fmt_money(letter.amount),
                "reason": letter.reason,
                "bureau": letter.bureau,
                "issued": fmt_date(letter.issued),
                "comments": [_comment(c) for c in letter.comments],
            }
            for letter in letters
        ],
    }


def leader_draft_text(sheet: PanelSheet) -> list[str]:
    """A first draft of the 组长综合意见 the leader edits in Word."""
    tally = opinion_tally(sheet.opinions)
    first = _(
        "The panel reviewed the application; {count} valid sheets were counted, and the final score is {score} "
        "({rule}). Opinions: {tally}."
    ).format(count=sheet.sheet_count, score=fmt_total(sheet.final_score) or "—", rule=sheet.rule, tally=tally)
    recommend = sheet.opinions.get(Opinion.RECOMMEND.value, 0) + sheet.opinions.get(
        Opinion.RECOMMEND_AFTER_REVISION.value, 0
    )
    verdict = (
        _("The panel recommends the project for funding.")
        if sheet.sheet_count and recommend * 2 > sheet.sheet_count
        else _("The panel does not recommend the project for funding.")
    )
    return [first, _("Main strengths: ……"), _("Main weaknesses and suggestions: ……"), verdict]


#: What one line of the Word page header holds, in widths of a CJK character at
#: 小五 (9 pt): the 156 mm of an A4 page between the official margins, less a
#: little for the word processor's spacing.
HEADER_EMS = 46


def _ems(text: str) -> float:
    # "·" and other ambiguous-width characters print full width in 仿宋 (the runs hint East Asian)
    return sum(1 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in text)


def fit_line(head: Sequence[str], detail: str, tail: Sequence[str], room: float = HEADER_EMS) -> str:
    """``head · detail · tail`` on one line, the detail shortened with "…" to fit
    (as the PDF's page header does, ``layout.fit_text``)."""

    def join(middle: str) -> str:
        return SEPARATOR.join([p for p in (*head, middle, *tail) if p])

    keep = len(detail)
    while keep and _ems(join(detail[:keep] + ("…" if keep < len(detail) else ""))) > room:
        keep -= 1
    return join(detail[:keep] + ("…" if keep < len(detail) else "") if keep else "")


def page_header(bureau: str, document: str, app_number: str, app_title: str, panel: str) -> str:
    """The two lines of a sheet's page header: ``bureau · document`` (the 保密 mark
    goes at its right) and ``申报编号 · project title · panel``, the title shortened
    to fit."""
    return SEPARATOR.join(p for p in (bureau, document) if p) + "\n" + fit_line([app_number], app_title, [panel])


def panel_context(sheets: Sequence[PanelSheet], bureau: str, *, title: str | None = None) -> dict:
    """The data of the 综合评审意见表 and the 组长综合意见 draft; ``title`` (the
    document's name, by default the 综合评审意见表) heads each page header."""
    title = title or _("Panel review opinion sheet")
    docs = []
    for sheet in sheets:
        app = sheet.app
        panel = _("Panel: {name}").format(name=sheet.panel) if sheet.panel else ""
        docs.append(
            {
                "number": app.number,
                "project_title": app.title,
                "unit": app.unit,
                "pi_name": app.pi_name,
                "category": app.category or "",
                "batch": app.batch,
                "figures": [{"label": k, "value": v} for k, v in panel_figures(sheet)],
                "experts": [
                    {
                        "seq": str(i),
                        "label": e.label,
                        "unit": e.unit,
                        "total": (fmt_total(e.total) + (" " + _("(vetoed)") if e.vetoed else "")).strip(),
                        "opinion": e.opinion.label() if e.opinion else "",
                    }
                    for i, e in enumerate(sheet.experts, start=1)
                ],
                "opinions": [{"label": label, "text": text} for label, text in sheet.written_opinions],
                "draft": leader_draft_text(sheet),
                "members": [
                    {"seq": str(i), "name": n, "unit": u, "title": t}
                    for i, (n, u, t) in enumerate(member_rows(sheet), 1)
                ],
                "page_header": page_header(bureau, title, app.number, app.title, panel),
            }
        )
    return {"bureau": bureau, "docs": docs, "blank_date": fmt_date(None), "confidential": True}
