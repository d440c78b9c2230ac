"""Pieces several PDF documents share: the application's facts table, the
title block, signature lines and the bureau's foot with room for the seal.

Thread-safety: pure functions over immutable models.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether

from reviewtool.i18n import _
from reviewtool.services.documents.layout import Styles, gap, table
from reviewtool.services.documents.model import AppHeader, CriterionLine
from reviewtool.services.documents.text import fmt_date, fmt_money, fmt_points

LABEL_FILL = "#F2F4F7"
NO_GRID = [("GRID", (0, 0), (-1, -1), 0, "#FFFFFF")]
#: A page header shows at most this much of a project title (the rest is "…").
HEADER_TITLE_CHARS = 40


def short_title(title: str, limit: int = HEADER_TITLE_CHARS) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def app_table(st: Styles, app: AppHeader, width: float, *, show_money: bool = True) -> Flowable:
    label = st.cell_center
    w = [width * 0.16, width * 0.34, width * 0.16, width * 0.34]
    rows = [
        [
            st.p(_("Application no."), label),
            st.p(app.number, st.cell),
            st.p(_("Programme"), label),
            st.p(app.category or "", st.cell),
        ],
        [st.p(_("Project title"), label), st.p(app.title, st.cell), "", ""],
        [
            st.p(_("Applicant unit"), label),
            st.p(app.unit, st.cell),
            st.p(_("Project leader"), label),
            st.p(app.pi_name, st.cell),
        ],
        [st.p(_("Priority areas"), label), st.p("\n".join(app.areas) or _("(none)"), st.cell), "", ""],
    ]
    spans = [("SPAN", (1, 1), (3, 1)), ("SPAN", (1, 3), (3, 3))]
    if show_money:
        rows.append(
            [
                st.p(_("Requested (10k yuan)"), label),
                st.p(fmt_money(app.requested), st.cell),
                st.p(_("Project period"), label),
                st.p(app.period, st.cell),
            ]
        )
    return table(
        rows,
        w,
        header_rows=0,
        style=spans
        + [
            ("BACKGROUND", (0, 0), (0, -1), LABEL_FILL),
            ("BACKGROUND", (2, 0), (2, 0), LABEL_FILL),
            ("BACKGROUND", (2, 2), (2, 2), LABEL_FILL),
        ]
        + ([("BACKGROUND", (2, 4), (2, 4), LABEL_FILL)] if show_money else []),
    )


def band_text(criterion: CriterionLine) -> str:
    lines = []
    if criterion.description:
        lines.append(criterion.description)
    for band in criterion.bands:
        head = f"{band.label}（{fmt_points(band.low)}–{fmt_points(band.high)}）"
        lines.append(f"{head}：{band.descriptor}" if band.descriptor else head)
    return "\n".join(lines)


def title_block(st: Styles, title: str, bureau: str, batch: str) -> list[Flowable]:
    out: list[Flowable] = []
    if bureau:
        out.append(st.p(bureau, st.subtitle))
    out.append(st.p(title, st.title))
    if batch:
        out.append(st.p(batch, st.subtitle))
    out.append(gap(4))
    return out


def signature_row(st: Styles, width: float, who: str, name: str = "", date: dt.date | None = None) -> Flowable:
    """``专家签名：________   日期：____年__月__日`` — the name printed only when given."""
    signature = _("{who}: {name}").format(who=who, name=name or "_" * 16)
    return table(
        [[st.p(signature, st.signature), st.p(_("Date: {date}").format(date=fmt_date(date)), st.signature)]],
        [width * 0.55, width * 0.45],
        header_rows=0,
        style=NO_GRID,
    )


def issuer_foot(st: Styles, width: float, bureau: str, issued: dt.date | None) -> Flowable:
    """The bureau's name and the date of issue, right-aligned, with room above for the seal."""
    right = ParagraphStyle("rt-issuer", parent=st.body, alignment=TA_RIGHT, fontSize=12, leading=20)
    return KeepTogether(
        [
            gap(22),  # the seal (公章) goes over the name and date
            st.p(bureau or _("(the bureau)"), right),
            st.p(fmt_date(issued), right),
            st.p(_("(seal)"), ParagraphStyle("rt-seal", parent=st.note, alignment=TA_RIGHT)),
        ]
    )


def label_value_rows(st: Styles, pairs: list[tuple[str, str]], width: float, label_share: float = 0.35) -> Flowable:
    rows = [[st.p(k, st.cell), st.p(v, st.cell)] for k, v in pairs]
    return table(
        rows,
        [width * label_share, width * (1 - label_share)],
        header_rows=0,
        style=[("BACKGROUND", (0, 0), (0, -1), LABEL_FILL)],
    )


def hand_box(st: Styles, width: float, height_mm: float, text: str = "") -> Flowable:
    """A ruled box to write in by hand (or holding ``text``)."""
    return table(
        [[st.p(text or " ", st.body)]],
        [width],
        header_rows=0,
        style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
        row_heights=None if text else [height_mm * mm],
    )
