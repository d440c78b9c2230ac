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
    #: Header text → field key, IGNORE or EXTRA (``--map``, the dialog's drop-downs); wins over a profile.
    mapping: dict[str, str] = field(default_factory=dict)
    profile: str | None = None  # a saved mapping to use
    save_profile: str | None = None  # save the mapping used under this name (when the import writes)
    use_matching_profile: bool = True  # a sheet whose headers match a saved mapping uses it


@dataclass(frozen=True)
class HeaderUse:
    """One header of the sheet and what the import reads it as."""

    letter: str
    header: str  # as the sheet writes it (``组/子表头`` under a group)
    key: str  # a field key, IGNORE or EXTRA
    mapped: bool = False  # chosen by a mapping (not recognised by its text)
    ambiguous: bool = False  # a header that can mean two things (所属领域(学科)): asked about

    def as_json(self) -> dict:
        return {
            "column": self.letter,
            "header": self.header,
            "field": self.key,
            "mapped": self.mapped,
            "ambiguous": self.ambiguous,
        }


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
    #: What the clerk checks in the preview: 申请经费, 总预算, 项目负责人, 所在县区 as read.
    requested: Any = None
    total: Any = None
    pi_name: str = ""
    county: str = ""
    hidden: bool = False
    suggestion_confidence: str | None = None

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
            "suggestion_confidence": self.suggestion_confidence,
            "requested_amount": plain_value(self.requested),
            "total_budget": plain_value(self.total),
            "pi_name": self.pi_name,
            "county": self.county,
            "hidden": self.hidden,
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
    #: Every header of the sheet with what it was read as (field key, IGNORE, EXTRA), in sheet order.
    headers: list[HeaderUse] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # the mapping applied (given or from the profile)
    profile: str | None = None  # the saved mapping used, if any
    profile_saved: str | None = None
    ambiguous_columns: list[str] = field(default_factory=list)  # headers that need a choice
    hidden_sheets: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)  # required columns the sheet lacks: map them
    no_data_rows: bool = False  # the sheet has its headers and nothing under them

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def rejected(self) -> int:
        return self.count("reject")

    @property
    def refused(self) -> bool:
        """Nothing could be read: required columns missing (a mapping is needed), or no row under the headers."""
        return bool(self.missing_columns) or self.no_data_rows

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
            "headers": [h.as_json() for h in self.headers],
            "mapping": self.mapping,
            "profile": self.profile,
            "profile_saved": self.profile_saved,
            "ambiguous_columns": self.ambiguous_columns,
            "hidden_sheets": self.hidden_sheets,
            "missing_columns": self.missing_columns,
            "no_data_rows": self.no_data_rows,
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
