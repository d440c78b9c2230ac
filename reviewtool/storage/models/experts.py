"""The expert pool (专家库) and declared relations used by the 回避 rules."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reviewtool.core.enums import ExpertStatus, RelationKind
from reviewtool.storage.models.base import Base, enum_column, utcnow
from reviewtool.storage.models.organisations import Unit
from reviewtool.storage.models.plan import PriorityArea


class Expert(Base):
    """A reviewer: an expert from the pool, or bureau staff (``is_staff``)
    doing the bureau's own pre-scoring. Phone and e-mail are personal data."""

    __tablename__ = "expert"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(64))  # 职称
    speciality: Mapped[str | None] = mapped_column(String(200))  # 专业
    keywords: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(120))
    id_number_tail: Mapped[str | None] = mapped_column(String(8))  # to tell namesakes apart
    status: Mapped[ExpertStatus] = mapped_column(
        enum_column(ExpertStatus, "expert_status"), default=ExpertStatus.ACTIVE, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    is_staff: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Saving over someone else's change is refused (migration 0006; storage/versioning.py).
    row_version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

    unit: Mapped[Unit | None] = relationship()
    fields: Mapped[list[ExpertField]] = relationship(back_populates="expert", cascade="all, delete-orphan")
    relations: Mapped[list[ExpertRelation]] = relationship(back_populates="expert", cascade="all, delete-orphan")


class ExpertField(Base):
    """An expert's field of expertise, as a priority area."""

    __tablename__ = "expert_field"
    __table_args__ = (UniqueConstraint("expert_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("priority_area.id"))

    expert: Mapped[Expert] = relationship(back_populates="fields")
    area: Mapped[PriorityArea] = relationship()


class ExpertRelation(Base):
    """A declared relation: a unit or person the expert must not review, or
    the expert's own application."""

    __tablename__ = "expert_relation"

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RelationKind] = mapped_column(enum_column(RelationKind, "relation_kind"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    person_name: Mapped[str | None] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"))
    note: Mapped[str | None] = mapped_column(Text)

    expert: Mapped[Expert] = relationship(back_populates="relations")
