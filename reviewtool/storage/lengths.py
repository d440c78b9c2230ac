"""Text that must fit its column: one check for every feature.

PostgreSQL refuses a value longer than its ``VARCHAR(n)``; SQLite stores it
anyway. So the length is checked in Python, the same on both engines, from
the model's own column type (one source of truth):

- ``check_length(value, Expert.name, field="姓名")`` in a service, where the
  field can be named as the user knows it (a header, a form label, an option);
  ``length_problem`` returns the message instead of raising, for importers
  that collect every problem of a file before refusing it;
- ``guard_lengths`` — installed on every session by ``storage.database`` — is
  the safety net: a flush with a text too long for its column raises
  ``TextTooLong`` naming the table and column, never a database error.

Lengths count characters (code points), as PostgreSQL does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, event, inspect
from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import _


class TextTooLong(UserError):
    """A text longer than the column that would store it."""


def column_limit(attribute: Any) -> int | None:
    """The ``VARCHAR`` length of a mapped attribute or column (``None``: unlimited)."""
    column = getattr(attribute, "property", None)
    column = column.columns[0] if column is not None and hasattr(column, "columns") else attribute
    kind = getattr(column, "type", None)
    return kind.length if isinstance(kind, String) and kind.length else None


def shown(value: str, keep: int = 20) -> str:
    """The start of a long text, for a message."""
    return value if len(value) <= keep else value[:keep] + "…"


def length_problem(value: Any, attribute: Any, *, field: str) -> str | None:
    """The message for a text too long for ``attribute``, or ``None`` when it fits."""
    limit = column_limit(attribute)
    if limit is None or not isinstance(value, str) or len(value) <= limit:
        return None
    return _("{field}: {length} characters is too long (at most {limit}): “{start}”").format(
        field=field, length=len(value), limit=limit, start=shown(value)
    )


def check_length(value: Any, attribute: Any, *, field: str) -> None:
    """Raise ``TextTooLong`` naming ``field`` when ``value`` does not fit ``attribute``."""
    problem = length_problem(value, attribute, field=field)
    if problem:
        raise TextTooLong(problem)


def _check_object(obj: Any) -> None:
    mapper = inspect(obj).mapper
    state = obj.__dict__
    for prop in mapper.column_attrs:
        value = state.get(prop.key)
        if not isinstance(value, str):
            continue
        limit = column_limit(prop.columns[0])
        if limit is not None and len(value) > limit:
            column = prop.columns[0]
            raise TextTooLong(
                _("{field}: {length} characters is too long (at most {limit}): “{start}”").format(
                    field=f"{column.table.name}.{column.name}", length=len(value), limit=limit, start=shown(value)
                )
            )


def _before_flush(session: Session, _context, _instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        _check_object(obj)


def guard_lengths(session_factory) -> None:
    """Check every flushed text against its column (a ``sessionmaker`` or ``Session`` class)."""
    event.listen(session_factory, "before_flush", _before_flush)
