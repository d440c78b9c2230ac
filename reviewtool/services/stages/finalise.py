"""Finalising a review stage (阶段定稿) and reopening it with a reason.

- The formal stage is finalised when no application waits for formal review.
- An expert stage is finalised with its panels: each panel not yet
  finalised is finalised now (``services.panels.finalise``: sheets and
  results locked; refused while sheets are missing unless ``allow_missing``).
  Only then can applications be promoted from it.
- Reopening needs a reason, and is refused once applications went on from
  the stage (their promotion rested on its results). It does not reopen the
  panels; each panel is reopened on its own, with its own reason.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ApplicationStatus, PanelStatus, StageKind, StageStatus
from reviewtool.core.errors import Refused, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.finalise import finalize_panel
from reviewtool.services.stages.reach import expert_stages
from reviewtool.services.stages.stage import find_stage
from reviewtool.services.stages.standing import refresh_batch_scores
from reviewtool.storage.locks import lock_row
from reviewtool.storage.models import Application, Panel, Stage, StageApplication


def finalize_stage(
    session: Session, batch: str | int, stage: str | int | None = None, *, actor: str, allow_missing: bool = False
) -> Changes:
    """Finalise a stage (default: the batch's current stage) and its open panels."""
    found = lock_row(session, Stage, find_stage(session, batch, stage).id)  # a second caller waits, then is refused
    if found.status is StageStatus.FINALISED:
        raise Refused(_("Stage {stage} is already finalised.").format(stage=found.name))
    finalised: list[str] = []
    if found.kind is StageKind.FORMAL:
        waiting = list(
            session.scalars(
                select(Application.number)
                .where(Application.batch_id == found.batch_id, Application.status == ApplicationStatus.RECEIVED)
                .order_by(Application.number)
            )
        )
        if waiting:
            raise Refused(
                _("{count} applications still wait for formal review (e.g. {example}).").format(
                    count=len(waiting), example=waiting[0]
                )
            )
    else:
        panels = list(session.scalars(select(Panel).where(Panel.stage_id == found.id).order_by(Panel.id)))
        if not panels:
            raise Refused(_("Stage {stage} has no panel yet; nothing to finalise.").format(stage=found.name))
        for panel in panels:
            if panel.status is not PanelStatus.FINALIZED:
                finalize_panel(session, panel.id, actor=actor, allow_missing=allow_missing)
                finalised.append(panel.name)
    found.status = StageStatus.FINALISED
    found.finalized_at = dt.datetime.now(dt.UTC)
    found.finalized_by = actor
    session.flush()
    refresh_batch_scores(session, found.batch_id)
    audit.record(
        session, actor=actor, action="stage.finalize", entity_type="review_stage", entity_id=found.id,
        batch_id=found.batch_id, summary=_("Finalised review stage {stage}").format(stage=found.name),
        details={"stage": found.name, "panels_finalised": finalised, "allow_missing": allow_missing},
    )  # fmt: skip
    return Changes(batches=True, panels=True, sheets=bool(finalised),
                   message=_("Finalised review stage {stage}").format(stage=found.name))  # fmt: skip


def reopen_stage(session: Session, batch: str | int, stage: str | int, reason: str, *, actor: str) -> Changes:
    found = find_stage(session, batch, stage)
    if found.status is not StageStatus.FINALISED:
        raise Refused(_("Stage {stage} is not finalised.").format(stage=found.name))
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Reopening a finalised stage needs a reason."))
    later = [s.id for s in expert_stages(session, found.batch_id) if s.position > found.position]
    if later and session.scalar(select(func.count(StageApplication.id)).where(StageApplication.stage_id.in_(later))):
        raise Refused(
            _("Applications already went on from stage {stage}; it cannot be reopened.").format(stage=found.name)
        )
    old_at, old_by = found.finalized_at, found.finalized_by
    found.status = StageStatus.OPEN
    found.finalized_at = None
    found.finalized_by = None
    audit.record(
        session, actor=actor, action="stage.reopen", entity_type="review_stage", entity_id=found.id,
        batch_id=found.batch_id, summary=_("Reopened review stage {stage}: {reason}").format(
            stage=found.name, reason=reason),
        details={"reason": reason, "finalized_at": old_at.isoformat() if old_at else None, "finalized_by": old_by},
    )  # fmt: skip
    return Changes(batches=True, panels=True, message=_("Reopened review stage {stage}").format(stage=found.name))
