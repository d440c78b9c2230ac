"""Step 1 of an import: read the summary sheet with the safe table reader,
and gather what parsing a row needs from the database (plan areas, the
counties of known units)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.intake.fields import COUNTIES, column_specs
from reviewtool.core.intake.rows import IntakeContext
from reviewtool.core.tables.read import read_table
from reviewtool.core.tables.types import Table
from reviewtool.i18n import _
from reviewtool.services.intake.import_result import ImportOptions
from reviewtool.services.progress import CancelToken, Progress
from reviewtool.services.taxonomy import list_areas
from reviewtool.storage.models import Unit


def read_sheet(path: Path, options: ImportOptions, progress: Progress, cancel: CancelToken) -> Table:
    """The data rows of the chosen (or best-matching) sheet; reading is the first third of the progress."""
    return read_table(
        path,
        column_specs(),
        sheet=options.sheet,
        on_progress=lambda done, total: progress.update(done, total * 3, _("Reading {file}…").format(file=path.name)),
        check_cancel=cancel.check,
    )


def intake_context(session: Session) -> IntakeContext:
    areas = list_areas(session)
    return IntakeContext(
        area_titles={a.code: a.title for a in areas if a.kind != "target"},
        unit_counties=dict(session.execute(select(Unit.name, Unit.county)).all()),
        counties=COUNTIES,
    )
