"""The review forms as reportlab stories: the 专家评审表 (filled, blank,
anonymised) and the 项目综合评审意见表.

Each page header names the application (number and title) and, on
internal copies, the expert, so loose pages can be matched. A signature
slot is left empty for a hand signature; only an anonymised sheet prints
its label (专家1) there. The commitment, the conflict declaration and the
signature are kept on one page, as are the panel leader's box and signature.

Thread-safety: pure functions over immutable models.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether

from reviewtool.i18n import _
from reviewtool.services.documents.layout import PageInfo, Styles, frame_width, gap, table
from reviewtool.services.documents.model import ExpertSheet, PanelSheet
from reviewtool.services.documents.pieces import (
    LABEL_FILL,
    app_table,
    band_text,
    hand_box,
    label_value_rows,
    short_title,
    signature_row,
    title_block,
)
from reviewtool.services.documents.text import (
    CHECKED,
    UNCHECKED,
    commitment_text,
    conflict_boxes,
    fmt_points,
    fmt_total,
    opinion_boxes,
    opinion_tally,
)


def expert_page_info(sheet: ExpertSheet, title: str, bureau: str) -> PageInfo:
    person = sheet.intended_for or ("" if sheet.anonymous or sheet.blank else sheet.expert_label)
    return PageInfo(
        title,
        sheet.app.number,
        bureau,
        confidential=True,
        detail=short_title(sheet.app.title),
        person=_("Expert: {name}").format(name=person) if person else "",
    )


def _identity(sheet: ExpertSheet, st: Styles, width: float) -> Flowable:
    if sheet.anonymous:
        values = (sheet.expert_label, "—", "—", "—")
    elif sheet.blank:
        values = ("", "", "", "")
    else:
        values = (sheet.expert_label, sheet.expert_unit, sheet.expert_title, sheet.expert_speciality)
    name, unit, title, speciality = values
    label = st.cell_center
    rows = [
        [st.p(_("Name"), label), st.p(name, st.cell), st.p(_("Employer"), label), st.p(unit, st.cell)],
        [
            st.p(_("Professional title"), label),
            st.p(title, st.cell),
            st.p(_("Field of work"), label),
            st.p(speciality, st.cell),
        ],
    ]
    return table(
        rows,
        [width * 0.16, width * 0.34, width * 0.16, width * 0.34],
        header_rows=0,
        row_heights=[9 * mm, 9 * mm],
        style=[("BACKGROUND", (0, 0), (0, -1), LABEL_FILL), ("BACKGROUND", (2, 0), (2, -1), LABEL_FILL)],
    )


def expert_sheet_story(sheet: ExpertSheet, st: Styles, *, bureau: str) -> list[Flowable]:
    width = frame_width(False)
    app = sheet.app
    title = _("Expert review sheet")
    story: list[Flowable] = [st.start(expert_page_info(sheet, title, bureau))]
    story += title_block(st, title, bureau, app.batch)
    story.append(app_table(st, app, width))
    story.append(st.p(_("Reviewing expert"), st.heading))
    story.append(_identity(sheet, st, width))

    step = 1
    if sheet.vetoes:
        story.append(st.p(_('1. Veto items (a "yes" ends the review)'), st.heading))
        rows = [[st.p(_("Seq."), st.cell_head), st.p(_("Item"), st.cell_head), st.p(_("Answer"), st.cell_head)]]
        for index, veto in enumerate(sheet.vetoes, start=1):
            yes = CHECKED if veto.answer is True else UNCHECKED
            no = CHECKED if veto.answer is False else UNCHECKED
            text = veto.question + (f"\n{_('Note')}: {veto.note}" if veto.note else "")
            rows.append(
                [
                    st.p(str(index), st.cell_center),
                    st.p(text, st.cell),
                    st.p(f"{yes} {_('Yes')}   {no} {_('No')}", st.cell_center),
                ]
            )
        story.append(table(rows, [width * 0.08, width * 0.70, width * 0.22]))
        step = 2

    story.append(st.p(_("2. Scores") if step == 2 else _("1. Scores"), st.heading))
    if sheet.rubric_name:
        story.append(st.p(_("Rubric: {name}").format(name=sheet.rubric_name), st.note))
    story.append(criteria_table(sheet, st, width))

    story.append(st.p(_("3. Overall opinion") if step == 2 else _("2. Overall opinion"), st.heading))
    story.append(st.p(opinion_boxes(sheet.opinion), st.body))
    story.append(gap(2))
    story.append(st.p(_("Written opinion:"), st.body))
    story.append(hand_box(st, width, 60, "" if sheet.blank else sheet.written_opinion))
    story.append(gap(3))
    signer = sheet.expert_label if sheet.anonymous else ""
    story.append(
        KeepTogether(
            [
                st.p(
                    _("4. Commitment and conflict declaration")
                    if step == 2
                    else _("3. Commitment and conflict declaration"),
                    st.heading,
                ),
                st.p(commitment_text(), st.body),
                gap(1),
                st.p(conflict_boxes(), st.body),
                gap(4),
                signature_row(st, width, _("Expert signature"), signer, sheet.date),
                st.p(_("This sheet is confidential. Do not copy or pass it on."), st.note),
            ]
        )
    )
    if app.abstract:
        # After the form, so the sheet itself stays short however long the abstract.
        story.append(CondPageBreak(30 * mm))
        story.append(st.p(_("Annex: summary of the research"), st.heading))
        story.append(st.p(app.abstract, st.body))
    return story


def criteria_table(sheet: ExpertSheet, st: Styles, width: float) -> Flowable:
    w = [width * f for f in (0.06, 0.18, 0.36, 0.08, 0.09, 0.23)]
    head = [
        st.p(_("Seq."), st.cell_head),
        st.p(_("Criterion"), st.cell_head),
        st.p(_("Scoring standard"), st.cell_head),
        st.p(_("Max"), st.cell_head),
        st.p(_("Points"), st.cell_head),
        st.p(_("Comment"), st.cell_head),
    ]
    rows: list[list] = [head]
    style: list[tuple] = []
    current_group: str | None = None
    number = 0
    for criterion in sheet.criteria:
        if criterion.group and criterion.group != current_group:
            current_group = criterion.group
            rows.append([st.p(criterion.group, st.cell), "", "", "", "", ""])
            at = len(rows) - 1
            style += [
                ("SPAN", (0, at), (-1, at)),
                ("BACKGROUND", (0, at), (-1, at), LABEL_FILL),
                ("NOSPLIT", (0, at), (-1, at + 1)),  # a group heading never ends a page
            ]
        number += 1
        max_text = fmt_points(criterion.max_points)
        if criterion.weight is not None:
            max_text += f"\n×{fmt_points(criterion.weight)}"
        rows.append(
            [
                st.p(str(number), st.cell_center),
                st.p(criterion.title, st.cell),
                st.p(band_text(criterion), st.cell_small),
                st.p(max_text, st.cell_center),
                st.p(fmt_points(criterion.points), st.cell_center),
                st.p(criterion.comment, st.cell_small),
            ]
        )
    total_label = _("Total")
    if sheet.vetoed:
        total_label += _(" (vetoed)")
    rows.append(
        [
            st.p(total_label, st.cell_center),
            "",
            "",
            st.p(fmt_points(sheet.total_points), st.cell_center),
            st.p(fmt_total(sheet.total), st.cell_center),
            "",
        ]
    )
    style.append(("SPAN", (0, len(rows) - 1), (2, len(rows) - 1)))
    return table(rows, w, style=style, keep_last=2)


# --------------------------------------------------------------------------- 项目综合评审意见表


def panel_page_info(sheet: PanelSheet, title: str, bureau: str) -> PageInfo:
    person = _("Panel: {name}").format(name=sheet.panel) if sheet.panel else ""
    return PageInfo(
        title, sheet.app.number, bureau, confidential=True, detail=short_title(sheet.app.title), person=person
    )


def panel_figures(sheet: PanelSheet) -> list[tuple[str, str]]:
    figures = [
        (_("Sheets counted"), str(sheet.sheet_count)),
        (_("Mean"), fmt_total(sheet.mean)),
        (_("Trimmed mean (highest and lowest dropped)"), fmt_total(sheet.trimmed_mean) or _("not applied")),
        (_("Median"), fmt_total(sheet.median)),
        (_("Spread (highest − lowest)"), fmt_total(sheet.spread)),
        (_("Standard deviation"), fmt_total(sheet.std_dev)),
        (_("Rule in force"), sheet.rule),
        (_("Final score"), fmt_total(sheet.final_score)),
        (_("Opinions"), opinion_tally(sheet.opinions)),
    ]
    if sheet.threshold is not None:
        figures.append((_("Threshold"), fmt_points(sheet.threshold)))
    if sheet.vote:
        figures.append((_("Meeting vote"), sheet.vote))
    if sheet.decision:
        figures.append((_("Decision"), sheet.decision))
    if sheet.flags:
        figures.append((_("Flags"), _(", ").join(sheet.flags)))
    return figures


def member_rows(sheet: PanelSheet) -> list[tuple[str, str, str]]:
    """(name, unit, 职称) per signature line; blank lines when the panel is unknown."""
    if sheet.members:
        rows = []
        for m in sheet.members:
            name = m.name + (_(" (leader)") if m.leader and m.name else "")
            rows.append((name, m.unit, m.title))
        return rows
    return [("", "", "")] * max(5, len(sheet.experts))


def panel_sheet_story(sheet: PanelSheet, st: Styles, *, bureau: str) -> list[Flowable]:
    width = frame_width(False)
    app = sheet.app
    title = _("Panel review opinion sheet")
    story: list[Flowable] = [st.start(panel_page_info(sheet, title, bureau))]
    story += title_block(st, title, bureau, app.batch)
    story.append(app_table(st, app, width))
    story.append(st.p(_("1. Expert scores"), st.heading))
    show_unit = not sheet.anonymous
    rows = [
        [
            st.p(_("Seq."), st.cell_head),
            st.p(_("Expert"), st.cell_head),
            *([st.p(_("Unit"), st.cell_head)] if show_unit else []),
            st.p(_("Total"), st.cell_head),
            st.p(_("Opinion"), st.cell_head),
        ]
    ]
    for index, expert in enumerate(sheet.experts, start=1):
        total = fmt_total(expert.total)
        if expert.vetoed:
            total = (total + " " if total else "") + _("(vetoed)")
        rows.append(
            [
                st.p(str(index), st.cell_center),
                st.p(expert.label, st.cell_center),
                *([st.p(expert.unit, st.cell)] if show_unit else []),
                st.p(total, st.cell_center),
                st.p(expert.opinion.label() if expert.opinion else "", st.cell_center),
            ]
        )
    fractions = (0.08, 0.18, 0.38, 0.16, 0.20) if show_unit else (0.10, 0.40, 0.25, 0.25)
    story.append(table(rows, [width * f for f in fractions]))

    story.append(st.p(_("2. Panel figures"), st.heading))
    story.append(label_value_rows(st, panel_figures(sheet), width))

    # The leader's box and signature always share a page.
    story.append(
        KeepTogether(
            [
                st.p(_("3. Panel leader's summary"), st.heading),
                hand_box(st, width, 70),
                gap(4),
                signature_row(st, width, _("Panel leader signature")),
            ]
        )
    )
    head = [st.p(t, st.cell_head) for t in (_("Seq."), _("Name"), _("Unit"), _("Professional title"), _("Signature"))]
    members = [head] + [
        [st.p(str(i), st.cell_center), st.p(n, st.cell), st.p(u, st.cell), st.p(t, st.cell), ""]
        for i, (n, u, t) in enumerate(member_rows(sheet), start=1)
    ]
    story.append(
        KeepTogether(
            [
                st.p(_("4. Panel members"), st.heading),
                table(
                    members,
                    [width * f for f in (0.08, 0.20, 0.34, 0.16, 0.22)],
                    row_heights=[None] + [10 * mm] * (len(members) - 1),
                ),
            ]
        )
    )
    return story
