"""Legal units: applicants, partners and experts' employers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from reviewtool.core.enums import UnitType
from reviewtool.storage.models.base import Base, enum_column, utcnow


class Unit(Base):
    """A legal unit (法人单位). The same row is an applicant's 承担单位 and an
    expert's employer, which is what the same-unit 回避 rule compares."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    unit_type: Mapped[UnitType] = mapped_column(enum_column(UnitType, "unit_type"), default=UnitType.OTHER)
    county: Mapped[str | None] = mapped_column(String(64), index=True)
    credit_code: Mapped[str | None] = mapped_column(String(32))  # 统一社会信用代码
    address: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
