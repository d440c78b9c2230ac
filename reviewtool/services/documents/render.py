"""The bureau's documents as reportlab stories.

Each ``*_story`` function turns one document model (``model.py``) into a
list of flowables that begins with a ``DocumentStart``; ``write_pdf`` lays
one or many of them out into a file, each with its own page numbering.
All text goes through ``Styles.p`` (escaped), so nothing from an
application or a comment is ever read as markup.

Thread-safety: pure functions over immutable models; safe on any thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import IO

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak

from reviewtool.core.enums import Opinion
from reviewtool.i18n import _
from reviewtool.services.documents.fonts import DocumentFonts
from reviewtool.services.documents.layout import (
    DocumentStart,
    PageInfo,
    Styles,
    build_pdf,
    frame_width,
    gap,
    table,
)
from reviewtool.services.documents.model import (
    AppHeader,
    ApplicantLetter,
    CriterionLine,
    ExpertSheet,
    PanelSheet,
    SummaryDoc,
    SummaryRow,
)

CHECKED = "☑"
UNCHECKED = "☐"


def fmt_money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def fmt_points(value: Decimal | None) -> str:
    """Points without needless zeros: 18, 18.5, 86.25."""
    if value is None:
        return ""
    q = value.quantize(Decimal("0.01"))
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_total(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(Decimal('0.01')):f}"


def fmt_date(value) -> str:
    if value is None:
        return _("____ year __ month __ day")
    return _("{year} year {month} month {day} day").format(year=value.year, month=value.month, day=value.day)


def opinion_boxes(chosen: Opinion | None) -> str:
    return "    ".join(f"{CHECKED if chosen is o else UNCHECKED} {o.label()}" for o in Opinion)


def opinion_tally(opinions: dict[str, int]) -> str:
    parts = []
    for o in Opinion:
        count = opinions.get(o.value, 0)
        parts.append(_("{opinion} {count}").format(opinion=o.label(), count=count))
    return _(", ").join(parts)


# --------------------------------------------------------------------------- shared pieces


def _app_table(st: Styles, app: AppHeader, width: float, *, show_money: bool = True) -> Flowable:
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
            ("BACKGROUND", (0, 0), (0, -1), "#F2F4F7"),
            ("BACKGROUND", (2, 0), (2, 0), "#F2F4F7"),
            ("BACKGROUND", (2, 2), (2, 2), "#F2F4F7"),
        ]
        + ([("BACKGROUND", (2, 4), (2, 4), "#F2F4F7")] if show_money else []),
    )


def _band_text(criterion: CriterionLine) -> str:
    lines = []
    if criterion.description:
        lines.append(criterion.description)
    for band in criterion.bands:
        head = f"{band.label}（{fmt_points(band.low)}–{fmt_points(band.high)}）"
        lines.append(f"{head}：{band.descriptor}" if band.descriptor else head)
    return "\n".join(lines)


def _title_block(st: Styles, title: str, bureau: str, batch: str) -> list[Flowable]:
    out: list[Flowable] = []
    if bureau:
        out.append(st.p(bureau, st.subtitle))
    out.append(st.p(title, st.title))
    if batch:
        out.append(st.p(batch, st.subtitle))
    out.append(gap(4))
    return out


# --------------------------------------------------------------------------- 专家评审表


def expert_sheet_story(sheet: ExpertSheet, st: Styles, *, bureau: str) -> list[Flowable]:
    width = frame_width(False)
    app = sheet.app
    title = _("Expert review sheet")
    story: list[Flowable] = [DocumentStart(PageInfo(title, app.number, bureau, confidential=True))]
    story += _title_block(st, title, bureau, app.batch)
    story.append(_app_table(st, app, width))

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

    story.append(st.p(_("2. Scores") if sheet.vetoes else _("1. Scores"), st.heading))
    if sheet.rubric_name:
        story.append(st.p(_("Rubric: {name}").format(name=sheet.rubric_name), st.note))
    story.append(_criteria_table(sheet, st, width))

    story.append(st.p(_("3. Overall opinion") if sheet.vetoes else _("2. Overall opinion"), st.heading))
    story.append(st.p(opinion_boxes(sheet.opinion), st.body))
    story.append(gap(2))
    story.append(st.p(_("Written opinion:"), st.body))
    opinion_text = sheet.written_opinion if not sheet.blank else ""
    story.append(
        table(
            [[st.p(opinion_text or " ", st.body)]],
            [width],
            header_rows=0,
            style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
            row_heights=None if opinion_text else [60 * mm],  # room to write by hand
        )
    )
    story.append(gap(6))
    signer = sheet.expert_label if not sheet.blank or sheet.expert_label else ""
    signature = _("Expert signature: {name}").format(name=signer or "_" * 16)
    date = fmt_date(sheet.date)
    story.append(
        KeepTogether(
            [
                table(
                    [[st.p(signature, st.signature), st.p(_("Date: {date}").format(date=date), st.signature)]],
                    [width * 0.55, width * 0.45],
                    header_rows=0,
                    style=[("GRID", (0, 0), (-1, -1), 0, "#FFFFFF")],
                ),
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


def _criteria_table(sheet: ExpertSheet, st: Styles, width: float) -> Flowable:
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
            style += [
                ("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), "#F2F4F7"),
            ]
        number += 1
        max_text = fmt_points(criterion.max_points)
        if criterion.weight is not None:
            max_text += f"\n×{fmt_points(criterion.weight)}"
        rows.append(
            [
                st.p(str(number), st.cell_center),
                st.p(criterion.title, st.cell),
                st.p(_band_text(criterion), st.cell_small),
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
    return table(rows, w, style=style)


# --------------------------------------------------------------------------- 项目综合评审意见表


def panel_sheet_story(sheet: PanelSheet, st: Styles, *, bureau: str) -> list[Flowable]:
    width = frame_width(False)
    app = sheet.app
    title = _("Panel review opinion sheet")
    story: list[Flowable] = [DocumentStart(PageInfo(title, app.number, bureau, confidential=True))]
    story += _title_block(st, title, bureau, app.batch)
    story.append(_app_table(st, app, width))
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
    if sheet.flags:
        figures.append((_("Flags"), _(", ").join(sheet.flags)))
    rows = [[st.p(k, st.cell), st.p(v, st.cell)] for k, v in figures]
    story.append(
        table(rows, [width * 0.35, width * 0.65], header_rows=0, style=[("BACKGROUND", (0, 0), (0, -1), "#F2F4F7")])
    )

    story.append(st.p(_("3. Panel leader's summary"), st.heading))
    story.append(table([[st.p(" ", st.body)]], [width], header_rows=0, row_heights=[70 * mm]))
    story.append(gap(6))
    story.append(
        table(
            [
                [
                    st.p(_("Panel leader signature: {name}").format(name="_" * 16), st.signature),
                    st.p(_("Date: {date}").format(date=fmt_date(None)), st.signature),
                ]
            ],
            [width * 0.55, width * 0.45],
            header_rows=0,
            style=[("GRID", (0, 0), (-1, -1), 0, "#FFFFFF")],
        )
    )
    return story


# --------------------------------------------------------------------------- 评审结果汇总表


def summary_story(doc: SummaryDoc, st: Styles, *, bureau: str) -> list[Flowable]:
    width = frame_width(True)
    title = doc.title or _("Review results summary")
    story: list[Flowable] = [DocumentStart(PageInfo(title, doc.batch, bureau, confidential=True))]
    story += _title_block(st, title, bureau, doc.batch)
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
            style += [
                ("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                ("BACKGROUND", (0, len(rows) - 1), (-1, len(rows) - 1), "#F2F4F7"),
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
    story.append(table(rows, w, style=style))
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
            style=[("GRID", (0, 0), (-1, -1), 0, "#FFFFFF")],
        )
    )
    return story


# --------------------------------------------------------------------------- applicant-facing comments


def applicant_story(letter: ApplicantLetter, st: Styles, *, bureau: str) -> list[Flowable]:
    width = frame_width(False)
    app = letter.app
    title = _("Expert review comments")
    story: list[Flowable] = [DocumentStart(PageInfo(title, app.number, bureau, confidential=False))]
    story += _title_block(st, title, bureau, app.batch)
    story.append(_app_table(st, app, width, show_money=False))
    if letter.show_score and letter.final_score is not None:
        story.append(gap(2))
        story.append(
            st.p(_("Panel score of this application: {score}").format(score=fmt_total(letter.final_score)), st.body)
        )
    for comment in letter.comments:
        story.append(st.p(comment.label, st.heading))
        if comment.opinion is not None:
            story.append(st.p(_("Opinion: {opinion}").format(opinion=comment.opinion.label()), st.body))
        if comment.written_opinion:
            story.append(st.p(comment.written_opinion, st.body))
        if comment.criterion_comments:
            rows = [[st.p(_("Criterion"), st.cell_head), st.p(_("Comment"), st.cell_head)]]
            rows += [[st.p(title_, st.cell), st.p(text, st.cell)] for title_, text in comment.criterion_comments]
            story.append(gap(1))
            story.append(table(rows, [width * 0.3, width * 0.7]))
    if not letter.comments:
        story.append(st.p(_("No comments were recorded."), st.body))
    story.append(gap(6))
    story.append(st.p(_("The experts' names are withheld. Comments are given as written by the experts."), st.note))
    return story


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
) -> None:
    """Write one or more document stories into one PDF."""
    story = join_stories(stories)
    first = next((f.info for f in story if isinstance(f, DocumentStart)), PageInfo(""))
    build_pdf(target, story, fonts=fonts, info=first, wide=wide, author=author, on_progress=on_progress)
