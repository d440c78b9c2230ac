"""Finalising a panel (every sheet and result locked, normalised results
stored by calibration) and reopening it with a reason.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import PanelStatus, StageStatus
from reviewtool.core.errors import Refused, UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.calibration import store_normalised
from reviewtool.services.panels.panel import get_panel, group_application_ids, require_open
from reviewtool.services.panels.status import STATE_DRAFT, STATE_LATE, STATE_MISSING, sheet_status
from reviewtool.services.scoring.results import recompute_panel_result
from reviewtool.storage.locks import lock_row
from reviewtool.storage.models import Panel, PanelResult, ScoreSheet, Stage


def _stage_sheets(session: Session, stage_id: int, apps: list[int]) -> list[ScoreSheet]:
    return list(
        session.scalars(select(ScoreSheet).where(ScoreSheet.stage_id == stage_id, ScoreSheet.application_id.in_(apps)))
    )


def _stage_results(session: Session, stage_id: int, apps: list[int]) -> list[PanelResult]:
    return list(
        session.scalars(
            select(PanelResult).where(PanelResult.stage_id == stage_id, PanelResult.application_id.in_(apps))
        )
    )


def finalize_panel(session: Session, panel_id: int, *, actor: str, allow_missing: bool = False) -> Changes:
    """Lock every sheet of the panel and freeze the panel results (the panel's row locked first: a
    second finalisation at the same time waits, then finds the panel finalised and is refused)."""
    panel = get_panel(session, panel_id)
    panel = lock_row(session, Panel, panel.id)
    require_open(panel)
    view = sheet_status(session, panel_id)
    open_rows = [r for r in view.rows if r.state in (STATE_MISSING, STATE_DRAFT, STATE_LATE)]
    if open_rows and not allow_missing:
        raise Refused(
            _("{count} sheets are not submitted yet (e.g. {example}); finalise anyway only on purpose.").format(
                count=len(open_rows), example=f"{open_rows[0].number} / {open_rows[0].expert}"
            )
        )
    apps = group_application_ids(session, panel)
    for app_id in apps:
        recompute_panel_result(session, app_id, stage_id=panel.stage_id)
    store_normalised(session, panel.batch_id, actor=actor, stage_id=panel.stage_id)
    sheets = _stage_sheets(session, panel.stage_id, apps)
    for sheet in sheets:
        sheet.locked = True
    for result in _stage_results(session, panel.stage_id, apps):
        result.locked = True
    panel.status = PanelStatus.FINALIZED
    panel.finalized_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    panel.finalized_by = actor
    audit.record(
        session, actor=actor, action="panel.finalize", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id, summary=_("Finalised panel {name}; {count} sheets locked").format(
            name=panel.name, count=len(sheets)),
        details={"locked_sheets": [s.id for s in sheets], "unsubmitted": len(open_rows)},
    )  # fmt: skip
    return Changes(panels=True, sheets=True, message=_("Finalised panel {name}").format(name=panel.name))


def reopen_panel(session: Session, panel_id: int, reason: str, *, actor: str) -> Changes:
    panel = get_panel(session, panel_id)
    if panel.status is not PanelStatus.FINALIZED:
        raise Refused(_("Panel {name} is not finalised.").format(name=panel.name))
    reason = (reason or "").strip()
    if not reason:
        raise UserError(_("Reopening a finalised panel needs a reason."))
    stage = session.get(Stage, panel.stage_id)
    if stage is not None and stage.status is StageStatus.FINALISED:
        raise Refused(
            _("Stage {stage} is finalised; reopen the stage (with a reason) before its panel {name}.").format(
                stage=stage.name, name=panel.name
            )
        )
    apps = group_application_ids(session, panel)
    sheets = _stage_sheets(session, panel.stage_id, apps)
    for sheet in sheets:
        sheet.locked = False
    for result in _stage_results(session, panel.stage_id, apps):
        result.locked = False
    panel.status = PanelStatus.ASSIGNED
    audit.record(
        session, actor=actor, action="panel.reopen", entity_type="panel", entity_id=panel.id,
        batch_id=panel.batch_id, summary=_("Reopened panel {name}: {reason}").format(name=panel.name, reason=reason),
        details={"reason": reason, "finalized_at": panel.finalized_at.isoformat() if panel.finalized_at else None,
                 "finalized_by": panel.finalized_by},
    )  # fmt: skip
    panel.finalized_at = None
    panel.finalized_by = None
    return Changes(panels=True, sheets=True, message=_("Reopened panel {name}").format(name=panel.name))
