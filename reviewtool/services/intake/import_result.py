"""What an import of a summary sheet reports: its options, one outcome per
row (create, update, unchanged or reject, with the changes and issues), and
the whole result, as plain data for the CLI's JSON and the GUI's preview."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reviewtool.core.intake.fields import IMPORTED_ATTRIBUTES
from reviewtool.core.intake.rows import RowIssue
from reviewtool.core.intake.values import format_money
from reviewtool.i18n import _
from reviewtool.services.changes import Changes

EXISTING_UPDATE = "update"
EXISTING_REJECT = "reject"

#: Application attributes an import may set, in the order the preview lists changes.
COMPARED = (*IMPORTED_ATTRIBUTES, "budget_lines", "outputs")


@dataclass
class ImportOptions:
    batch: str | None = None
    existing: str = EXISTING_UPDATE  # what a row with a number already in the batch does
    accept_probable_duplicates: bool = False
    only_valid: bool = False
    suggest: bool = True
    dry_run: bool = False
    sheet: str | None = None


@dataclass
class RowOutcome:
    sheet: str
    row: int
    action: str  # create, update, unchanged, reject
    number: str
    title: str
    unit: str = ""
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    issues: list[RowIssue] = field(default_factory=list)
    suggested_area: str | None = None
    application_id: int | None = None

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "action": self.action,
            "number": self.number,
            "title": self.title,
            "unit": self.unit,
            "changes": {k: [plain_value(a), plain_value(b)] for k, (a, b) in self.changes.items()},
            "issues": [i.as_json() for i in self.issues],
            "suggested_area": self.suggested_area,
        }


@dataclass
class ImportResult:
    file: str
    sheet: str
    header_rows: tuple[int, ...]
    batch: str
    batch_created: bool
    dry_run: bool
    written: bool
    rows: list[RowOutcome]
    unknown_columns: list[str]
    skipped_rows: list[tuple[int, str, str]]
    messages: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def rejected(self) -> int:
        return self.count("reject")

    @property
    def errors(self) -> list[RowIssue]:
        return [i for r in self.rows for i in r.issues if i.kind != "warning"]

    def counts(self) -> dict[str, int]:
        return {
            "create": self.count("create"),
            "update": self.count("update"),
            "unchanged": self.count("unchanged"),
            "reject": self.rejected,
            "skipped_rows": len(self.skipped_rows),
        }

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "header_rows": list(self.header_rows),
            "batch": self.batch,
            "batch_created": self.batch_created,
            "dry_run": self.dry_run,
            "written": self.written,
            "counts": self.counts(),
            "unknown_columns": self.unknown_columns,
            "skipped_rows": [{"row": r, "reason": why, "text": t} for r, why, t in self.skipped_rows],
            "errors": [i.as_json() for i in self.errors],
            "warnings": [i.as_json() for r in self.rows for i in r.issues if i.kind == "warning"],
            "rows": [r.as_json() for r in self.rows],
            "messages": self.messages,
        }


def plain_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_money(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def changes_of(result: ImportResult) -> Changes:
    return Changes(
        applications=result.written,
        batches=result.written and result.batch_created,
        details={"filter_values": result.written},
        message=_("{created} applications imported, {updated} updated.").format(
            created=result.count("create"), updated=result.count("update")
        ),
    )
