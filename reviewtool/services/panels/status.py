"""The sheet-status view of a panel: for each assignment, missing, draft,
submitted, late or in conflict; and the applications short of reviewers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, SheetStatus
from reviewtool.i18n import N_, _
from reviewtool.services.panels.panel import get_panel, group_application_ids, lookup
from reviewtool.storage.models import Application, Assignment, Expert, ScoreSheet

STATE_MISSING = "missing"
STATE_DRAFT = "draft"
STATE_SUBMITTED = "submitted"
STATE_LATE = "late"
STATE_CONFLICT = "conflict"
STATE_LABELS = {
    STATE_MISSING: N_("Missing"),
    STATE_DRAFT: N_("Draft"),
    STATE_SUBMITTED: N_("Submitted"),
    STATE_LATE: N_("Late"),
    STATE_CONFLICT: N_("Conflict declared"),
}


@dataclass(frozen=True)
class SheetStatusRow:
    application_id: int
    number: str
    title: str
    expert_id: int
    expert: str
    state: str
    sheet_id: int | None
    total: object
    locked: bool
    note: str

    @property
    def state_label(self) -> str:
        return _(STATE_LABELS[self.state])

    def as_json(self) -> dict:
        return {
            "application_id": self.application_id,
            "number": self.number,
            "expert": self.expert,
            "state": self.state,
            "sheet_id": self.sheet_id,
            "locked": self.locked,
            "note": self.note,
        }


@dataclass
class PanelStatusView:
    rows: list[SheetStatusRow]
    needs_replacement: dict[int, str]  # application id -> "number: n of k valid reviewers"
    counts: dict[str, int]

    def as_json(self) -> dict:
        return {
            "rows": [r.as_json() for r in self.rows],
            "needs_replacement": {str(k): v for k, v in self.needs_replacement.items()},
            "counts": self.counts,
        }


def sheet_status(session: Session, panel_id: int, *, today: dt.date | None = None) -> PanelStatusView:
    """For each assignment: missing, draft, submitted, late (past the due date
    and not submitted) or in conflict; and the applications short of reviewers."""
    panel = get_panel(session, panel_id)
    today = today or dt.date.today()
    late = panel.due_date is not None and today > panel.due_date
    apps = group_application_ids(session, panel)
    sheets = {
        (s.application_id, s.reviewer_id): s
        for s in session.scalars(
            select(ScoreSheet)
            .where(ScoreSheet.stage_id == panel.stage_id, ScoreSheet.application_id.in_(apps))
            .order_by(ScoreSheet.id)
        )
    }
    rows: list[SheetStatusRow] = []
    stmt = (
        select(Assignment, Application.number, Application.title, Expert.name)
        .join(Application, Assignment.application_id == Application.id)
        .join(Expert, Assignment.expert_id == Expert.id)
        .where(Assignment.panel_id == panel.id, Assignment.status != AssignmentStatus.REMOVED)
        .order_by(Application.number, Expert.name)
    )
    for item, number, title, name in session.execute(stmt):
        sheet = sheets.get((item.application_id, item.expert_id))
        note = ""
        if item.status is AssignmentStatus.CONFLICT_DECLARED or (sheet is not None and sheet.excluded):
            state = STATE_CONFLICT
            note = item.conflict_reason or (sheet.excluded_reason if sheet else "") or ""
        elif sheet is not None and sheet.status is SheetStatus.SUBMITTED:
            state = STATE_SUBMITTED
        elif late:
            state = STATE_LATE
            note = _("due {date}").format(date=panel.due_date.isoformat())
        elif sheet is not None:
            state = STATE_DRAFT
        else:
            state = STATE_MISSING
        rows.append(
            SheetStatusRow(
                item.application_id,
                number,
                title,
                item.expert_id,
                name,
                state,
                sheet.id if sheet else None,
                sheet.total if sheet else None,
                bool(sheet and sheet.locked),
                note,
            )  # fmt: skip
        )
    target = int((panel.settings or {}).get("per_application") or 0)
    active = Counter(r.application_id for r in rows if r.state != STATE_CONFLICT)
    conflicts = Counter(r.application_id for r in rows if r.state == STATE_CONFLICT)
    numbers = lookup(session, select(Application.id, Application.number).where(Application.id.in_(apps)))
    needs: dict[int, str] = {}
    for a in apps:
        want = target or (active[a] + conflicts[a])
        if conflicts[a] and active[a] < want or (target and active[a] < target):
            needs[a] = _("{number}: {active} of {want} reviewers left after conflicts").format(
                number=numbers[a], active=active[a], want=want
            )
    counts = Counter(r.state for r in rows)
    return PanelStatusView(rows, needs, {k: counts.get(k, 0) for k in STATE_LABELS})
