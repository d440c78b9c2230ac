"""Rubrics, their immutable versions, criteria, bands and veto items."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reviewtool.storage.models.base import Base, utcnow
from reviewtool.storage.types import Points


class Rubric(Base):
    __tablename__ = "rubric"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[RubricVersion]] = relationship(
        back_populates="rubric", order_by="RubricVersion.number", cascade="all, delete-orphan"
    )


class RubricVersion(Base):
    """A rubric as it stood when sheets were scored with it. Once a sheet
    uses a version, edits create a new version instead of changing this one.

    ``definition`` keeps the whole validated document (as exported to YAML),
    so an old sheet can be reproduced exactly; the criterion, band and veto
    rows mirror it for querying and foreign keys."""

    __tablename__ = "rubric_version"
    __table_args__ = (UniqueConstraint("rubric_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    total_points: Mapped[Decimal] = mapped_column(Points(), default=Decimal(100))
    rounding: Mapped[str] = mapped_column(String(32), default="ROUND_HALF_UP:2")
    definition: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    rubric: Mapped[Rubric] = relationship(back_populates="versions")
    criteria: Mapped[list[RubricCriterion]] = relationship(
        back_populates="version", order_by="RubricCriterion.position", cascade="all, delete-orphan"
    )
    veto_items: Mapped[list[RubricVetoItem]] = relationship(
        back_populates="version", order_by="RubricVetoItem.position", cascade="all, delete-orphan"
    )


class RubricCriterion(Base):
    __tablename__ = "rubric_criterion"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("rubric_version.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    group: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    max_points: Mapped[Decimal] = mapped_column(Points())
    weight: Mapped[Decimal | None] = mapped_column(Points())
    comment_rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    plan_fit: Mapped[bool] = mapped_column(default=False)  # 与"十四五"重点领域契合度

    version: Mapped[RubricVersion] = relationship(back_populates="criteria")
    bands: Mapped[list[RubricBand]] = relationship(
        back_populates="criterion", order_by="RubricBand.position", cascade="all, delete-orphan"
    )


class RubricBand(Base):
    __tablename__ = "rubric_band"

    id: Mapped[int] = mapped_column(primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(32))  # 优 / 良 / 一般 / 差
    low: Mapped[Decimal] = mapped_column(Points())
    high: Mapped[Decimal] = mapped_column(Points())
    descriptor: Mapped[str] = mapped_column(Text, default="")

    criterion: Mapped[RubricCriterion] = relationship(back_populates="bands")


class RubricVetoItem(Base):
    """A yes/no 一票否决 question answered before scoring."""

    __tablename__ = "rubric_veto_item"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("rubric_version.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)
    question: Mapped[str] = mapped_column(Text)

    version: Mapped[RubricVersion] = relationship(back_populates="veto_items")


class BatchRubric(Base):
    """Which rubric a batch uses, optionally restricted to categories or
    priority-area groups (e.g. the ecological rubric for HD-D1 and QH-E), or
    to one review stage (``stage_id``; a stage's own rubric is tried before
    the batch's)."""

    __tablename__ = "batch_rubric"
    __table_args__ = (UniqueConstraint("batch_id", "rubric_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id"))
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("review_stage.id", ondelete="CASCADE"))
    priority: Mapped[int] = mapped_column(default=0)  # more specific rules first
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    area_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
