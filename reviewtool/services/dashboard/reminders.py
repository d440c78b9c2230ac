"""The reminder list (催交名单): for each expert with sheets due or overdue in a
batch's open stages, their phone number and what is missing — exportable as
a call list (Excel) for the clerk who phones them.

Staff only (the phone numbers are personal data); the export is recorded in
the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, SheetStatus, StageStatus
from reviewtool.core.errors import UserError
from reviewtool.core.users import Permission
from reviewtool.i18n import N_, _
from reviewtool.services import audit
from reviewtool.services.batches.batch import find_batch
from reviewtool.services.changes import Changes
from reviewtool.services.users.permissions import require
from reviewtool.storage.models import Application, Assignment, Expert, Panel, ScoreSheet, Unit


@dataclass(frozen=True)
class Reminder:
    expert_id: int
    name: str
    unit: str
    phone: str
    email: str
    stage: str
    panel: str
    due_date: dt.date | None
    missing: tuple[str, ...]  # application numbers without a submitted sheet
    overdue: bool

    def as_json(self) -> dict:
        return {
            "expert": self.name,
            "unit": self.unit,
            "phone": self.phone,
            "email": self.email,
            "stage": self.stage,
            "panel": self.panel,
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "missing": list(self.missing),
            "overdue": self.overdue,
        }

    def what(self) -> str:
        return _("{count} sheets: {numbers}").format(count=len(self.missing), numbers="、".join(self.missing))


def reminders(session: Session, batch: str | int, *, today: dt.date | None = None) -> list[Reminder]:
    """Every expert with sheets not yet submitted in the batch's stages not finalised (overdue first)."""
    from reviewtool.services.stages.reach import expert_stages

    require(session, Permission.PANELS)
    today = today or dt.date.today()
    found = find_batch(session, batch)
    stages = {s.id: s for s in expert_stages(session, found.id) if s.status is not StageStatus.FINALISED}
    if not stages:
        return []
    submitted = {
        (stage_id, a, e)
        for stage_id, a, e in session.execute(
            select(ScoreSheet.stage_id, ScoreSheet.application_id, ScoreSheet.reviewer_id).where(
                ScoreSheet.stage_id.in_(list(stages)), ScoreSheet.status == SheetStatus.SUBMITTED
            )
        )
    }
    missing: dict[tuple[int, int], list[str]] = {}
    panels: dict[int, Panel] = {}
    for item, number, panel in session.execute(
        select(Assignment, Application.number, Panel)
        .join(Application, Assignment.application_id == Application.id)
        .join(Panel, Assignment.panel_id == Panel.id)
        .where(Assignment.stage_id.in_(list(stages)), Assignment.status == AssignmentStatus.ACTIVE)
        .order_by(Application.number)
    ):
        if (item.stage_id, item.application_id, item.expert_id) in submitted:
            continue
        panels[panel.id] = panel
        missing.setdefault((panel.id, item.expert_id), []).append(number)
    experts = {
        e.id: (e, unit)
        for e, unit in session.execute(
            select(Expert, Unit.name)
            .outerjoin(Unit, Expert.unit_id == Unit.id)
            .where(Expert.id.in_({e for _p, e in missing}))
        )
    }
    out = []
    for (panel_id, expert_id), numbers in missing.items():
        panel = panels[panel_id]
        expert, unit = experts[expert_id]
        out.append(
            Reminder(
                expert_id,
                expert.name,
                unit or "",
                expert.phone or "",
                expert.email or "",
                stages[panel.stage_id].name,
                panel.name,
                panel.due_date,
                tuple(numbers),
                panel.due_date is not None and today > panel.due_date,
            )  # fmt: skip
        )
    out.sort(key=lambda r: (not r.overdue, r.due_date or dt.date.max, r.name))
    return out


CALL_COLUMNS = (
    (N_("Expert"), 10),
    (N_("Work unit"), 24),
    (N_("Phone"), 16),
    (N_("Stage"), 12),
    (N_("Panel"), 12),
    (N_("Due date"), 12),
    (N_("Overdue"), 8),
    (N_("Missing sheets"), 40),
    (N_("Called on / answer"), 24),
)


def export_call_list(
    session: Session, batch: str | int, path: str | Path, *, actor: str, today: dt.date | None = None
) -> Changes:
    """The reminder list as an Excel call list (with a blank column for the call's note); recorded."""
    from reviewtool.services.exports.xlsx import Column, TableSheet, add_sheet, new_workbook, save_workbook

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserError(_("{file}: the file name must end in {allowed}.").format(file=path, allowed=".xlsx"))
    found = find_batch(session, batch)
    rows = reminders(session, found.id, today=today)
    wb = new_workbook()
    ws = add_sheet(wb, _("Call list"))
    title = _("Reminder call list — {batch} ({date})").format(
        batch=found.name, date=(today or dt.date.today()).isoformat()
    )
    table = TableSheet(ws, [Column(_(t), width=w, wrap=True) for t, w in CALL_COLUMNS], title=title)
    for r in rows:
        table.append([r.name, r.unit, r.phone, r.stage, r.panel, r.due_date.isoformat() if r.due_date else "",
                      _("yes") if r.overdue else "", r.what(), ""])  # fmt: skip
    table.finish(landscape=True)
    saved = save_workbook(wb, path)
    audit.record(
        session,
        actor=actor,
        action="list.export",
        entity_type="list",
        batch_id=found.id,
        summary=_("Exported the reminder call list of {batch} ({count} experts, with phone numbers) to {file}").format(
            batch=found.name, count=len(rows), file=saved.name
        ),
        details={"files": [saved.name], "title": _("Call list"), "rows": len(rows), "confidential": True},
    )
    return Changes(message=_("Call list of {count} experts written to {path}").format(count=len(rows), path=saved))
