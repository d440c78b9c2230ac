"""The audit trail and data settings kept in the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reviewtool.storage.models.base import Base, utcnow


class AuditEvent(Base):
    """Who did what, when, with the old and new values. Never updated.

    Hash-chained (``storage/audit_chain.py``): ``seq`` numbers the records
    1, 2, 3 … and each holds the ``hash`` of its own content and the hash of
    the one before it (``prev_hash``), so ``reviewtool-cli audit verify`` finds
    a record altered, removed or inserted out of place. ``batch_id`` is a plain
    number, not a foreign key: the record outlives what it describes."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int | None]
    batch_id: Mapped[int | None] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Setting(Base):
    """A data setting shared by every workstation on the database
    (bureau name, default thresholds …). Window state is not kept here."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
