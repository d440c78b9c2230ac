"""Writing to the audit trail, and verifying it.

Every data change goes through ``record`` (or ``record_many`` for bulk
imports) inside the same transaction as the change itself. Both check that
the logged-in user may take the action (``services.users.permissions``) and
write through ``storage.audit_chain.append``, which chains the record to the
one before it. The actor is the logged-in user (PostgreSQL: the session's
login role; SQLite: the local user), whatever name the caller passed; only
without accounts (an SQLite file without local users, or the schema owner)
is it the caller's ``actor``: the operating-system account.

``verify`` walks the chain (``reviewtool-cli audit verify``).
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.users import Permission
from reviewtool.i18n import _
from reviewtool.services.users.permissions import check_action, require
from reviewtool.storage import audit_chain
from reviewtool.storage.models import AuditEvent


def default_actor() -> str:
    """The operating-system account (``$REVIEWTOOL_USER`` overrides it for scripts): the actor
    when nobody logs in, i.e. on an SQLite file without local users."""
    try:
        return os.environ.get("REVIEWTOOL_USER") or getpass.getuser()
    except Exception:  # noqa: BLE001 - getuser fails without a passwd entry
        return "unknown"


def _row(
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    batch_id: int | None = None,
    summary: str = "",
    details: dict[str, Any] | None = None,
    **_ignored: Any,
) -> dict[str, Any]:
    return {
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "batch_id": batch_id,
        "summary": summary,
        "details": details or {},
    }


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
) -> None:
    """Append one audit record (refused with ``NotPermitted`` if the user may not take ``action``)."""
    check_action(session, action, entity_type, entity_id)
    audit_chain.append(
        session,
        [
            _row(
                actor=actor,
                action=action,
                entity_type=entity_type,
                entity_id=entity_id,
                batch_id=batch_id,
                summary=summary,
                details=details,
            )
        ],
    )


def record_many(session: Session, events: list[dict[str, Any]]) -> None:
    """Append many records at once (bulk imports): dicts with ``record``'s keywords."""
    for action, entity_type in {(e["action"], e["entity_type"]) for e in events}:
        check_action(session, action, entity_type, None)
    audit_chain.append(session, [_row(**event) for event in events])


def events_for(session: Session, entity_type: str, entity_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.seq, AuditEvent.id)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    records: int  # records checked (up to and including the first broken one)
    first_broken: int | None  # the id of the first record that does not fit
    reason: str
    last_hash: str | None  # the newest record's hash: note it to catch the newest records removed later

    def as_json(self) -> dict:
        return {
            "ok": self.ok,
            "records": self.records,
            "first_broken": self.first_broken,
            "reason": self.reason,
            "last_hash": self.last_hash,
        }


def verify(session: Session, *, expect_last: str | None = None) -> ChainCheck:
    """Walk the chain from the first record: each must carry the next number, the hash of the one
    before it and the hash of its own content. ``expect_last``: a hash noted earlier, which must
    still be in the chain (so removing the newest records is caught too)."""
    require(session, Permission.READ_AUDIT)
    expected_seq, prev, count, seen_expected = 1, audit_chain.GENESIS, 0, expect_last is None
    for link in audit_chain.stored_links(session):
        count += 1
        if link.seq != expected_seq:
            reason = (
                _("Record {id} is number {seq} where {expected} was due: {missing} record(s) before it were removed.")
                if link.seq > expected_seq
                else _("Record {id} is number {seq} where {expected} was due: it was inserted out of place.")
            ).format(id=link.id, seq=link.seq, expected=expected_seq, missing=link.seq - expected_seq)
            return ChainCheck(False, count, link.id, reason, None)
        if link.prev_hash != prev:
            return ChainCheck(
                False,
                count,
                link.id,
                _(
                    "Record {id} does not follow the record before it (its link is {stored}…, the record before "
                    "has {actual}…): a record was inserted, removed or replaced here."
                ).format(id=link.id, stored=link.prev_hash[:12], actual=prev[:12]),
                None,
            )
        if link.computed != link.hash:
            return ChainCheck(
                False,
                count,
                link.id,
                _("Record {id} was altered: its content no longer gives its hash.").format(id=link.id),
                None,
            )
        seen_expected = seen_expected or link.hash == expect_last
        prev, expected_seq = link.hash, expected_seq + 1
    if not seen_expected:
        return ChainCheck(
            False,
            count,
            None,
            _("The hash {hash}… noted earlier is no longer in the chain: the newest records were removed.").format(
                hash=expect_last[:12]
            ),
            None,
        )
    last = prev if count else None
    return ChainCheck(True, count, None, _("All {count} records link up.").format(count=count), last)
