"""Documents for applicant units as reportlab stories: the experts'
comments (专家评审意见), the 立项通知 and the 不予立项 letter.

Applicant-facing: never a 保密 mark, an expert's name, unit or contact data,
another application's figures or an internal note (the models hold none).
Each ends with the bureau's name and the date of issue, with room above for
the seal; the comments and the 不予立项 letter also say how and by when to
ask for 复核.

Thread-safety: pure functions over immutable models.
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from reviewtool.i18n import _
from reviewtool.services.documents.layout import PageInfo, Styles, frame_width, gap, table
from reviewtool.services.documents.model import ApplicantComment, ApplicantLetter
from reviewtool.services.documents.model_notices import OutcomeLetter
from reviewtool.services.documents.pieces import app_table, issuer_foot, short_title, title_block
from reviewtool.services.documents.text import fmt_money, fmt_total


def comments_block(comments: tuple[ApplicantComment, ...], st: Styles, width: float) -> list[Flowable]:
    out: list[Flowable] = []
    for comment in comments:
        out.append(st.p(comment.label, st.heading))
        if comment.opinion is not None:
            out.append(st.p(_("Opinion: {opinion}").format(opinion=comment.opinion.label()), st.body))
        if comment.written_opinion:
            out.append(st.p(comment.written_opinion, st.body))
        if comment.criterion_comments:
            rows = [[st.p(_("Criterion"), st.cell_head), st.p(_("Comment"), st.cell_head)]]
            rows += [[st.p(title_, st.cell), st.p(text, st.cell)] for title_, text in comment.criterion_comments]
            out.append(gap(1))
            out.append(table(rows, [width * 0.3, width * 0.7]))
    if not comments:
        out.append(st.p(_("No comments were recorded."), st.body))
    return out


def applicant_story(letter: ApplicantLetter, st: Styles, *, bureau: str) -> list[Flowable]:
    width = frame_width(False)
    app = letter.app
    title = _("Expert review comments")
    info = PageInfo(title, app.number, bureau, confidential=False, detail=short_title(app.title))
    story: list[Flowable] = [st.start(info)]
    story += title_block(st, title, bureau, app.batch)
    story.append(app_table(st, app, width, show_money=False))
    if letter.show_score and letter.final_score is not None:
        story.append(gap(2))
        story.append(
            st.p(_("Panel score of this application: {score}").format(score=fmt_total(letter.final_score)), st.body)
        )
    story += comments_block(letter.comments, st, width)
    story.append(gap(6))
    story.append(st.p(_("The experts' names are withheld. Comments are given as written by the experts."), st.note))
    if letter.review_note:
        story.append(gap(2))
        story.append(st.p(letter.review_note, st.body))
    story.append(issuer_foot(st, width, letter.bureau or bureau, letter.issued))
    return story


def letter_paragraphs(letter: OutcomeLetter) -> list[str]:
    """The body of a 立项通知 or 不予立项 letter, paragraph by paragraph (also used by the Word letters)."""
    app = letter.app
    if letter.funded:
        body = [
            _(
                "Your application “{title}” (no. {number}) has passed formal review and expert review and is "
                "listed for funding in {batch}, with special funds of {amount} (10k yuan)."
            ).format(title=app.title, number=app.number, batch=app.batch, amount=fmt_money(letter.amount)),
            _(
                "Please sign the project task agreement as required, carry out the project as agreed and use the "
                "funds only for it."
            ),
        ]
    else:
        body = [
            _(
                "Your application “{title}” (no. {number}) has been reviewed by experts and is not listed for "
                "funding in {batch} ({reason}). The experts' comments are attached for your reference."
            ).format(title=app.title, number=app.number, batch=app.batch, reason=letter.reason),
        ]
        if letter.review_note:
            body.append(letter.review_note)
    if letter.phone or letter.contact:
        parts = [p for p in (letter.contact, letter.phone) if p]
        body.append(_("Contact: {contact}").format(contact=" ".join(parts)))
    return body


def outcome_title(letter: OutcomeLetter) -> str:
    return _("Notice of project approval") if letter.funded else _("Notice of non-approval")


def outcome_story(letter: OutcomeLetter, st: Styles) -> list[Flowable]:
    width = frame_width(False)
    app = letter.app
    title = outcome_title(letter)
    info = PageInfo(title, app.number, letter.bureau, confidential=False, detail=short_title(app.title))
    story: list[Flowable] = [st.start(info)]
    story.append(st.p(title, st.title))
    story.append(gap(6))
    letter_style = ParagraphStyle("rt-letter", parent=st.body, fontSize=12, leading=22)
    indent = ParagraphStyle("rt-letter-indent", parent=letter_style, firstLineIndent=24)
    story.append(st.p(_("{unit}:").format(unit=app.unit), letter_style))
    for paragraph in letter_paragraphs(letter):
        story.append(st.p(paragraph, indent))
    story.append(issuer_foot(st, width, letter.bureau, letter.issued))
    if not letter.funded:
        story.append(gap(6))
        story.append(st.p(_("Annex: expert review comments"), st.heading))
        story.append(app_table(st, app, width, show_money=False))
        story += comments_block(letter.comments, st, width)
        story.append(gap(4))
        story.append(st.p(_("The experts' names are withheld. Comments are given as written by the experts."), st.note))
    return story
