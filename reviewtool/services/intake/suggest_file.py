"""Suggestions for every row of a workbook (``suggest-areas --from``): the
项目名称 and the optional 主要研究内容 columns are found with the import's own
header rules (only 项目名称 required: a sheet whose one known header is
项目名称 is read), and each data row gets one answer, in sheet order."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.core.intake.fields import AMBIGUOUS_MARKERS, column_specs
from reviewtool.core.intake.suggest import Answer
from reviewtool.core.tables.read import read_table
from reviewtool.core.tables.text import cell_text
from reviewtool.services.intake.suggest_model import suggester
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress

CHUNK = 200


@dataclass(frozen=True)
class RowAnswer:
    sheet: str
    row: int
    title: str
    answer: Answer

    def as_json(self) -> dict:
        return {"row": self.row, "title": self.title, **self.answer.as_json()}


def suggest_for_file(
    session: Session,
    path: str | Path,
    *,
    sheet: str | None = None,
    limit: int = 3,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[RowAnswer]:
    # The import's own header rules (every field's aliases, so the sheet is chosen and its header row
    # found as an import would), with only 项目名称 required: one matched column is enough.
    specs = [replace(spec, required=spec.key == "title") for spec in column_specs()]
    table = read_table(path, specs, sheet=sheet, check_cancel=cancel.check, ambiguous=AMBIGUOUS_MARKERS, min_matches=1)
    model = suggester(session)
    answers: list[RowAnswer] = []
    rows = [r for r in table.rows if cell_text(r.get("title"))]
    for start in range(0, len(rows), CHUNK):
        cancel.check()
        progress.update(start, len(rows))
        for row in rows[start : start + CHUNK]:
            title = cell_text(row.get("title"))
            answers.append(
                RowAnswer(row.sheet, row.row, title, model.answer(title, cell_text(row.get("abstract")), limit=limit))
            )
    progress.update(len(rows), len(rows))
    return answers
