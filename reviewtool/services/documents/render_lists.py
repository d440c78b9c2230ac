"""The batch's lists as reportlab stories: the 评审结果汇总表 / 拟立项项目清单
(landscape, internal) and the 公示名单 with its notice (portrait, public).

The 公示 story prints only what ``PublicityDoc`` holds — no score, rank,
opinion count or internal mark exists there to print. Tables keep their 合计
row with the row before it, so no page holds only a header and the total.

Thread-safety: pure functions over immutable models.
"""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable

from reviewtool.core.enums import Opinion
from reviewtool.i18n import _
from reviewtool.services.documents.layout import PageInfo, Styles, frame_width, gap, table
from reviewtool.services.documents.model import SummaryDoc, SummaryRow
from reviewtool.services.documents.model_notices import PublicityDoc
from reviewtool.services.documents.pieces import LABEL_FILL, NO_GRID, issuer_foot, title_block
from reviewtool.services.documents.text import fmt_date, fmt_money, fmt_points, fmt_total


def summary_story(doc: SummaryDoc, st: Styles, *, bureau: str) -> list[Flowable]:
    width = frame_width(True)
    title = (doc.title or _("Review results summary")) + (_(" (not final: 未定稿)") if doc.draft else "")
    story: list[Flowable] = [st.start(PageInfo(title, doc.batch, bureau, confidential=True))]
    story += title_block(st, title, bureau, doc.batch)
    facts = [
        _("Panel rule: {rule}").format(rule=doc.rule),
        _("Threshold: {points}").format(points=fmt_points(doc.threshold)) if doc.threshold is not None else "",
        _("Budget: {money} (10k yuan)").format(money=fmt_money(doc.budget))
        if doc.budget is not None
        else _("Budget: not set"),
        _("Recommended: {money}").format(money=fmt_money(doc.used)),
        _("Remaining: {money}").format(money=fmt_money(doc.remaining)) if doc.remaining is not None else "",
        _("When one does not fit: {rule}").format(rule=doc.funding_rule),
    ]
    story.append(st.p("    ".join(f for f in facts if f), st.note))
    story.append(gap(2))
    fractions = (0.05, 0.09, 0.25, 0.16, 0.13, 0.06, 0.05, 0.09, 0.07, 0.07, 0.08)
    w = [width * f for f in fractions]
    head = [
        st.p(t, st.cell_head)
        for t in (
            _("Rank"),
            _("Application no."),
            _("Project title"),
            _("Applicant unit"),
            _("Priority area"),
            _("Score"),
            _("Sheets"),
            _("Opinions (R/RR/N)"),
            _("Requested (10k yuan)"),
            _("Recommended (10k yuan)"),
            _("Decision"),
        )
    ]
    rows: list[list] = [head]
    style: list[tuple] = []

    def add(row: SummaryRow) -> None:
        tally = "/".join(str(row.opinions.get(o.value, 0)) for o in Opinion)
        decision = row.decision + (f"\n{row.stability}" if row.stability else "")
        if row.vote:
            decision += "\n" + _("Vote: {vote}").format(vote=row.vote)
        rows.append(
            [
                st.p("" if row.rank is None else str(row.rank), st.cell_center),
                st.p(row.number, st.cell_small),
                st.p(row.title, st.cell_small),
                st.p(row.unit, st.cell_small),
                st.p(row.area, st.cell_small),
                st.p(fmt_total(row.score), st.cell_center),
                st.p(str(row.sheet_count), st.cell_center),
                st.p(tally, st.cell_center),
                st.p(fmt_money(row.requested), st.cell_right),
                st.p(fmt_money(row.recommended) if row.funded else "", st.cell_right),
                st.p(decision, st.cell_small),
            ]
        )
        if row.funded:
            style.append(("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), "#EEF7EE"))

    def cut_line_after(row: SummaryRow) -> None:
        if doc.cut_rank is not None and row.rank == doc.cut_rank:
            style.append(("LINEBELOW", (0, len(rows) - 1), (-1, len(rows) - 1), 2, "#B00020"))

    if doc.group_by_area:
        groups: dict[str, list[SummaryRow]] = {}
        for row in doc.rows:
            groups.setdefault(row.area_code, []).append(row)
        for code in sorted(groups, key=lambda c: (c == "", c)):
            members = groups[code]
            heading = f"{code} {doc.area_titles.get(code, '')}".strip() if code else _("(no priority area)")
            funded = [r for r in members if r.funded]
            money = sum((r.recommended for r in funded), Decimal(0))
            rows.append(
                [
                    st.p(
                        _("{area} — {count} applications, {funded} recommended, {money} (10k yuan)").format(
                            area=heading, count=len(members), funded=len(funded), money=fmt_money(money)
                        ),
                        st.cell,
                    )
                ]
                + [""] * 10
            )
            at = len(rows) - 1
            style += [
                ("SPAN", (0, at), (-1, at)),
                ("BACKGROUND", (0, at), (-1, at), LABEL_FILL),
                ("NOSPLIT", (0, at), (-1, at + 1)),  # an area heading never ends a page
            ]
            for row in members:
                add(row)
    else:
        for row in doc.rows:
            add(row)
            cut_line_after(row)
    total_requested = sum((r.requested for r in doc.rows), Decimal(0))
    rows.append(
        [st.p(_("Total"), st.cell_center)]
        + [""] * 7
        + [st.p(fmt_money(total_requested), st.cell_right), st.p(fmt_money(doc.used), st.cell_right), ""]
    )
    style.append(("SPAN", (0, len(rows) - 1), (7, len(rows) - 1)))
    story.append(table(rows, w, style=style, keep_last=2))  # 合计 never alone on a page
    story.append(gap(3))
    if doc.cut_rank is not None and not doc.group_by_area:
        story.append(
            st.p(_("The red rule marks the funding line (after rank {rank}).").format(rank=doc.cut_rank), st.note)
        )
    story.append(CondPageBreak(40 * mm))
    story.append(gap(8))
    story.append(
        table(
            [
                [
                    st.p(_("Prepared by: {line}").format(line="_" * 12), st.signature),
                    st.p(_("Reviewed by: {line}").format(line="_" * 12), st.signature),
                    st.p(_("Date: {date}").format(date=fmt_date(None)), st.signature),
                ]
            ],
            [width / 3] * 3,
            header_rows=0,
            style=NO_GRID,
        )
    )
    return story


# --------------------------------------------------------------------------- 公示名单


def publicity_columns(doc: PublicityDoc) -> list[tuple[str, float]]:
    """(header, share of the width) of the 公示名单."""
    columns = [
        (_("Seq."), 0.06),
        (_("Project title"), 0.30),
        (_("Applicant unit"), 0.22),
        (_("Project leader"), 0.10),
        (_("Project category"), 0.12),
        (_("County of the unit"), 0.12),
    ]
    if doc.show_amount:
        columns.append((_("Proposed funding (10k yuan)"), 0.10))
    total = sum(share for _t, share in columns)
    return [(title, share / total) for title, share in columns]


def publicity_values(doc: PublicityDoc) -> list[list[str]]:
    """The list's cells as text, a 合计 row last when amounts are shown."""
    rows = []
    for row in doc.rows:
        values = [str(row.seq), row.title, row.unit, row.pi_name, row.category, row.county]
        if doc.show_amount:
            values.append(fmt_money(row.amount))
        rows.append(values)
    if doc.show_amount:
        total = sum((r.amount or Decimal(0) for r in doc.rows), Decimal(0))
        rows.append([_("Total"), "", "", "", "", "", fmt_money(total)])
    return rows


def publicity_story(doc: PublicityDoc, st: Styles) -> list[Flowable]:
    width = frame_width(False)
    story: list[Flowable] = [st.start(PageInfo(_("Public notice"), doc.batch, doc.bureau, confidential=False))]
    story.append(st.p(doc.title, st.title))
    story.append(gap(4))
    indent = ParagraphStyle("rt-notice", parent=st.body, fontSize=12, leading=22, firstLineIndent=24)
    for paragraph in doc.paragraphs:
        story.append(st.p(paragraph, indent))
    story.append(gap(3))
    story.append(
        st.p(
            _("List of projects proposed for funding"),
            ParagraphStyle("rt-list", parent=st.heading, alignment=TA_CENTER),
        )
    )
    columns = publicity_columns(doc)
    rows: list[list] = [[st.p(title, st.cell_head) for title, _share in columns]]
    values = publicity_values(doc)
    for line in values:
        rows.append(
            [
                st.p(v, st.cell_center if i in (0, 3, 5) else (st.cell_right if i == 6 else st.cell))
                for i, v in enumerate(line)
            ]
        )
    style: list[tuple] = []
    if doc.show_amount:
        style.append(("SPAN", (0, len(rows) - 1), (5, len(rows) - 1)))
    story.append(table(rows, [width * share for _t, share in columns], style=style, keep_last=2))
    story.append(CondPageBreak(45 * mm))
    story.append(issuer_foot(st, width, doc.bureau, doc.issued))
    return story
