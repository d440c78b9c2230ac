"""Expert panels: draws, members, application groups, assignments, votes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reviewtool.core.enums import AssignmentStatus, Invitation, MemberStatus, PanelMode, PanelStatus, VoteChoice
from reviewtool.storage.models.base import Base, enum_column, utcnow
from reviewtool.storage.models.experts import Expert


class Panel(Base):
    """An expert group (专家组) reviewing a batch or a group of its applications."""

    __tablename__ = "panel"
    __table_args__ = (UniqueConstraint("batch_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("review_stage.id"), index=True)  # its review stage (评审阶段)
    name: Mapped[str] = mapped_column(String(100))
    mode: Mapped[PanelMode] = mapped_column(enum_column(PanelMode, "panel_mode"), default=PanelMode.REMOTE)
    status: Mapped[PanelStatus] = mapped_column(enum_column(PanelStatus, "panel_status"), default=PanelStatus.DRAFT)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("expert.id"))
    due_date: Mapped[dt.date | None]
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    finalized_at: Mapped[dt.datetime | None]
    finalized_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Saving over someone else's change is refused (migration 0006; storage/versioning.py).
    row_version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": row_version}

    members: Mapped[list[PanelMember]] = relationship(back_populates="panel", cascade="all, delete-orphan")


class PanelApplication(Base):
    __tablename__ = "panel_application"
    __table_args__ = (UniqueConstraint("panel_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)


class PanelDraw(Base):
    """A recorded random draw: seed, candidates, exclusions and result, so
    the draw can be replayed and shown to be fair."""

    __tablename__ = "panel_draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    seed: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    is_redraw: Mapped[bool] = mapped_column(default=False)
    candidates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    exclusions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    result: Mapped[list[Any]] = mapped_column(JSON, default=list)
    drawn_by: Mapped[str] = mapped_column(String(64), default="")
    drawn_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The rule the draw applied beyond exclusions (rotation by recent reviews, the yearly cap)
    # with the review counts it used, so a replay gives the same experts; {} for a plain draw.
    rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PanelMember(Base):
    __tablename__ = "panel_member"
    __table_args__ = (UniqueConstraint("panel_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), index=True)
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("panel_draw.id"))
    status: Mapped[MemberStatus] = mapped_column(
        enum_column(MemberStatus, "member_status"), default=MemberStatus.ACTIVE
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("expert.id"))
    # The invitation (邀请): a drawn member is 待确认 until staff record 已确认 or 谢绝, with the date.
    invitation: Mapped[Invitation] = mapped_column(
        enum_column(Invitation, "invitation"), default=Invitation.PENDING, server_default=Invitation.PENDING.value
    )
    answered_on: Mapped[dt.date | None]
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answer_note: Mapped[str | None] = mapped_column(Text)

    panel: Mapped[Panel] = relationship(back_populates="members")
    expert: Mapped[Expert] = relationship(foreign_keys=[expert_id])


class Assignment(Base):
    """An expert assigned to review one application in one review stage."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("stage_id", "application_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("review_stage.id"), index=True)
    panel_id: Mapped[int | None] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"), index=True)
    method: Mapped[str] = mapped_column(String(16), default="manual")  # whole / balanced / manual
    status: Mapped[AssignmentStatus] = mapped_column(
        enum_column(AssignmentStatus, "assignment_status"), default=AssignmentStatus.ACTIVE
    )
    conflict_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class MeetingVote(Base):
    """One member's vote on one application in a 会议评审."""

    __tablename__ = "meeting_vote"
    __table_args__ = (UniqueConstraint("panel_id", "application_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panel.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id"))
    choice: Mapped[VoteChoice] = mapped_column(enum_column(VoteChoice, "vote_choice"))
    recorded_by: Mapped[str] = mapped_column(String(64), default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
