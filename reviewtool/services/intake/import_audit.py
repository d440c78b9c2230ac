"""Step 6 of an import: the audit trail. One record per created application
(in bulk, with the file and row it came from), one per update with its
changes, and one for the import as a whole."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.intake.import_result import ImportResult
from reviewtool.services.intake.import_run import ImportRun

AUDIT_CHUNK = 2000  # records per bulk INSERT: bounds the memory of a big import


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
    created = [(outcome, draft) for outcome, draft in run.drafts if outcome.action == "create"]
    summary = _("Imported {number} from {file}, row {row}")  # translated once, not once per row
    for start in range(0, len(created), AUDIT_CHUNK):  # chained, in bulk, a chunk at a time
        chunk = created[start : start + AUDIT_CHUNK]
        audit.record_many(session, [_created_event(run, outcome, draft, actor, summary) for outcome, draft in chunk])
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


def _created_event(run: ImportRun, outcome, draft, actor: str, summary: str) -> dict[str, Any]:
    return {
        "actor": actor,
        "action": "application.import",
        "entity_type": "application",
        "entity_id": outcome.application_id,
        "batch_id": run.batch.id,
        "summary": summary.format(number=draft.number, file=run.path.name, row=outcome.row),
        "details": {"file": run.path.name, "sheet": outcome.sheet, "row": outcome.row},
    }
