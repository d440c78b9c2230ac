"""The hash chain of the audit trail, and the one way audit records are written.

Each ``audit_event`` row holds ``seq`` (1, 2, 3 … with no gaps), the hash of
the row before it (``prev_hash``; the first row has ``GENESIS``) and its own
``hash``: SHA-256 over ``prev_hash``, ``seq``, the time, actor, action,
entity, batch, summary and the stored JSON text of the details, each written
as ``<bytes>:<text>`` so no two different records hash alike. Altering a
record breaks its own hash; removing one leaves a gap in ``seq`` and breaks
the next record's ``prev_hash``; inserting one out of place breaks the
``prev_hash`` of the record after it.

Who computes it:

- **PostgreSQL**: a ``BEFORE INSERT`` trigger (installed by migration 0006),
  so a row inserted with psql is chained too. It takes a transaction-level
  advisory lock first, so concurrent writers queue and the chain never forks
  (``seq`` is unique besides). It also stamps the time, and for every role but
  the schema owner sets ``actor`` to the session's login role: nobody can
  write a record in someone else's name.
- **SQLite**: ``append`` below, in Python, after taking the database's write
  lock (a no-op ``UPDATE``), so the next writer waits and then sees this
  record as the last one.

Every writer goes through ``append`` (Core, in bulk) or adds an ``AuditEvent``
to the session, which ``chain_new_events`` (a ``before_flush`` hook of every
session) links the same way. The logged-in user (``session.info["identity"]``)
is the actor, whatever name the caller passed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, event, insert, inspect, select, text
from sqlalchemy.orm import Session

from reviewtool.storage.models import AuditEvent
from reviewtool.storage.models.base import utcnow

GENESIS = "0" * 64


def at_text(at: dt.datetime) -> str:
    """The time as hashed: UTC, microseconds (SQLite gives it back naive, in UTC)."""
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%f")


def _field(value: str) -> str:
    return f"{len(value.encode('utf-8'))}:{value}"


def link_hash(
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: int | None,
    batch_id: int | None,
    summary: str,
    details: str,
) -> str:
    """The hash of one record (``details`` is the JSON text as stored). The PostgreSQL trigger
    computes exactly this (migration 0006, ``rt_audit_link``)."""
    parts = (
        prev_hash,
        str(seq),
        at_text(at),
        actor or "",
        action or "",
        entity_type or "",
        "" if entity_id is None else str(entity_id),
        "" if batch_id is None else str(batch_id),
        summary or "",
        details,
    )
    return hashlib.sha256("".join(_field(p) for p in parts).encode("utf-8")).hexdigest()


def _json_text(session: Session, details: Any) -> str:
    """The text SQLAlchemy stores for ``details`` (the dialect's serializer, else ``json.dumps``)."""
    serializer = getattr(session.get_bind().dialect, "_json_serializer", None) or json.dumps
    return serializer(details)


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _acting_login(session: Session) -> str | None:
    identity = session.info.get("identity")
    if identity is not None and getattr(identity, "kind", "") == "user":
        return identity.login
    return None


def _sqlite_tail(session: Session) -> tuple[int, str]:
    """Take SQLite's write lock (so no other writer can append meanwhile), then read the last link."""
    connection = session.connection()
    connection.execute(text("UPDATE audit_event SET seq = seq WHERE 0"))
    row = connection.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def _link_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Fill ``seq``, ``prev_hash``, ``hash`` and ``at`` of new records, in order (SQLite)."""
    seq, prev = _sqlite_tail(session)
    for row in rows:
        seq += 1
        row["seq"], row["prev_hash"], row["at"] = seq, prev, utcnow()
        row["hash"] = prev = link_hash(
            prev,
            seq,
            row["at"],
            row["actor"],
            row["action"],
            row["entity_type"],
            row.get("entity_id"),
            row.get("batch_id"),
            row["summary"],
            _json_text(session, row["details"]),
        )


def _normalise(session: Session, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["actor"] = _acting_login(session) or out.get("actor") or ""
    out["summary"] = out.get("summary") or ""
    out["details"] = out.get("details") if out.get("details") is not None else {}
    out.setdefault("entity_id", None)
    out.setdefault("batch_id", None)
    return out


def append(session: Session, rows: list[dict[str, Any]]) -> None:
    """Write audit records (dicts of ``AuditEvent`` columns), chained, in one statement."""
    if not rows:
        return
    rows = [_normalise(session, row) for row in rows]
    session.flush()  # records added to the session before these come first in the chain
    if _is_postgresql(session):
        for row in rows:
            row.setdefault("at", utcnow())  # the trigger stamps the real time
            row.update(seq=0, prev_hash="", hash="")  # and fills these
    else:
        _link_rows(session, rows)
    session.execute(insert(AuditEvent), rows)


def chain_new_events(session: Session, _flush_context, _instances) -> None:
    """``before_flush``: link ``AuditEvent`` objects added to the session like ``append`` does."""
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    new.sort(key=lambda obj: inspect(obj).insert_order)
    rows = [
        _normalise(
            session,
            {c: getattr(obj, c) for c in ("actor", "action", "entity_type", "entity_id", "batch_id", "summary")}
            | {"details": obj.details},
        )
        for obj in new
    ]
    if _is_postgresql(session):
        for obj, row in zip(new, rows, strict=True):
            obj.actor, obj.summary, obj.details = row["actor"], row["summary"], row["details"]
            obj.seq, obj.prev_hash, obj.hash = 0, "", ""
        return
    _link_rows(session, rows)
    for obj, row in zip(new, rows, strict=True):
        for key in ("actor", "summary", "details", "seq", "prev_hash", "hash", "at"):
            setattr(obj, key, row[key])


def install(sessions) -> None:
    """Hook ``chain_new_events`` into a sessionmaker (``Database`` does it for every database)."""
    event.listen(sessions, "before_flush", chain_new_events)


@dataclass(frozen=True)
class StoredLink:
    id: int
    seq: int
    prev_hash: str
    hash: str
    computed: str  # the hash its content gives now


def stored_links(session: Session, chunk: int = 2000) -> Iterator[StoredLink]:
    """Every record in chain order with its stored and recomputed hash (the details' stored text)."""
    stmt = select(
        AuditEvent.id,
        AuditEvent.seq,
        AuditEvent.prev_hash,
        AuditEvent.hash,
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.entity_type,
        AuditEvent.entity_id,
        AuditEvent.batch_id,
        AuditEvent.summary,
        cast(AuditEvent.details, Text).label("details_text"),
    ).order_by(AuditEvent.seq, AuditEvent.id)
    for row in session.execute(stmt.execution_options(yield_per=chunk)):
        computed = link_hash(
            row.prev_hash or "",
            row.seq,
            row.at,
            row.actor,
            row.action,
            row.entity_type,
            row.entity_id,
            row.batch_id,
            row.summary,
            row.details_text or "",
        )
        yield StoredLink(row.id, row.seq, row.prev_hash or "", row.hash or "", computed)
