"""An expert's declarations for one review stage (评审承诺): 回避 and 保密.

Before the first sheet of a stage opens, an expert declares the applications
they must avoid (or that there are none) and accepts the confidentiality
commitment. One row per expert and stage, written once, never changed
(migration 0009; ``services/my_reviews/declarations.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reviewtool.storage.models.base import Base, utcnow


class ReviewDeclaration(Base):
    """What one expert declared and accepted before scoring in one stage."""

    __tablename__ = "review_declaration"
    __table_args__ = (UniqueConstraint("stage_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("review_stage.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("expert.id", ondelete="CASCADE"), index=True)
    # The applications declared for 回避: [{"application_id", "number", "reason"}]; [] declares none.
    conflicts: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # The wording of the 回避 statement and the 保密承诺 as shown and accepted.
    conflict_text: Mapped[str] = mapped_column(Text, default="")
    confidentiality_text: Mapped[str] = mapped_column(Text, default="")
    accepted_by: Mapped[str] = mapped_column(String(64), default="")
    accepted_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
