"""The plan taxonomy: editions of a plan and their priority areas."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reviewtool.storage.models.base import Base, utcnow


class PlanEdition(Base):
    """One plan document (e.g. 海东市“十四五”科技创新发展规划), loaded from a data file."""

    __tablename__ = "plan_edition"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    period: Mapped[str] = mapped_column(String(32), default="")
    published: Mapped[dt.date | None]
    source: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    loaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    areas: Mapped[list[PriorityArea]] = relationship(
        back_populates="edition", order_by="PriorityArea.position", cascade="all, delete-orphan"
    )


class PriorityArea(Base):
    """A direction, key industry, 专栏 task, provincial 专项 item or plan target."""

    __tablename__ = "priority_area"
    __table_args__ = (UniqueConstraint("edition_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(ForeignKey("plan_edition.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("priority_area.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    section: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    edition: Mapped[PlanEdition] = relationship(back_populates="areas")
    parent: Mapped[PriorityArea | None] = relationship(remote_side=[id])
