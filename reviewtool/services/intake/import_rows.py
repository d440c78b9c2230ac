"""Steps 2 and 4 of an import: parse every data row into a draft (with its
issues, and a number used twice in the file refused), then complete the
drafts that will be written: numbers for new rows that have none, and
priority-area suggestions for new rows without an area."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from reviewtool.core.intake.rows import IntakeContext, RowIssue, parse_row
from reviewtool.core.intake.suggest import LOW
from reviewtool.core.tables.text import cell_text
from reviewtool.i18n import _
from reviewtool.services.intake.batch_choice import year_of
from reviewtool.services.intake.import_result import RowOutcome
from reviewtool.services.intake.import_run import ImportRun
from reviewtool.services.progress import CancelToken, Progress

SUGGEST_CHUNK = 500


def _number_of(row) -> str:
    value = row.get("number")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turned 20250001 into 20250001.0
    return str(value or "").strip()


def parse_rows(run: ImportRun, context: IntakeContext, progress: Progress, cancel: CancelToken) -> None:
    """One outcome per row (``reject`` until matched); rows that parsed become candidates."""
    total = run.total
    for position, row in enumerate(run.table.rows, start=1):
        if position % 200 == 0:
            cancel.check()
            progress.update(total + position, total * 3, _("Checking rows…"))
        draft, issues = parse_row(row, context, run.headers)
        number = _number_of(row)
        outcome = RowOutcome(
            row.sheet, row.row, "reject", number, str(row.get("title") or ""), str(row.get("unit") or ""), issues=issues
        )
        outcome.hidden = row.hidden
        outcome.pi_name = cell_text(row.get("pi_name"))
        outcome.county = cell_text(row.get("county"))
        if draft is not None:
            outcome.unit = draft.unit_name
            outcome.county = draft.county or outcome.county
            outcome.requested = draft.values.get("requested_amount")
            outcome.total = draft.values.get("total_budget")
        else:
            outcome.requested = cell_text(row.get("requested_amount"))
            outcome.total = cell_text(row.get("total_budget"))
        run.outcomes.append(outcome)
        if draft is None:
            continue
        if number:
            draft.number = number
            if number in run.seen_numbers:
                outcome.issues.append(
                    RowIssue(
                        row.sheet,
                        row.row,
                        row.ref("number").letter,
                        run.headers.get("number", ""),
                        _("the number {number} is used again (first in row {first})").format(
                            number=number, first=run.seen_numbers[number]
                        ),
                    )
                )
                continue
            run.seen_numbers[number] = row.row
        run.candidates.append((outcome, draft, row))


def assign_numbers(run: ImportRun) -> None:
    """New rows without a 申报编号 get ``YEAR-NNNN``, skipping numbers taken in the batch or the file."""
    taken = set(run.existing_by_number) | set(run.seen_numbers)
    year = (run.batch.year if run.batch is not None else None) or year_of(run.batch_name) or dt.date.today().year
    counter = 0
    for outcome, draft in run.drafts:
        if outcome.action == "create" and not draft.number:
            while True:
                counter += 1
                candidate = f"{year}-{counter:04d}"
                if candidate not in taken:
                    break
            taken.add(candidate)
            draft.number = candidate
            outcome.number = candidate


def suggest_areas(session: Session, run: ImportRun, progress: Progress, cancel: CancelToken) -> None:
    """Suggested areas for new rows that name no primary area (stored as suggestions, not confirmed)."""
    from reviewtool.services.intake.tagging import suggester

    suggest = suggester(session)
    total = run.total
    wanted = [i for i, (o, d) in enumerate(run.drafts) if o.action == "create" and not d.primary_area]
    for start in range(0, len(wanted), SUGGEST_CHUNK):
        cancel.check()
        progress.update(total * 2 + start, total * 3, _("Suggesting priority areas…"))
        chunk = wanted[start : start + SUGGEST_CHUNK]
        texts = [(run.drafts[i][1].values["title"], run.drafts[i][1].values.get("abstract") or "") for i in chunk]
        for index, answer in zip(chunk, suggest.answer_many(texts, limit=3), strict=True):
            outcome = run.drafts[index][0]
            outcome.suggestion_confidence = answer.confidence
            if answer.suggestions and answer.confidence != LOW:  # a guess is not stored as a suggestion
                run.suggestions[index] = list(answer.suggestions)
                outcome.suggested_area = answer.suggestions[0].code
