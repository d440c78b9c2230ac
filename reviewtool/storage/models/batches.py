"""Calls for applications (申报批次) and their data settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reviewtool.core.enums import FundingRule
from reviewtool.storage.models.base import Base, enum_column, utcnow
from reviewtool.storage.types import Points, WanYuan


class Batch(Base):
    """A call for applications, with the rules its review runs by."""

    __tablename__ = "batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    year: Mapped[int | None]
    category: Mapped[str | None] = mapped_column(String(100))  # 计划类别
    description: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[dt.date | None]
    budget: Mapped[Decimal | None] = mapped_column(WanYuan())
    per_project_cap: Mapped[Decimal | None] = mapped_column(WanYuan())
    threshold: Mapped[Decimal] = mapped_column(Points(), default=Decimal("70"))
    # Fewest valid sheets before an application's score counts (fewer: 评审未完成).
    min_sheets: Mapped[int] = mapped_column(default=3, server_default="3")
    trimmed_min_sheets: Mapped[int] = mapped_column(default=5)
    spread_threshold: Mapped[Decimal] = mapped_column(Points(), default=Decimal("20"))
    funding_rule: Mapped[FundingRule] = mapped_column(
        enum_column(FundingRule, "funding_rule"), default=FundingRule.STOP
    )
    # Free-form rule settings later features add (majority rule, z-score minimum …).
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    closed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    check_items: Mapped[list[FormalCheckItem]] = relationship(
        back_populates="batch", order_by="FormalCheckItem.position", cascade="all, delete-orphan"
    )


class FormalCheckItem(Base):
    """One item of a batch's 形式审查 checklist."""

    __tablename__ = "formal_check_item"
    __table_args__ = (UniqueConstraint("batch_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    batch: Mapped[Batch] = relationship(back_populates="check_items")


class BatchQuota(Base):
    """Optional cap per direction or key industry on a batch's funding line."""

    __tablename__ = "batch_quota"
    __table_args__ = (UniqueConstraint("batch_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("priority_area.id"))
    max_count: Mapped[int | None]
    max_amount: Mapped[Decimal | None] = mapped_column(WanYuan())
