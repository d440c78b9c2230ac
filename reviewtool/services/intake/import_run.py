"""The state one import of a summary sheet carries from step to step
(read → parse rows → match existing → write → audit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewtool.core.intake.rows import ApplicationDraft
from reviewtool.core.tables.types import Table, TableRow
from reviewtool.services.intake.import_result import ImportOptions, RowOutcome
from reviewtool.storage.models import Application, Batch


@dataclass
class ImportRun:
    path: Path
    options: ImportOptions
    table: Table
    headers: dict[str, str]  # field key → the sheet's own header text, for messages
    batch: Batch | None
    batch_name: str
    batch_new: bool
    #: One outcome per data row, in sheet order (the preview's rows).
    outcomes: list[RowOutcome] = field(default_factory=list)
    #: Rows that parsed and passed the in-file number check, for matching.
    candidates: list[tuple[RowOutcome, ApplicationDraft, TableRow]] = field(default_factory=list)
    #: Rows that will be written (create or update), in sheet order.
    drafts: list[tuple[RowOutcome, ApplicationDraft]] = field(default_factory=list)
    seen_numbers: dict[str, int] = field(default_factory=dict)  # number → first row using it
    existing_by_number: dict[str, int] = field(default_factory=dict)  # the batch's numbers → id
    stored: dict[int, Application] = field(default_factory=dict)  # applications being updated
    suggestions: dict[int, Any] = field(default_factory=dict)  # index in drafts → suggestions
    total: int = field(init=False)  # data rows read (for progress)

    def __post_init__(self) -> None:
        self.total = len(self.table.rows)

    def release_rows(self) -> None:
        """Drop the sheet's cells once every row is parsed and matched: writing needs only the drafts,
        and the cells are most of an import's memory (tens of MiB per 10,000 rows)."""
        self.candidates.clear()
        self.table.rows = []
