"""Intake data every workstation shares: saved column mappings (表头对应方案)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from reviewtool.storage.models.base import Base, utcnow


class MappingProfile(Base):
    """A named mapping of a sheet's headers to the import's fields.

    ``mapping`` is ``{header text: field key | "__ignore__" | "__extra__"}``;
    ``headers`` the sheet's header texts when it was saved, so a later sheet
    with the same headers uses the profile without asking."""

    __tablename__ = "intake_mapping_profile"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    headers: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
