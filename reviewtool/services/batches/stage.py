"""How far a batch's review has come, for the warning before an export.

A batch's results up to a review stage (评审阶段; default the current one)
are final only when that stage has panels and every panel of it and of the
stages before it is finalised (专家组定稿). Until then the funding list and
the 汇总表 are drafts: the GUI asks before exporting them, the CLI prints a
warning line (and ``"draft": true`` with ``--json``), and the documents say
未定稿. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import PanelStatus
from reviewtool.i18n import _
from reviewtool.services.batches.batch import get_batch
from reviewtool.services.stages.reach import current_stage
from reviewtool.storage.models import Panel, Stage


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


def review_stage(session: Session, batch_id: int, stage_id: int | None = None) -> ReviewStage:
    batch = get_batch(session, batch_id)
    upto = session.get(Stage, stage_id) if stage_id is not None else current_stage(session, batch_id)
    rows = session.execute(
        select(Panel.name, Panel.status, Panel.stage_id)
        .join(Stage, Panel.stage_id == Stage.id)
        .where(Panel.batch_id == batch_id, Stage.position <= upto.position)
        .order_by(Stage.position, Panel.id)
    ).all()
    open_panels = tuple(name for name, status, _s in rows if status is not PanelStatus.FINALIZED)
    if not any(s == upto.id for _n, _st, s in rows):  # the stage itself has no panel yet
        return ReviewStage(batch.name, 0, 0, open_panels)
    return ReviewStage(batch.name, len(rows), len(rows) - len(open_panels), open_panels)
