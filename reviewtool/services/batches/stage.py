"""How far a batch's review has come, for the warning before an export.

A batch's results are final only when it has panels and every one of them
is finalised (专家组定稿). Until then the funding list and the 汇总表 are
drafts: the GUI asks before exporting them, the CLI prints a warning line
(and ``"draft": true`` with ``--json``), and the documents say 未定稿.
Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import PanelStatus
from reviewtool.i18n import _
from reviewtool.services.batches.batch import get_batch
from reviewtool.storage.models import Panel


@dataclass(frozen=True)
class ReviewStage:
    batch: str
    panels: int
    finalised: int
    open_panels: tuple[str, ...]

    @property
    def draft(self) -> bool:
        """Not every panel is finalised (or there is no panel yet)."""
        return self.panels == 0 or self.finalised < self.panels

    def warning(self) -> str:
        """One sentence for the confirmation and the CLI's warning line ('' when final)."""
        if not self.draft:
            return ""
        if self.panels == 0:
            reason = _("batch {batch} has no finalised panel yet").format(batch=self.batch)
        else:
            reason = _("{open} of {count} panels of batch {batch} are not finalised ({names})").format(
                open=self.panels - self.finalised,
                count=self.panels,
                batch=self.batch,
                names="、".join(self.open_panels),
            )
        return _("The review is not final: {reason}. The document is marked 未定稿 (draft).").format(reason=reason)

    def as_json(self) -> dict:
        return {
            "panels": self.panels,
            "finalised_panels": self.finalised,
            "open_panels": list(self.open_panels),
            "draft": self.draft,
        }


def review_stage(session: Session, batch_id: int) -> ReviewStage:
    batch = get_batch(session, batch_id)
    rows = session.execute(select(Panel.name, Panel.status).where(Panel.batch_id == batch_id).order_by(Panel.id)).all()
    open_panels = tuple(name for name, status in rows if status is not PanelStatus.FINALIZED)
    return ReviewStage(batch.name, len(rows), len(rows) - len(open_panels), open_panels)
