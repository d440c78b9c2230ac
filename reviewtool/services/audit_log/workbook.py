"""The audit log as an Excel workbook for 纪检 or an auditor: the filter it was
made with at the top, then one row per record (time, who, what, object,
summary, old value, new value, batch). The export is itself recorded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import N_, _
from reviewtool.services import audit
from reviewtool.services.audit_log.query import AuditFilter, audit_rows, local_text
from reviewtool.services.changes import Changes

COLUMNS = (
    (N_("Time"), 20),
    (N_("Who"), 12),
    (N_("What"), 22),
    (N_("Object"), 24),
    (N_("Summary"), 40),
    (N_("Old value"), 36),
    (N_("New value"), 44),
    (N_("Batch"), 24),
)


def describe_filter(wanted: AuditFilter) -> str:
    parts = []
    if wanted.batch:
        parts.append(_("batch {batch}").format(batch=wanted.batch))
    if wanted.application:
        parts.append(_("application {number}").format(number=wanted.application))
    if wanted.expert:
        parts.append(_("expert {name}").format(name=wanted.expert))
    if wanted.action:
        parts.append(_("action {action}").format(action=wanted.action))
    if wanted.actor:
        parts.append(_("user {login}").format(login=wanted.actor))
    if wanted.since:
        parts.append(_("since {date}").format(date=wanted.since.isoformat()))
    if wanted.until:
        parts.append(_("until {date}").format(date=wanted.until.isoformat()))
    return "；".join(parts) or _("every record")


def export_audit_log(session: Session, path: str | Path, wanted: AuditFilter, *, actor: str) -> Changes:
    """Write the matching records to ``path`` (.xlsx) and record the export."""
    from reviewtool.services.exports.xlsx import Column, TableSheet, add_sheet, new_workbook, save_workbook, write_cell

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UserError(_("{file}: the file name must end in {allowed}.").format(file=path, allowed=".xlsx"))
    rows = audit_rows(session, wanted)
    wb = new_workbook()
    ws = add_sheet(wb, _("Audit log"))
    scope = describe_filter(wanted)
    made = local_text(dt.datetime.now(dt.UTC))
    title = _("Audit log ({scope})").format(scope=scope)
    table = TableSheet(ws, [Column(_(t), width=w, wrap=True) for t, w in COLUMNS], title=title)
    for row in rows:
        table.append([row.local_time, row.actor, row.action_title, row.entity, row.summary, row.old, row.new,
                      row.batch])  # fmt: skip
    table.finish(landscape=True)
    foot = table.row + 1
    write_cell(ws, foot, 1, _("{count} records; exported {time} by {who}.").format(count=len(rows), time=made,
                                                                                    who=actor))  # fmt: skip
    saved = save_workbook(wb, path)
    audit.record(
        session,
        actor=actor,
        action="audit.export",
        entity_type="list",
        summary=_("Exported {count} audit records ({scope}) to {file}").format(
            count=len(rows), scope=scope, file=saved.name
        ),
        details={"files": [saved.name], "title": _("Audit log"), "rows": len(rows), "filter": scope},
    )
    return Changes(
        message=_("Exported {count} records to {path}").format(count=len(rows), path=saved),
        details={"path": str(saved), "rows": len(rows)},
    )
