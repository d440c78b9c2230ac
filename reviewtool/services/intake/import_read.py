"""Step 1 of an import: read the summary sheet with the safe table reader,
and gather what parsing a row needs from the database (plan areas, the
counties of known units)."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.batches import LENGTH_RULE_WARN, length_rule_of, money_ceiling_of
from reviewtool.core.intake.fields import AMBIGUOUS_MARKERS, COUNTIES, column_specs
from reviewtool.core.intake.rows import IntakeContext
from reviewtool.core.tables.read import read_table
from reviewtool.core.tables.types import Table
from reviewtool.i18n import _
from reviewtool.services.intake.import_result import ImportOptions
from reviewtool.services.intake.mapping import overrides_of
from reviewtool.services.progress import CancelToken, Progress
from reviewtool.services.taxonomy import list_areas
from reviewtool.storage.models import Batch, Unit

P = ParamSpec("P")
R = TypeVar("R")


def read_sheet(
    path: Path, options: ImportOptions, progress: Progress, cancel: CancelToken, mapping: dict[str, str] | None = None
) -> Table:
    """The data rows of the chosen (or best-matching visible) sheet, with the mapping applied;
    reading is the first third of the progress.

    The table then lives until the import ends, so it is moved out of the garbage collector's sight
    (``gc.freeze``): the collector would otherwise walk its millions of objects again and again
    while the rows are checked and written. ``with_table_unfrozen`` gives them back at the end."""
    table = read_table(
        path,
        column_specs(),
        sheet=options.sheet,
        on_progress=lambda done, total: progress.update(done, total * 3, _("Reading {file}…").format(file=path.name)),
        check_cancel=cancel.check,
        overrides=overrides_of(mapping or {}),
        ambiguous=AMBIGUOUS_MARKERS,
        strict_required=False,
    )
    gc.freeze()
    return table


def with_table_unfrozen(function: Callable[P, R]) -> Callable[P, R]:
    """Decorates an import: whatever ``read_sheet`` froze is handed back to the collector when it returns."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        finally:
            gc.unfreeze()

    return wrapper


def intake_context(session: Session, batch: Batch | None = None) -> IntakeContext:
    """What checking a row needs: the plan's areas, known units' counties, and the batch's checks (the
    ceiling on one amount, the name length rule), set with ``services.batches.batch.set_import_checks``."""
    areas = list_areas(session)
    settings = batch.settings if batch is not None else None
    return IntakeContext(
        area_titles={a.code: a.title for a in areas if a.kind != "target"},
        unit_counties=dict(session.execute(select(Unit.name, Unit.county)).all()),
        counties=COUNTIES,
        money_ceiling=money_ceiling_of(settings),
        length_rule=length_rule_of(settings) == LENGTH_RULE_WARN,
    )
