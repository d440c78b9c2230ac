"""Score sheets (专家评审表) and the per-application panel result cache."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reviewtool.core.enums import Opinion, SheetSource, SheetStatus
from reviewtool.storage.models.base import Base, enum_column, utcnow
from reviewtool.storage.models.rubrics import RubricVersion
from reviewtool.storage.types import Points


class ScoreSheet(Base):
    """One reviewer's sheet for one application under one rubric version in one review stage."""

    __tablename__ = "score_sheet"
    __table_args__ = (UniqueConstraint("stage_id", "application_id", "reviewer_id", "rubric_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("review_stage.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), index=True)
    rubric_version_id: Mapped[int] = mapped_column(ForeignKey("rubric_version.id"), index=True)
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panel.id"), index=True)
    status: Mapped[SheetStatus] = mapped_column(enum_column(SheetStatus, "sheet_status"), default=SheetStatus.DRAFT)
    source: Mapped[SheetSource] = mapped_column(enum_column(SheetSource, "sheet_source"), default=SheetSource.SCREEN)
    entered_by: Mapped[str] = mapped_column(String(64), default="")  # who typed it (staff transcribing)
    opinion: Mapped[Opinion | None] = mapped_column(enum_column(Opinion, "opinion"))
    written_opinion: Mapped[str] = mapped_column(Text, default="")  # 评审意见
    internal_note: Mapped[str] = mapped_column(Text, default="")  # never shown to applicants
    vetoed: Mapped[bool] = mapped_column(default=False)
    total: Mapped[Decimal | None] = mapped_column(Points())
    locked: Mapped[bool] = mapped_column(default=False)
    excluded: Mapped[bool] = mapped_column(default=False)  # late conflict: out of the results
    excluded_reason: Mapped[str | None] = mapped_column(Text)
    workbook_hash: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Saving over someone else's change is refused; a change to its criterion scores or veto answers
    # bumps it too, so the sheet is saved as one unit (migration 0006; storage/versioning.py).
    row_version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

    rubric_version: Mapped[RubricVersion] = relationship()
    scores: Mapped[list[CriterionScore]] = relationship(back_populates="sheet", cascade="all, delete-orphan")
    veto_answers: Mapped[list[VetoAnswer]] = relationship(back_populates="sheet", cascade="all, delete-orphan")


class CriterionScore(Base):
    __tablename__ = "criterion_score"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criterion.id"))
    points: Mapped[Decimal | None] = mapped_column(Points())
    comment: Mapped[str] = mapped_column(Text, default="")

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")


class VetoAnswer(Base):
    __tablename__ = "veto_answer"
    __table_args__ = (UniqueConstraint("sheet_id", "veto_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"), index=True)
    veto_item_id: Mapped[int] = mapped_column(ForeignKey("rubric_veto_item.id"))
    answer: Mapped[bool | None]
    note: Mapped[str] = mapped_column(Text, default="")

    sheet: Mapped[ScoreSheet] = relationship(back_populates="veto_answers")


class PanelResult(Base):
    """The computed panel figures for one application in one review stage,
    rewritten whenever a sheet of that stage changes and frozen once the
    panel's sheets are locked. Every stage keeps its own row."""

    __tablename__ = "panel_result"

    stage_id: Mapped[int] = mapped_column(ForeignKey("review_stage.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), primary_key=True)
    sheet_count: Mapped[int] = mapped_column(default=0)
    mean: Mapped[Decimal | None] = mapped_column(Points())
    median: Mapped[Decimal | None] = mapped_column(Points())
    trimmed_mean: Mapped[Decimal | None] = mapped_column(Points())
    normalised: Mapped[Decimal | None] = mapped_column(Points())
    spread: Mapped[Decimal | None] = mapped_column(Points())
    std_dev: Mapped[Decimal | None] = mapped_column(Points())
    final_score: Mapped[Decimal | None] = mapped_column(Points())
    rule: Mapped[str] = mapped_column(String(64), default="")
    veto_count: Mapped[int] = mapped_column(default=0)
    opinions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    locked: Mapped[bool] = mapped_column(default=False)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
