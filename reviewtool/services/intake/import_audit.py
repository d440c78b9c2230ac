"""Step 6 of an import: the audit trail. One record per created application
(in bulk, with the file and row it came from), one per update with its
changes, and one for the import as a whole."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.intake.import_result import ImportResult
from reviewtool.services.intake.import_run import ImportRun
from reviewtool.storage.models import AuditEvent
from reviewtool.storage.models.base import utcnow


def batch_created(session: Session, run: ImportRun, *, actor: str) -> None:
    audit.record(
        session,
        actor=actor,
        action="batch.create",
        entity_type="batch",
        entity_id=run.batch.id,
        batch_id=run.batch.id,
        summary=_("Created batch {name} for an import").format(name=run.batch_name),
    )


def record_import(session: Session, run: ImportRun, result: ImportResult, *, actor: str) -> None:
    path, batch = run.path, run.batch
    now = utcnow()
    events: list[dict[str, Any]] = [
        {
            "at": now,
            "actor": actor,
            "action": "application.import",
            "entity_type": "application",
            "entity_id": outcome.application_id,
            "batch_id": batch.id,
            "summary": _("Imported {number} from {file}, row {row}").format(
                number=draft.number, file=path.name, row=outcome.row
            ),
            "details": {"file": path.name, "sheet": outcome.sheet, "row": outcome.row},
        }
        for outcome, draft in run.drafts
        if outcome.action == "create"
    ]
    if events:
        session.execute(insert(AuditEvent), events)
    for outcome in run.outcomes:
        if outcome.action == "update":
            audit.record(
                session,
                actor=actor,
                action="application.update",
                entity_type="application",
                entity_id=outcome.application_id,
                batch_id=batch.id,
                summary=_("Updated {number} from {file}, row {row}").format(
                    number=outcome.number, file=path.name, row=outcome.row
                ),
                details={"file": path.name, "row": outcome.row, "changes": outcome.as_json()["changes"]},
            )
    audit.record(
        session,
        actor=actor,
        action="intake.import",
        entity_type="batch",
        entity_id=batch.id,
        batch_id=batch.id,
        summary=_("Imported {file}: {created} new, {updated} updated, {rejected} rejected").format(
            file=path.name, created=result.count("create"), updated=result.count("update"), rejected=result.rejected
        ),
        details={"file": path.name, "counts": result.counts(), "batch_created": run.batch_new},
    )
    session.flush()
