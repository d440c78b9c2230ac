"""Reading the outgoing documents from the database: the 公示名单 with its
notice, and the outcome letters (立项通知 / 不予立项) to applicant units.

Both follow the funding line (``services.funding.funding_view``): the
applications within it are listed for 公示 and get a 立项通知; every other
reviewed application gets a 不予立项 letter with the experts' comments,
anonymised (``data.applicant_letters``). Applications withdrawn or failed
at formal review get neither (they had their formal-review notice).

Reads only; returns ``model_notices`` objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services.documents import data
from reviewtool.services.documents.model_notices import OutcomeLetter, PublicityDoc, PublicityRow
from reviewtool.services.documents.notice_settings import NoticeSettings, notice_settings
from reviewtool.services.documents.text import fmt_date
from reviewtool.services.funding import funding_view
from reviewtool.services.publicity.frozen import final_decisions, frozen_rows


def review_note(settings: NoticeSettings, bureau: str, today: dt.date | None = None) -> str:
    """The sentence on how and by when to ask for 复核."""
    deadline = settings.review_deadline(today)
    text = _(
        "A unit that disagrees with the result may apply to {bureau} in writing for a re-review by {date} "
        "({days} days from the date of issue), stating its reasons; later applications are not accepted."
    ).format(bureau=bureau or _("the bureau"), date=fmt_date(deadline), days=settings.review_days)
    if settings.phone:
        text += _(" Contact phone: {phone}.").format(phone=settings.phone)
    return text


def publicity_doc(
    session: Session, batch_id: int, *, bureau: str, today: dt.date | None = None, stage_id: int | None = None
) -> PublicityDoc:
    """The 公示 notice and list: the applications within the funding line (final scores up to a stage)."""
    view = funding_view(session, batch_id, stage_id)
    settings = notice_settings(session, batch_id)
    frozen = frozen_rows(session, batch_id)  # once the 公示 is open: the list as it went out
    funded = [r for r in view.rows if r.funded]
    if not funded and frozen is None:
        raise UserError(
            _("Batch {batch} has no application within the funding line to publish.").format(batch=view.batch)
        )
    headers = data.app_headers(session, [r.application_id for r in funded])
    rows = tuple(
        PublicityRow(
            seq=index,
            title=r.title,
            unit=r.unit,
            pi_name=headers[r.application_id].pi_name,
            category=headers[r.application_id].category or "",
            county=headers[r.application_id].county,
            amount=r.recommended if settings.show_amount else None,
        )
        for index, r in enumerate(funded, start=1)
    )
    if frozen is not None:
        rows = tuple(
            PublicityRow(
                seq=index,
                title=r["title"],
                unit=r["unit"],
                pi_name=r["pi_name"],
                category=r["category"],
                county=r["county"],
                amount=Decimal(r["amount"]) if settings.show_amount and r.get("amount") else None,
            )  # fmt: skip
            for index, r in enumerate(frozen, start=1)
        )
    start = fmt_date(settings.publicity_start)
    end = fmt_date(settings.publicity_end)
    paragraphs = [
        _(
            "After formal review and expert review, the {count} projects below are proposed for funding "
            "in {batch}. They are published for public notice."
        ).format(count=len(rows), batch=view.batch),
        _("Notice period: {start} to {end}.").format(start=start, end=end),
        settings.objection_text(),
    ]
    contact = [
        part
        for part in (
            _("Contact: {name}").format(name=settings.contact) if settings.contact else "",
            _("Phone: {phone}").format(phone=settings.phone) if settings.phone else "",
            _("Address: {address}").format(address=settings.address) if settings.address else "",
        )
        if part
    ]
    if contact:
        paragraphs.append(_("; ").join(contact) + _("."))
    return PublicityDoc(
        batch=view.batch,
        bureau=bureau,
        title=_("Public notice of the projects proposed for funding in {batch}").format(batch=view.batch),
        paragraphs=tuple(paragraphs),
        rows=rows,
        show_amount=settings.show_amount,
        issued=settings.issue_date(today),
        contact=settings.contact,
        phone=settings.phone,
        address=settings.address,
    )


def publicity_warnings(session: Session, batch_id: int) -> list[str]:
    """What the bureau should set before publishing (the notice prints blanks for it)."""
    settings = notice_settings(session, batch_id)
    out = []
    if settings.publicity_start is None or settings.publicity_end is None:
        out.append(_("The notice period is not set; the notice leaves it blank to be filled in by hand."))
    if not settings.phone:
        out.append(_("No contact phone is set for objections."))
    return out


def outcome_letters(
    session: Session,
    batch_id: int,
    *,
    bureau: str,
    ids: Sequence[int] | None = None,
    today: dt.date | None = None,
    stage_id: int | None = None,
) -> list[OutcomeLetter]:
    """A letter per reviewed application, in 申报编号 order (final scores up to a stage)."""
    view = funding_view(session, batch_id, stage_id)
    settings = notice_settings(session, batch_id)
    rows = {r.application_id: r for r in view.rows}
    wanted = [i for i in data.application_ids(session, batch_id, ids) if i in rows]
    headers = data.app_headers(session, wanted)
    issued = settings.issue_date(today)
    note = review_note(settings, bureau, today)
    final = final_decisions(session, batch_id)  # once the 公示 closed: the final decisions, not the live line

    def funded(app_id: int) -> bool:
        return final[str(app_id)] == "funded" if final and str(app_id) in final else rows[app_id].funded

    comments = {
        letter.app.id: letter.comments
        for letter in data.applicant_letters(session, batch_id, ids=[i for i in wanted if not funded(i)])
    }
    out = []
    for app_id in wanted:
        row = rows[app_id]
        if funded(app_id):
            out.append(
                OutcomeLetter(
                    app=headers[app_id],
                    funded=True,
                    bureau=bureau,
                    issued=issued,
                    amount=row.recommended,
                    contact=settings.contact,
                    phone=settings.phone,
                )
            )
        else:
            decision = row.decision.label() if not row.funded else _("Not funded (final decision after the 公示)")
            reason = data.decision_text(vetoed=row.vetoed, sheet_count=row.sheet_count, decision=decision)
            out.append(
                OutcomeLetter(
                    app=headers[app_id],
                    funded=False,
                    bureau=bureau,
                    issued=issued,
                    comments=comments.get(app_id, ()),
                    review_note=note,
                    reason=reason,
                    contact=settings.contact,
                    phone=settings.phone,
                )
            )
    if not out:
        raise UserError(_("Batch {batch} has no reviewed application to write to.").format(batch=view.batch))
    return out
