"""The objection register (异议登记): who lodged it (a unit or person), when it
was received, which application it is about, the grounds, the date it must be
answered by, how it was handled (one dated line per step), the outcome and
the closing date. Every step is one audit record.

Objections are registered while the batch's 公示 is open and within its
period; the answer is due ``ANSWER_DAYS`` days after receipt unless another
date is given. An upheld objection may send the application to a 复审 stage
(``review.send_to_review``); it closes once that stage is finalised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ObjectionOutcome, PublicityStatus
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.batches.batch import get_batch
from reviewtool.services.changes import Changes
from reviewtool.services.publicity.frozen import publicity_of
from reviewtool.services.publicity.notice import FUNDED, NOT_FUNDED, _parse_date
from reviewtool.storage.lengths import check_length
from reviewtool.storage.models import Application, Objection

#: Days from receipt to the answer, unless the register says otherwise.
ANSWER_DAYS = 15


@dataclass(frozen=True)
class ObjectionRow:
    id: int
    application_id: int
    number: str
    title: str
    lodged_by: str
    contact: str
    received_on: dt.date
    grounds: str
    deadline: dt.date
    handling: str
    outcome: ObjectionOutcome
    outcome_note: str
    review_stage_id: int | None
    review_stage: str
    closed_on: dt.date | None
    decision: str | None = None  # funded / not_funded: the change to the published decision

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.outcome is ObjectionOutcome.PENDING and (today or dt.date.today()) > self.deadline

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "lodged_by": self.lodged_by,
            "contact": self.contact,
            "received_on": self.received_on.isoformat(),
            "grounds": self.grounds,
            "deadline": self.deadline.isoformat(),
            "handling": self.handling,
            "outcome": self.outcome.value,
            "outcome_note": self.outcome_note,
            "review_stage": self.review_stage,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "decision": self.decision,
        }


def _stage_names(session: Session) -> dict[int, str]:
    from reviewtool.storage.models.stages import Stage

    return dict(session.execute(select(Stage.id, Stage.name)).all())


def objection_rows(session: Session, batch_id: int) -> list[ObjectionRow]:
    get_batch(session, batch_id)
    stages = _stage_names(session)
    rows = []
    for o, number, title in session.execute(
        select(Objection, Application.number, Application.title)
        .join(Application, Objection.application_id == Application.id)
        .where(Objection.batch_id == batch_id)
        .order_by(Objection.received_on, Objection.id)
    ):
        rows.append(
            ObjectionRow(
                o.id,
                o.application_id,
                number,
                title,
                o.lodged_by,
                o.contact or "",
                o.received_on,
                o.grounds,
                o.deadline,
                o.handling or "",
                o.outcome,
                o.outcome_note or "",
                o.review_stage_id,
                stages.get(o.review_stage_id, "") if o.review_stage_id else "",
                o.closed_on,
                o.decision,
            )  # fmt: skip
        )
    return rows


def get_objection(session: Session, objection_id: int) -> Objection:
    found = session.get(Objection, objection_id)
    if found is None:
        raise NotFound(_("No objection with id {id}.").format(id=objection_id))
    return found


def application_in_batch(session: Session, batch_id: int, application: int | str) -> Application:
    stmt = select(Application).where(Application.batch_id == batch_id)
    if isinstance(application, int):
        stmt = stmt.where(Application.id == application)
    else:
        stmt = stmt.where(Application.number == str(application).strip())
    found = session.scalar(stmt)
    if found is None:
        raise NotFound(_("The batch has no application {number}.").format(number=application))
    return found


def _number(session: Session, objection: Objection) -> str:
    return session.get(Application, objection.application_id).number


def register_objection(
    session: Session,
    batch_id: int,
    application: int | str,
    *,
    lodged_by: str,
    received_on: dt.date | str,
    grounds: str,
    actor: str,
    deadline: dt.date | str | None = None,
    contact: str = "",
) -> tuple[int, Changes]:
    """Register an objection received during the 公示 (登记)."""
    batch = get_batch(session, batch_id)
    record = publicity_of(session, batch_id)
    if record is None or record.status is not PublicityStatus.OPEN:
        raise Refused(_("Objections are registered while the 公示 of {batch} is open.").format(batch=batch.name))
    found = application_in_batch(session, batch_id, application)
    lodged_by, grounds, contact = (lodged_by or "").strip(), (grounds or "").strip(), (contact or "").strip()
    if not lodged_by:
        raise UserError(_("Who lodged the objection (the unit or person) is required."))
    if not grounds:
        raise UserError(_("The grounds of the objection are required."))
    check_length(lodged_by, Objection.lodged_by, field=_("Lodged by"))
    if contact:
        check_length(contact, Objection.contact, field=_("Contact"))
    received = _parse_date(received_on, _("Received on"))
    if received is None:
        raise UserError(_("The date the objection was received is required."))
    if received < record.starts_on or received > record.ends_on:
        raise Refused(
            _("Received {date}, outside the notice period {start} to {end}: a late objection is not accepted.").format(
                date=received.isoformat(), start=record.starts_on.isoformat(), end=record.ends_on.isoformat()
            )
        )
    due = _parse_date(deadline, _("Answer by")) or received + dt.timedelta(days=ANSWER_DAYS)
    if due < received:
        raise UserError(_("The answer date ({due}) is before the objection was received.").format(due=due.isoformat()))
    objection = Objection(
        batch_id=batch_id, application_id=found.id, lodged_by=lodged_by, contact=contact or None,
        received_on=received, grounds=grounds, deadline=due, handling="", recorded_by=actor,
    )  # fmt: skip
    session.add(objection)
    session.flush()
    audit.record(
        session, actor=actor, action="objection.register", entity_type="objection", entity_id=objection.id,
        batch_id=batch_id,
        summary=_("Objection from {who} about {number} received {date}: {grounds}").format(
            who=lodged_by, number=found.number, date=received.isoformat(), grounds=grounds),
        details={"new": {"lodged_by": lodged_by, "received_on": received.isoformat(), "grounds": grounds,
                         "deadline": due.isoformat()}, "application_id": found.id},
    )  # fmt: skip
    return objection.id, Changes(applications=True, message=_("Objection registered."))


def _require_open(objection: Objection) -> None:
    if objection.closed_on is not None:
        raise Refused(_("That objection was closed on {date}.").format(date=objection.closed_on.isoformat()))


def record_handling(
    session: Session, objection_id: int, step: str, *, actor: str, on: dt.date | str | None = None
) -> Changes:
    """One step of the handling (核查, 组织专家复核, 约谈 …), dated."""
    objection = get_objection(session, objection_id)
    _require_open(objection)
    step = (step or "").strip()
    if not step:
        raise UserError(_("Say what was done."))
    when = _parse_date(on, _("Date")) or dt.date.today()
    old = objection.handling or ""
    line = f"{when.isoformat()} {step}"
    objection.handling = f"{old}\n{line}" if old else line
    audit.record(
        session, actor=actor, action="objection.handle", entity_type="objection", entity_id=objection.id,
        batch_id=objection.batch_id,
        summary=_("Objection about {number}: {step}").format(number=_number(session, objection), step=line),
        details={"old": old, "new": objection.handling, "application_id": objection.application_id},
    )  # fmt: skip
    return Changes(applications=True)


def decide_objection(
    session: Session, objection_id: int, outcome: ObjectionOutcome | str, note: str, *, actor: str
) -> Changes:
    """The outcome: upheld (成立), not upheld (不成立) or withdrawn (撤回), with the reasons."""
    objection = get_objection(session, objection_id)
    _require_open(objection)
    outcome = ObjectionOutcome(outcome)
    if outcome is ObjectionOutcome.PENDING:
        raise UserError(_("Choose the outcome: upheld, not upheld or withdrawn."))
    note = (note or "").strip()
    if not note:
        raise UserError(_("Give the reasons for the outcome; they are part of the answer to the objector."))
    if objection.review_stage_id is not None and outcome is not ObjectionOutcome.UPHELD:
        raise Refused(_("The objection was sent to re-review; its outcome stays upheld."))
    old = {"outcome": objection.outcome.value, "outcome_note": objection.outcome_note}
    objection.outcome = outcome
    objection.outcome_note = note
    audit.record(
        session, actor=actor, action="objection.decide", entity_type="objection", entity_id=objection.id,
        batch_id=objection.batch_id,
        summary=_("Objection about {number}: {outcome} — {note}").format(
            number=_number(session, objection), outcome=outcome.label(), note=note),
        details={"old": old, "new": {"outcome": outcome.value, "outcome_note": note},
                 "application_id": objection.application_id},
    )  # fmt: skip
    return Changes(applications=True)


def close_objection(
    session: Session,
    objection_id: int,
    *,
    actor: str,
    closed_on: dt.date | str | None = None,
    decision: str | None = None,
) -> Changes:
    """Close a decided objection (结案); one sent to re-review closes once that stage is finalised.

    ``decision`` (``funded`` / ``not_funded``, upheld objections only) is how the objection changes
    the application's decision against the published list; ``None`` leaves it as published."""
    objection = get_objection(session, objection_id)
    _require_open(objection)
    if objection.outcome is ObjectionOutcome.PENDING:
        raise Refused(_("Decide the objection before closing it."))
    if decision not in (None, FUNDED, NOT_FUNDED):
        raise UserError(_("Unknown decision {decision}: funded, not_funded or none.").format(decision=decision))
    if decision is not None and objection.outcome is not ObjectionOutcome.UPHELD:
        raise Refused(_("Only an upheld objection changes a decision."))
    if objection.review_stage_id is not None:
        from reviewtool.core.enums import StageStatus
        from reviewtool.storage.models.stages import Stage

        stage = session.get(Stage, objection.review_stage_id)
        if stage is not None and stage.status is not StageStatus.FINALISED:
            raise Refused(
                _("The re-review stage {stage} is not finalised yet; close the objection after it.").format(
                    stage=stage.name
                )
            )
    when = _parse_date(closed_on, _("Closed on")) or dt.date.today()
    if when < objection.received_on:
        raise UserError(_("An objection cannot close before it was received."))
    objection.closed_on = when
    objection.decision = decision
    labels = {None: _("decision as published"), FUNDED: _("funded"), NOT_FUNDED: _("not funded")}
    audit.record(
        session, actor=actor, action="objection.close", entity_type="objection", entity_id=objection.id,
        batch_id=objection.batch_id,
        summary=_("Objection about {number} closed on {date} ({outcome}; {decision})").format(
            number=_number(session, objection), date=when.isoformat(), outcome=objection.outcome.label(),
            decision=labels[decision]),
        details={"old": {"closed_on": None}, "new": {"closed_on": when.isoformat(), "decision": labels[decision]},
                 "application_id": objection.application_id},
    )  # fmt: skip
    return Changes(applications=True, message=_("Objection closed."))
