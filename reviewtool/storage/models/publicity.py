"""公示 (public notice of the funding list) and the objections (异议) lodged during it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reviewtool.core.enums import ObjectionOutcome, PublicityStatus
from reviewtool.storage.models.base import Base, enum_column, utcnow


class Publicity(Base):
    """A batch's 公示: the list frozen when it opened, and (once closed) the final decisions.

    ``rows`` is the published list exactly as it went out (application id, number, title,
    unit, leader, category, county, amount); ``decisions`` maps each reviewed application id
    to its final decision at closing (``funded`` / ``not_funded``)."""

    __tablename__ = "publicity"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), unique=True)
    status: Mapped[PublicityStatus] = mapped_column(
        enum_column(PublicityStatus, "publicity_status"), default=PublicityStatus.OPEN
    )
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    rows: Mapped[list[Any]] = mapped_column(JSON, default=list)
    opened_by: Mapped[str] = mapped_column(String(64), default="")
    opened_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    closed_on: Mapped[dt.date | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closing_note: Mapped[str | None] = mapped_column(Text)
    decisions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Objection(Base):
    """One objection (异议) to an application's result: who lodged it, when, on what grounds,
    by when it must be answered, how it was handled, the outcome and the closing date.
    An upheld objection may send the application to a 复审 stage (``review_stage_id``), and may
    change its decision (``decision``), which the final decisions take when the 公示 closes."""

    __tablename__ = "objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    lodged_by: Mapped[str] = mapped_column(String(200))  # 异议人（单位）
    contact: Mapped[str | None] = mapped_column(String(100))
    received_on: Mapped[dt.date]
    grounds: Mapped[str] = mapped_column(Text)
    deadline: Mapped[dt.date]
    handling: Mapped[str] = mapped_column(Text, default="")  # 处理过程, one line per step
    outcome: Mapped[ObjectionOutcome] = mapped_column(
        enum_column(ObjectionOutcome, "objection_outcome"), default=ObjectionOutcome.PENDING, index=True
    )
    outcome_note: Mapped[str | None] = mapped_column(Text)
    review_stage_id: Mapped[int | None]  # the 复审 stage it was sent to
    decision: Mapped[str | None] = mapped_column(String(16))  # funded / not_funded: how it changed the list
    closed_on: Mapped[dt.date | None]
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
