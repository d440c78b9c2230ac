"""Review stages (评审阶段) of a batch and the applications that entered each.

A batch's review runs through an ordered list of stages: 形式审查 (formal),
then one or more expert stages (网络评审, 会议评审, 复审 …), each with its own
panels, sheets, results and finalisation. Every new batch gets the bureau's
default list (``DEFAULT_STAGES``) in the same flush that inserts it, so no
batch is ever without stages, whichever path created it.

Who is in a stage: the first expert stage holds every application of the
batch that is not withdrawn or failed in formal review (derived, no rows);
each later stage holds the applications promoted into it, one
``stage_application`` row each, with how and why they entered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from reviewtool.core.enums import PanelMode, StageEntry, StageKind, StageStatus
from reviewtool.storage.models.base import Base, enum_column, utcnow
from reviewtool.storage.models.batches import Batch

#: The stages a new batch starts with: (name, kind, mode, status).
DEFAULT_STAGES: tuple[tuple[str, StageKind, PanelMode, StageStatus], ...] = (
    ("形式审查", StageKind.FORMAL, PanelMode.REMOTE, StageStatus.OPEN),
    ("网络评审", StageKind.EXPERT, PanelMode.REMOTE, StageStatus.OPEN),
    ("会议评审", StageKind.EXPERT, PanelMode.MEETING, StageStatus.PENDING),
)


class Stage(Base):
    """One stage of a batch's review, in the batch's order (``position``)."""

    __tablename__ = "review_stage"
    __table_args__ = (UniqueConstraint("batch_id", "position"), UniqueConstraint("batch_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batch.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[StageKind] = mapped_column(enum_column(StageKind, "stage_kind"), default=StageKind.EXPERT)
    mode: Mapped[PanelMode] = mapped_column(enum_column(PanelMode, "stage_mode"), default=PanelMode.REMOTE)
    status: Mapped[StageStatus] = mapped_column(enum_column(StageStatus, "stage_status"), default=StageStatus.PENDING)
    # weight (in the combined final score), promotion (the rule that filled it) …
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    finalized_at: Mapped[dt.datetime | None]
    finalized_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class StageApplication(Base):
    """An application that entered a later stage: how (rule), why, who, when."""

    __tablename__ = "stage_application"
    __table_args__ = (UniqueConstraint("stage_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("review_stage.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    how: Mapped[StageEntry] = mapped_column(enum_column(StageEntry, "stage_entry"), default=StageEntry.MANUAL)
    reason: Mapped[str] = mapped_column(Text, default="")
    entered_by: Mapped[str] = mapped_column(String(64), default="")
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


@event.listens_for(Batch, "after_insert")
def _default_stages(_mapper, connection, batch: Batch) -> None:
    """Give a new batch the default stages in the same transaction."""
    now = utcnow()
    connection.execute(
        insert(Stage),
        [
            {
                "batch_id": batch.id,
                "position": position,
                "name": name,
                "kind": kind,
                "mode": mode,
                "status": status,
                "settings": {},
                "created_at": now,
            }
            for position, (name, kind, mode, status) in enumerate(DEFAULT_STAGES)
        ],
    )
