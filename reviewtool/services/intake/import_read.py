"""Step 1 of an import: read the summary sheet with the safe table reader,
and gather what parsing a row needs from the database (plan areas, the
counties of known units)."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import ParamSpec, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.intake.fields import AMBIGUOUS_MARKERS, COUNTIES, column_specs
from reviewtool.core.intake.rows import IntakeContext
from reviewtool.core.intake.values import DEFAULT_CEILING
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


def money_ceiling(batch: Batch | None) -> Decimal:
    """The batch's ceiling on one amount (``settings["money_ceiling"]``, 万元), else 100,000 万元."""
    value = ((batch.settings or {}) if batch is not None else {}).get("money_ceiling")
    try:
        ceiling = Decimal(str(value)) if value not in (None, "") else DEFAULT_CEILING
    except InvalidOperation:
        return DEFAULT_CEILING
    return ceiling if ceiling.is_finite() and ceiling > 0 else DEFAULT_CEILING


def intake_context(session: Session, batch: Batch | None = None) -> IntakeContext:
    areas = list_areas(session)
    return IntakeContext(
        area_titles={a.code: a.title for a in areas if a.kind != "target"},
        unit_counties=dict(session.execute(select(Unit.name, Unit.county)).all()),
        counties=COUNTIES,
        money_ceiling=money_ceiling(batch),
        length_rule=bool(((batch.settings or {}) if batch is not None else {}).get("title_length_rule")),
    )
