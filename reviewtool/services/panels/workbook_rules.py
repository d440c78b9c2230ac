"""The rules a returned scoring workbook is judged by beyond its own cells:
is it older than what is stored (a replay), and was it exported under a
rubric version the batch no longer uses.

**Replays.** Each row of a workbook's key carries the fingerprint of the
sheet as it was when the workbook was exported (``base``), and each sheet
saved from a workbook keeps the fingerprint of what was imported together
with the export it came from (``score_sheet.workbook_hash``). On import a
row that would change the stored sheet is:

- *current* when the stored sheet is still what this workbook was exported
  from (the expert's changes go on top of what they saw), or when it holds
  exactly what an earlier copy of this same export brought (a corrected copy
  sent again);
- *older* otherwise: the stored sheet changed after this export — a newer
  workbook was imported, or someone typed into the sheet. Importing it would
  revert those changes, so the file is refused, with every field it would
  revert, unless the caller confirms (``accept_older``; CLI ``--accept-older``,
  GUI: the preview lists the fields and asks).

No clock is compared: the fingerprints say what the expert saw.

**Old rubric versions.** A workbook exported before the batch's rubric (or a
newer version of it) was attached still names the old version. The batch
setting ``workbooks_old_rubric`` says what happens: ``refuse`` (the default:
export a new workbook) or ``keep`` (the sheets are stored under the old
version, which they name, and the report marks them).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.core.scoring.maths import SheetInput
from reviewtool.i18n import N_, _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.workbook_key import canonical_json
from reviewtool.storage.models import Batch

OLD_RUBRIC_KEY = "workbooks_old_rubric"
OLD_RUBRIC_RULES = {
    "refuse": N_("refuse the workbook (export a new one)"),
    "keep": N_("keep its sheets under the old rubric version"),
}
DEFAULT_OLD_RUBRIC = "refuse"


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "value"):  # an enum
        return value.value
    return value


def flatten(data: SheetInput) -> dict[str, Any]:
    """A sheet's input as flat, comparable fields (``points.C1``, ``opinion`` …)."""
    out: dict[str, Any] = {}
    for k, v in data.vetoes.items():
        out[f"veto.{k}"] = v
    for k, v in data.points.items():
        out[f"points.{k}"] = v
    for k, v in data.comments.items():
        out[f"comment.{k}"] = v or ""
    out["opinion"] = data.opinion.value if data.opinion else None
    out["written_opinion"] = data.written_opinion or ""
    return out


def fingerprint(data: SheetInput, application_id: int, export_id: str = "") -> str:
    """The hash of a sheet's input (blank fields left out, so a missing and an empty field agree)."""
    flat = {k: _plain(v) for k, v in flatten(data).items() if v not in (None, "")}
    payload = {"row": flat, "app": application_id}
    if export_id:
        payload["export"] = export_id
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def is_older(
    stored: SheetInput, stored_hash: str | None, application_id: int, *, base: str | None, export_id: str
) -> bool:
    """Whether a workbook row predates the stored sheet (see the module's notes).

    ``base`` is the row's fingerprint at export; ``None`` for workbooks
    exported before fingerprints were kept (those are taken as current)."""
    if base is None:
        return False
    if fingerprint(stored, application_id) == base:
        return False
    return stored_hash != fingerprint(stored, application_id, export_id)


def old_rubric_rule(batch: Batch) -> str:
    rule = (batch.settings or {}).get(OLD_RUBRIC_KEY) or DEFAULT_OLD_RUBRIC
    return rule if rule in OLD_RUBRIC_RULES else DEFAULT_OLD_RUBRIC


def set_old_rubric_rule(session: Session, batch: Batch, rule: str, *, actor: str) -> Changes:
    """What a workbook exported under an older rubric version does on import: ``refuse`` or ``keep``."""
    if rule not in OLD_RUBRIC_RULES:
        raise UserError(
            _("Unknown rule “{rule}” for workbooks of an old rubric version (choose {choices}).").format(
                rule=rule, choices=" / ".join(OLD_RUBRIC_RULES)
            )
        )
    old = old_rubric_rule(batch)
    if old == rule:
        return Changes()
    batch.settings = {**(batch.settings or {}), OLD_RUBRIC_KEY: rule}
    audit.record(
        session, actor=actor, action="workbooks.old_rubric", entity_type="batch", entity_id=batch.id,
        batch_id=batch.id, summary=_("Workbooks of an old rubric version: {rule}").format(rule=_(OLD_RUBRIC_RULES[rule])),
        details={"from": old, "to": rule},
    )  # fmt: skip
    return Changes(batches=True, message=_("Workbooks of an old rubric version: {rule}").format(
        rule=_(OLD_RUBRIC_RULES[rule])))  # fmt: skip
