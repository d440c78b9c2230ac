"""Which batch an import goes into: the named one (created on first write
when missing), or the only open batch when no name is given."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services.applications import find_batch, list_batches
from reviewtool.storage.models import Batch

BATCH_NAME_LIMIT = 200  # batch.name VARCHAR(200)


def year_of(name: str) -> int | None:
    match = re.search(r"(20\d{2})", name)
    return int(match.group(1)) if match else None


def resolve_batch(session: Session, name: str | None, *, create: bool) -> tuple[Batch | None, str, bool]:
    """The named batch (created when missing and ``create``), or the only open batch when no name is given."""
    if name:
        name = name.strip()
        if len(name) > BATCH_NAME_LIMIT:
            raise UserError(
                _("The batch name is too long ({length} characters; at most {limit}).").format(
                    length=len(name), limit=BATCH_NAME_LIMIT
                )
            )
        batch = find_batch(session, name)
        if batch is not None:
            if batch.closed:
                raise UserError(
                    _("The batch “{name}” is closed; applications cannot be imported into it.").format(name=name)
                )
            return batch, name, False
        if not create:
            return None, name, True
        batch = Batch(name=name, year=year_of(name))
        session.add(batch)
        session.flush()
        return batch, name, True
    open_batches = [b for b in list_batches(session) if not b.closed]
    if len(open_batches) == 1:
        return open_batches[0], open_batches[0].name, False
    if not open_batches:
        raise UserError(_("There is no batch yet; name one with --batch (it will be created)."))
    raise UserError(
        _("Several batches are open; choose one with --batch: {names}").format(
            names="、".join(b.name for b in open_batches)
        )
    )
