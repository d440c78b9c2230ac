"""The ``--db`` and ``--json`` options and JSON output, without the data layer: a command
whose quick path needs no database (``suggest-areas`` with a cached model) imports only
this; ``cli.common`` re-exports them with the rest of the plumbing."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import click

from reviewtool.i18n import _


def db_option(command: Callable) -> Callable:
    # No ``envvar``: click would fill the option from $REVIEWTOOL_DB and hide a
    # ``--db`` given before the command. ``open_db`` falls back to the variable.
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        help=_("SQLAlchemy database URL or SQLite file (default: $REVIEWTOOL_DB, then the user data folder)."),
    )(command)


def json_option(command: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help=_("Print machine-readable JSON."))(command)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if hasattr(value, "as_json"):
        return value.as_json()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default))
    sys.stdout.write("\n")


def chosen_db_url(db_url: str | None) -> str | None:
    """The database the user named: ``--db`` after the command, else ``--db``
    before it, else ``None`` (then ``$REVIEWTOOL_DB``, then the default file).
    An explicit option always wins over the environment variable."""
    ctx = click.get_current_context(silent=True)
    if db_url is None and ctx is not None:
        root = ctx.find_root()
        if isinstance(root.obj, dict):
            db_url = root.obj.get("db_url")
    return db_url or None
