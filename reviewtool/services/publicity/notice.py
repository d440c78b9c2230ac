"""The 公示 of a batch's funding list: open it (the list is frozen as it goes
public), close it (the batch's decisions become final), and change a final
decision afterwards only with a reason (recorded).

- ``open_publicity``: the review must be final (every panel finalised) and
  the funding line must hold at least one application. The list of the
  applications within the line is frozen (``publicity.rows``) with the
  notice period; every 公示 document exported afterwards prints that list.
- ``close_publicity``: refused while an objection is still open. Each
  reviewed application's final decision (立项 / 不予立项) is the published
  list, changed only where an upheld objection (after its 复审, if it had
  one) said so when it was closed; the application's status becomes
  ``funded`` or ``not_recommended``.
- ``amend_decision``: after closing, a decision changes only with a reason.
- ``require_change_reason``: what other services call before changing what
  the decisions rest on (amounts, budget, quotas) once they are final.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ApplicationStatus, ObjectionOutcome, PublicityStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.batches.batch import get_batch
from reviewtool.services.changes import Changes
from reviewtool.services.publicity.frozen import publicity_of, require_change_reason
from reviewtool.storage.models import Application, Objection, Publicity

FUNDED, NOT_FUNDED = "funded", "not_funded"
#: Applications that never get a decision (they left before review).
NO_DECISION = (ApplicationStatus.WITHDRAWN, ApplicationStatus.FORMAL_FAILED)


@dataclass(frozen=True)
class PublicityView:
    """Where a batch's 公示 stands (``status`` None: not opened)."""

    batch_id: int
    batch: str
    status: PublicityStatus | None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    rows: tuple[dict, ...] = ()
    opened_by: str = ""
    closed_on: dt.date | None = None
    closed_by: str = ""
    closing_note: str = ""
    decisions: dict[str, str] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status is PublicityStatus.OPEN

    @property
    def final(self) -> bool:
        return self.status is PublicityStatus.CLOSED

    def label(self) -> str:
        if self.status is None:
            return _("Not opened")
        if self.is_open:
            return _("Open {start} to {end}").format(start=self.starts_on.isoformat(), end=self.ends_on.isoformat())
        return _("Closed on {date}; decisions final").format(date=self.closed_on.isoformat())

    def as_json(self) -> dict:
        return {
            "batch": self.batch,
            "status": self.status.value if self.status else None,
            "starts_on": self.starts_on.isoformat() if self.starts_on else None,
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "rows": list(self.rows),
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "decisions": dict(self.decisions),
        }


def publicity_view(session: Session, batch_id: int) -> PublicityView:
    batch = get_batch(session, batch_id)
    record = publicity_of(session, batch_id)
    if record is None:
        return PublicityView(batch.id, batch.name, None)
    return PublicityView(
        batch.id,
        batch.name,
        record.status,
        record.starts_on,
        record.ends_on,
        tuple(record.rows or ()),
        record.opened_by,
        record.closed_on,
        record.closed_by or "",
        record.closing_note or "",
        dict(record.decisions or {}),
    )


def _published_rows(session: Session, batch_id: int) -> tuple[list[dict], bool]:
    """The funding line as it would go public now (rows as frozen), and whether the review is a draft."""
    from reviewtool.services.documents.data import app_headers
    from reviewtool.services.documents.notice_settings import notice_settings
    from reviewtool.services.funding import funding_view

    view = funding_view(session, batch_id)
    settings = notice_settings(session, batch_id)
    funded = [r for r in view.rows if r.funded]
    headers = app_headers(session, [r.application_id for r in funded])
    rows = [
        {
            "application_id": r.application_id,
            "number": r.number,
            "title": r.title,
            "unit": r.unit,
            "pi_name": headers[r.application_id].pi_name,
            "category": headers[r.application_id].category or "",
            "county": headers[r.application_id].county,
            "amount": format(r.recommended, "f") if settings.show_amount else None,
        }
        for r in funded
    ]
    return rows, view.draft


def _parse_date(value: dt.date | str | None, what: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise UserError(_("{field}: “{text}” is not a date (YYYY-MM-DD).").format(field=what, text=text)) from None


def open_publicity(
    session: Session,
    batch_id: int,
    *,
    starts_on: dt.date | str,
    ends_on: dt.date | str,
    actor: str,
    allow_draft: bool = False,
) -> Changes:
    """Open the 公示: freeze the list within the funding line, with the notice period."""
    from reviewtool.services.documents.notice_settings import set_notice_settings

    batch = get_batch(session, batch_id)
    start = _parse_date(starts_on, _("Notice period from"))
    end = _parse_date(ends_on, _("Notice period to"))
    if start is None or end is None:
        raise UserError(_("Give the notice period: the first and the last day."))
    if end < start:
        raise UserError(_("The notice period ends ({end}) before it starts ({start}).").format(
            end=end.isoformat(), start=start.isoformat()))  # fmt: skip
    existing = publicity_of(session, batch_id)
    if existing is not None:
        raise Refused(
            _("The 公示 of {batch} was already opened on {date}; its list is frozen.").format(
                batch=batch.name, date=existing.starts_on.isoformat()
            )
        )
    rows, draft = _published_rows(session, batch_id)
    if draft and not allow_draft:
        raise Refused(
            _(
                "The review of {batch} is not final (a panel or stage is not finalised); finalise it before 公示."
            ).format(batch=batch.name)
        )
    if not rows:
        raise Refused(
            _("Batch {batch} has no application within the funding line to publish.").format(batch=batch.name)
        )
    set_notice_settings(session, batch_id, {"publicity_start": start, "publicity_end": end}, actor=actor)
    record = Publicity(
        batch_id=batch_id, status=PublicityStatus.OPEN, starts_on=start, ends_on=end, rows=rows, opened_by=actor,
        decisions={},
    )  # fmt: skip
    session.add(record)
    session.flush()
    audit.record(
        session, actor=actor, action="publicity.open", entity_type="publicity", entity_id=record.id,
        batch_id=batch_id,
        summary=_("公示 of {batch} opened: {count} projects, {start} to {end}; the list is frozen").format(
            batch=batch.name, count=len(rows), start=start.isoformat(), end=end.isoformat()),
        details={"new": {"starts_on": start.isoformat(), "ends_on": end.isoformat(),
                         "projects": [f"{r['number']} {r['title']}" for r in rows]},
                 "applications": [r["application_id"] for r in rows]},
    )  # fmt: skip
    return Changes(
        batches=True,
        applications=True,
        message=_("公示 opened: {count} projects, {start} to {end}.").format(
            count=len(rows), start=start.isoformat(), end=end.isoformat()
        ),
    )


def reviewed_applications(session: Session, batch_id: int) -> list[Application]:
    return list(
        session.scalars(
            select(Application)
            .where(Application.batch_id == batch_id, Application.status.not_in(NO_DECISION))
            .order_by(Application.number)
        )
    )


def close_publicity(
    session: Session, batch_id: int, *, actor: str, closed_on: dt.date | str | None = None, note: str = ""
) -> Changes:
    """Close the 公示: every reviewed application's decision becomes final (立项 or 不予立项)."""
    batch = get_batch(session, batch_id)
    record = publicity_of(session, batch_id)
    if record is None:
        raise Refused(_("The 公示 of {batch} has not been opened.").format(batch=batch.name))
    if record.status is PublicityStatus.CLOSED:
        raise Refused(_("The 公示 of {batch} is already closed.").format(batch=batch.name))
    closed_on = _parse_date(closed_on, _("Closed on")) or dt.date.today()
    if closed_on < record.starts_on:
        raise UserError(_("The 公示 cannot close ({date}) before it opened ({start}).").format(
            date=closed_on.isoformat(), start=record.starts_on.isoformat()))  # fmt: skip
    still_open = list(
        session.scalars(
            select(Objection)
            .where(Objection.batch_id == batch_id, Objection.closed_on.is_(None))
            .order_by(Objection.id)
        )
    )
    if still_open:
        numbers = {a.id: a.number for a in session.scalars(
            select(Application).where(Application.id.in_([o.application_id for o in still_open])))}  # fmt: skip
        raise Refused(
            _("{count} objections are still open ({numbers}); decide and close them before closing the 公示.").format(
                count=len(still_open), numbers="、".join(numbers[o.application_id] for o in still_open)
            )
        )
    # The published list is what is decided; an upheld objection may have changed one application's decision.
    published = {r["application_id"] for r in record.rows or []}
    objection_decisions = dict(
        session.execute(
            select(Objection.application_id, Objection.decision).where(
                Objection.batch_id == batch_id,
                Objection.outcome == ObjectionOutcome.UPHELD,
                Objection.decision.is_not(None),
            )
        ).all()
    )
    funded_now = {a for a in published if objection_decisions.get(a) != NOT_FUNDED} | {
        a for a, d in objection_decisions.items() if d == FUNDED
    }
    changed = sorted(funded_now ^ published)
    note = (note or "").strip()
    decisions: dict[str, str] = {}
    for application in reviewed_applications(session, batch_id):
        funded = application.id in funded_now
        decisions[str(application.id)] = FUNDED if funded else NOT_FUNDED
        application.status = ApplicationStatus.FUNDED if funded else ApplicationStatus.NOT_RECOMMENDED
    record.status = PublicityStatus.CLOSED
    record.closed_on = closed_on
    record.closed_by = actor
    record.closing_note = note or None
    record.decisions = decisions
    numbers = (
        {a.id: a.number for a in session.scalars(select(Application).where(Application.id.in_(changed)))}
        if changed
        else {}
    )
    audit.record(
        session, actor=actor, action="publicity.close", entity_type="publicity", entity_id=record.id,
        batch_id=batch_id,
        summary=_("公示 of {batch} closed on {date}: {funded} funded, {other} not; decisions final").format(
            batch=batch.name, date=closed_on.isoformat(), funded=len(funded_now),
            other=len(decisions) - len(funded_now)),
        details={"old": {"status": PublicityStatus.OPEN.value},
                 "new": {"status": PublicityStatus.CLOSED.value, "funded": len(funded_now),
                         "changed_since_published": [numbers[a] for a in changed], "note": note}},
    )  # fmt: skip
    return Changes(
        applications=True,
        batches=True,
        message=_("公示 closed; the decisions of {batch} are final.").format(batch=batch.name),
    )


def amend_decision(session: Session, application_id: int, *, funded: bool, reason: str, actor: str) -> Changes:
    """Change one final decision after the 公示 closed; the reason is required and recorded."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(_("Application {id} does not exist.").format(id=application_id))
    record = publicity_of(session, application.batch_id)
    if record is None or record.status is not PublicityStatus.CLOSED:
        raise Refused(_("The decisions of this batch are not final yet: close the 公示 first."))
    key = str(application.id)
    if key not in (record.decisions or {}):
        raise Refused(_("{number} has no decision to change.").format(number=application.number))
    reason = require_change_reason(session, application.batch_id, reason, _("a final decision"))
    old = record.decisions[key]
    new = FUNDED if funded else NOT_FUNDED
    if old == new:
        return Changes()
    record.decisions = {**record.decisions, key: new}
    application.status = ApplicationStatus.FUNDED if funded else ApplicationStatus.NOT_RECOMMENDED
    labels = {FUNDED: _("funded"), NOT_FUNDED: _("not funded")}
    audit.record(
        session, actor=actor, action="decision.amend", entity_type="application", entity_id=application.id,
        batch_id=application.batch_id,
        summary=_("Final decision on {number} changed: {old} → {new} ({reason})").format(
            number=application.number, old=labels[old], new=labels[new], reason=reason),
        details={"old": labels[old], "new": labels[new], "reason": reason, "application_id": application.id},
    )  # fmt: skip
    return Changes(applications=True, message=_("Decision on {number} changed.").format(number=application.number))
