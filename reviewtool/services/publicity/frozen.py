"""The list a batch's 公示 published, as it was frozen when the notice opened.

A leaf module (storage only), read by the documents so that every 公示
export after opening prints exactly the published list, and by funding,
whose changes need a reason once the 公示 closed (``require_change_reason``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import PublicityStatus
from reviewtool.core.errors import Refused
from reviewtool.i18n import _
from reviewtool.storage.models import Publicity


def publicity_of(session: Session, batch_id: int) -> Publicity | None:
    return session.scalar(select(Publicity).where(Publicity.batch_id == batch_id))


def frozen_rows(session: Session, batch_id: int) -> list[dict] | None:
    """The frozen rows (dicts: application_id, number, title, unit, pi_name, category, county, amount),
    or ``None`` when the batch's 公示 has not been opened."""
    record = publicity_of(session, batch_id)
    return None if record is None else list(record.rows or [])


def decisions_final(session: Session, batch_id: int) -> bool:
    record = publicity_of(session, batch_id)
    return record is not None and record.status is PublicityStatus.CLOSED


def require_change_reason(session: Session, batch_id: int, reason: str | None, what: str) -> str:
    """Once the batch's 公示 is closed, a change to ``what`` needs a reason; returns it ('' before)."""
    if not decisions_final(session, batch_id):
        return (reason or "").strip()
    if not (reason or "").strip():
        raise Refused(
            _(
                "The 公示 of this batch is closed and its decisions are final: changing {what} needs a reason, "
                "which is recorded."
            ).format(what=what)
        )
    return reason.strip()


def final_decisions(session: Session, batch_id: int) -> dict[str, str] | None:
    """Application id (text) → ``funded`` / ``not_funded`` once the 公示 closed; ``None`` before."""
    record = publicity_of(session, batch_id)
    if record is None or record.status is not PublicityStatus.CLOSED:
        return None
    return dict(record.decisions or {})
