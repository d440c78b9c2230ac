"""Writing to the audit trail. Every data change goes through ``record``
inside the same transaction as the change itself."""

from __future__ import annotations

import getpass
import os
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.storage.models import AuditEvent


def default_actor() -> str:
    """The operator's name: ``$REVIEWTOOL_USER`` or the login name."""
    try:
        return os.environ.get("REVIEWTOOL_USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser fails without a passwd entry
        return "unknown"


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    batch_id: int | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        batch_id=batch_id,
        summary=summary,
        details=details or {},
    )
    session.add(event)
    return event


def events_for(session: Session, entity_type: str, entity_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return list(session.scalars(stmt))
