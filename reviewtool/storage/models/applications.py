"""Applications (项目申报), their priority-area tags, attachments and checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reviewtool.core.enums import ApplicationStatus, AreaRole, TagSource
from reviewtool.storage.models.base import Base, enum_column, utcnow
from reviewtool.storage.models.batches import Batch
from reviewtool.storage.models.organisations import Unit
from reviewtool.storage.models.plan import PriorityArea
from reviewtool.storage.types import Points, WanYuan


class Application(Base):
    """One project application with the fields of its 申报书 cover page."""

    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("batch_id", "number"),
        Index("ix_application_batch_status", "batch_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id"), index=True)
    number: Mapped[str] = mapped_column(String(64), index=True)  # 申报编号
    title: Mapped[str] = mapped_column(String(300), index=True)  # 项目名称
    category: Mapped[str | None] = mapped_column(String(100), index=True)  # 计划类别
    guide_direction: Mapped[str | None] = mapped_column(String(200))  # 指南方向
    innovation_type: Mapped[str | None] = mapped_column(String(64))  # 创新类型
    activity_type: Mapped[str | None] = mapped_column(String(64))  # 活动类型
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # 承担单位
    partner_units: Mapped[str | None] = mapped_column(Text)  # 合作单位
    pi_name: Mapped[str] = mapped_column(String(64), index=True)  # 项目负责人
    pi_title: Mapped[str | None] = mapped_column(String(64))
    pi_phone: Mapped[str | None] = mapped_column(String(32))
    pi_email: Mapped[str | None] = mapped_column(String(120))
    contact_name: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    team_size: Mapped[int | None]
    start_date: Mapped[dt.date | None]  # 起止年限, first day of the start month
    end_date: Mapped[dt.date | None]  # last month, stored as its first day
    total_budget: Mapped[Decimal | None] = mapped_column(WanYuan())  # 总预算
    requested_amount: Mapped[Decimal] = mapped_column(WanYuan(), default=Decimal(0))  # 申请专项经费
    self_funding: Mapped[Decimal | None] = mapped_column(WanYuan())  # 自筹经费
    budget_lines: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # 设备/材料/… → 万元 text
    outputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # 考核指标
    abstract: Mapped[str] = mapped_column(Text, default="")  # 主要研究内容
    extra_fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # unknown import columns
    status: Mapped[ApplicationStatus] = mapped_column(
        enum_column(ApplicationStatus, "application_status"), default=ApplicationStatus.RECEIVED, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    recommended_amount: Mapped[Decimal | None] = mapped_column(WanYuan())
    recommended_reason: Mapped[str | None] = mapped_column(Text)
    # Denormalised panel figure for fast ranking and sorting; the score
    # service rewrites it whenever a sheet changes.
    panel_score: Mapped[Decimal | None] = mapped_column(Points(), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    row_version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": row_version}

    batch: Mapped[Batch] = relationship()
    unit: Mapped[Unit] = relationship()
    areas: Mapped[list[ApplicationArea]] = relationship(back_populates="application", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="application", cascade="all, delete-orphan")


class ApplicationArea(Base):
    """A priority-area tag. Confirmed and suggested tags live side by side,
    told apart by ``source``; suggestions keep their score and matched terms."""

    __tablename__ = "application_area"
    __table_args__ = (UniqueConstraint("application_id", "area_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("priority_area.id"), index=True)
    role: Mapped[AreaRole] = mapped_column(enum_column(AreaRole, "area_role"), default=AreaRole.PRIMARY)
    source: Mapped[TagSource] = mapped_column(enum_column(TagSource, "tag_source"), default=TagSource.CONFIRMED)
    score: Mapped[Decimal | None] = mapped_column(Points())
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="areas")
    area: Mapped[PriorityArea] = relationship()


class Attachment(Base):
    """A file attached to an application (申报书 PDF, budget sheet …).

    The bytes live in ``attachment_content`` so that listing attachments never
    loads them, and so that a shared PostgreSQL server serves them to every
    workstation."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default="other")
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    added_by: Mapped[str] = mapped_column(String(64), default="")
    added_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="attachments")


class AttachmentContent(Base):
    __tablename__ = "attachment_content"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachment.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class FormalCheckResult(Base):
    """A clerk's tick (or failure, with its reason) on one checklist item."""

    __tablename__ = "formal_check_result"
    __table_args__ = (UniqueConstraint("application_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("formal_check_item.id", ondelete="CASCADE"))
    passed: Mapped[bool]
    reason: Mapped[str | None] = mapped_column(Text)
    checked_by: Mapped[str] = mapped_column(String(64), default="")
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # What the data decided (预审) and why; a result that differs from it carries the override reason.
    suggested: Mapped[bool | None]
    evidence: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)


class AvoidRequest(Base):
    """An expert the applicant asked to avoid (up to 3 per application)."""

    __tablename__ = "avoid_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("expert.id"), index=True)
    expert_name: Mapped[str] = mapped_column(String(64))
    expert_unit: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
