"""Whether an expert sees their own sheet of an earlier stage.

An expert who reviews the same application again in a later stage (网评,
then 会评) sees what they wrote in the earlier stage only when the batch
allows it (``batch.settings["show_earlier_sheets"]``, default no): in the
score-entry window and in their offline workbook. Never anyone else's sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import Opinion, SheetStatus
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.storage.models import Batch, ScoreSheet, Stage

SHOW_EARLIER_KEY = "show_earlier_sheets"


@dataclass(frozen=True)
class EarlierSheet:
    stage: str
    total: Decimal | None
    opinion: Opinion | None
    written_opinion: str
    submitted: bool

    def text(self) -> str:
        total = "—" if self.total is None else format(self.total.normalize(), "f")
        opinion = self.opinion.label() if self.opinion else "—"
        return _("{stage}: {total} points, {opinion}").format(stage=self.stage, total=total, opinion=opinion)


def shows_earlier_sheets(batch: Batch) -> bool:
    return bool((batch.settings or {}).get(SHOW_EARLIER_KEY, False))


def earlier_sheets(session: Session, stage: Stage, application_id: int, reviewer_id: int) -> list[EarlierSheet]:
    """The reviewer's own sheets of the application in stages before ``stage``; empty unless the batch allows it."""
    batch = session.get(Batch, stage.batch_id)
    if batch is None or not shows_earlier_sheets(batch):
        return []
    rows = session.execute(
        select(ScoreSheet, Stage.name)
        .join(Stage, ScoreSheet.stage_id == Stage.id)
        .where(
            ScoreSheet.application_id == application_id,
            ScoreSheet.reviewer_id == reviewer_id,
            Stage.batch_id == stage.batch_id,
            Stage.position < stage.position,
        )
        .order_by(Stage.position, ScoreSheet.id)
    ).all()
    return [
        EarlierSheet(
            name, sheet.total, sheet.opinion, sheet.written_opinion or "", sheet.status is SheetStatus.SUBMITTED
        )
        for sheet, name in rows
    ]


def set_show_earlier_sheets(session: Session, batch_id: int, show: bool, *, actor: str) -> Changes:
    """Allow (or stop) experts seeing their own earlier-stage sheets."""
    batch = session.get(Batch, batch_id)
    old = shows_earlier_sheets(batch)
    if old == show:
        return Changes()
    batch.settings = {**(batch.settings or {}), SHOW_EARLIER_KEY: show}
    audit.record(
        session, actor=actor, action="stage.visibility", entity_type="batch", entity_id=batch.id, batch_id=batch.id,
        summary=(_("Experts see their own earlier-stage sheets") if show
                 else _("Experts no longer see their earlier-stage sheets")),
        details={"old": old, "new": show},
    )  # fmt: skip
    return Changes(batches=True, message=_("Saved."))
