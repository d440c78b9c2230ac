"""Meeting paperwork as reportlab stories: the 专家签到表 and the
专家评审费签领表 of one panel.

Names, units and 职称 are printed; phone, identity number and signature are
left for the expert to write by hand. The fee sheet prints the per-expert
amount in 元, the total, and the total in capital numerals (大写).

Thread-safety: pure functions over immutable models.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from reviewtool.i18n import _
from reviewtool.services.documents.layout import PageInfo, Styles, frame_width, gap, table
from reviewtool.services.documents.model_notices import MeetingSheet
from reviewtool.services.documents.pieces import NO_GRID, title_block
from reviewtool.services.documents.text import fmt_date, fmt_money, rmb_upper


def meeting_title(sheet: MeetingSheet) -> str:
    return _("Expert review fee receipt") if sheet.fees else _("Expert sign-in sheet")


def meeting_story(sheet: MeetingSheet, st: Styles, *, bureau: str) -> list[Flowable]:
    width = frame_width(False)
    title = meeting_title(sheet)
    person = _("Panel: {name}").format(name=sheet.panel)
    story: list[Flowable] = [st.start(PageInfo(title, sheet.batch, bureau, confidential=False, person=person))]
    story += title_block(st, title, bureau, sheet.batch)
    facts = [
        _("Panel: {name}").format(name=sheet.panel),
        _("Meeting date: {date}").format(date=fmt_date(sheet.date)),
        _("Place: {place}").format(place=sheet.place or "_" * 16),
    ]
    story.append(st.p("    ".join(facts), st.body))
    story.append(gap(3))
    if sheet.fees:
        heads = (
            _("Seq."),
            _("Name"),
            _("Employer"),
            _("Professional title"),
            _("ID number"),
            _("Amount (yuan)"),
            _("Signature"),
        )
        shares = (0.06, 0.12, 0.24, 0.11, 0.20, 0.11, 0.16)
    else:
        heads = (
            _("Seq."),
            _("Name"),
            _("Employer"),
            _("Professional title"),
            _("Phone"),
            _("Time of arrival"),
            _("Signature"),
        )
        shares = (0.06, 0.13, 0.27, 0.12, 0.15, 0.11, 0.16)
    rows: list[list] = [[st.p(h, st.cell_head) for h in heads]]
    for index, member in enumerate(sheet.members, start=1):
        name = member.name + (_(" (leader)") if member.leader else "")
        cells = [
            st.p(str(index), st.cell_center),
            st.p(name, st.cell),
            st.p(member.unit, st.cell),
            st.p(member.title, st.cell),
            "",
        ]
        cells += [st.p(fmt_money(sheet.fee_per_expert), st.cell_right)] if sheet.fees else [""]
        cells.append("")
        rows.append(cells)
    for _blank in range(2):  # a stand-in or a late addition signs here
        rows.append([""] * len(heads))
    style: list[tuple] = []
    keep = 0
    if sheet.fees:
        rows.append(
            [st.p(_("Total"), st.cell_center), "", "", "", "", st.p(fmt_money(sheet.fee_total), st.cell_right), ""]
        )
        style.append(("SPAN", (0, len(rows) - 1), (4, len(rows) - 1)))
        keep = 2
    heights = [None] + [11 * mm] * (len(rows) - 1)
    story.append(table(rows, [width * s for s in shares], style=style, row_heights=heights, keep_last=keep))
    if sheet.fees:
        story.append(gap(2))
        story.append(
            st.p(
                _("Total in words: {words} ({count} experts × {amount} yuan)").format(
                    words=rmb_upper(sheet.fee_total), count=len(sheet.members), amount=fmt_money(sheet.fee_per_expert)
                ),
                st.body,
            )
        )
    story.append(gap(8))
    story.append(
        table(
            [
                [
                    st.p(_("Handled by: {line}").format(line="_" * 12), st.signature),
                    st.p(_("Checked by: {line}").format(line="_" * 12), st.signature),
                    st.p(_("Date: {date}").format(date=fmt_date(None)), st.signature),
                ]
            ],
            [width / 3] * 3,
            header_rows=0,
            style=NO_GRID,
        )
    )
    return story
