"""Setting a batch's formal-review limits (形式审查限定条件): the co-funding
ratio, 限项 per project leader and per unit, the unit's registration cut-off
and the leader's maximum age. Setting the cut-off or the age adds its item to
the batch's checklist (and clearing it takes the item out of use); the data
is then checked against them (``formal_prefill``). Audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.errors import NotFound
from reviewtool.i18n import N_, _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.intake.formal_prefill import LIMITS_KEY, age_date, limits_of, parse_limits
from reviewtool.services.intake.formal_review import ensure_checklist
from reviewtool.storage.models import Batch, FormalCheckItem

#: Items added to the checklist when the batch sets their limit.
LIMIT_ITEMS = {
    "unit_registered": N_("The applicant unit was registered on or before {date}"),
    "pi_age": N_("The project leader is at most {age} years old on {date}"),
}


def set_limits(session: Session, batch_id: int, values: dict[str, Any], *, actor: str) -> Changes:
    """Set the batch's formal-review limits; the registration and age items join (or leave) its checklist."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(_("Batch {id} does not exist.").format(id=batch_id))
    limits = parse_limits(values)
    old = limits_of(batch)
    if old == limits:
        return Changes()
    batch.settings = {**(batch.settings or {}), LIMITS_KEY: limits.as_json()}
    ensure_checklist(session, batch_id, actor=actor)
    items = {i.code: i for i in session.scalars(select(FormalCheckItem).where(FormalCheckItem.batch_id == batch_id))}
    deadline = age_date(batch)
    wanted = {
        "unit_registered": limits.registered_before is not None,
        "pi_age": limits.pi_max_age is not None,
    }
    last = max((i.position for i in items.values()), default=0)
    for code, on in wanted.items():
        item = items.get(code)
        text = ""
        if code == "unit_registered" and limits.registered_before:
            text = _(LIMIT_ITEMS[code]).format(date=limits.registered_before.isoformat())
        elif code == "pi_age" and limits.pi_max_age:
            text = _(LIMIT_ITEMS[code]).format(age=limits.pi_max_age, date=deadline.isoformat())
        if on and item is None:
            last += 1
            session.add(FormalCheckItem(batch_id=batch_id, code=code, text=text, position=last))
        elif on:
            item.active, item.text = True, text
        elif item is not None:
            item.active = False
    audit.record(
        session,
        actor=actor,
        action="formal.limits",
        entity_type="batch",
        entity_id=batch_id,
        batch_id=batch_id,
        summary=_("Formal-review limits of {batch} set").format(batch=batch.name),
        details={"old": old.as_json(), "new": limits.as_json()},
    )
    session.flush()
    return Changes(batches=True, applications=True, message=_("Formal-review limits saved."))
