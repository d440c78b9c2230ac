"""Shared CLI plumbing: the ``--db`` and ``--json`` options, JSON output,
and opening the database."""

from __future__ import annotations

import datetime as dt
import enum
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import click

from reviewtool.core.errors import UserError
from reviewtool.core.numbers import parse_number
from reviewtool.i18n import _
from reviewtool.services.audit import default_actor
from reviewtool.services.setup import open_database
from reviewtool.storage.database import Database

#: The largest count a CLI option takes (experts to draw, reviewers, versions …): far above any real
#: batch, and far below what the database's integers or the assignment solver could be hurt by.
COUNT_MAX = 100_000


class DecimalParam(click.ParamType):
    """A decimal option: finite, within ``low``–``high``, at most ``places``
    decimals; anything else is a usage error naming the option, never a crash."""

    name = "number"

    def __init__(self, low: int | Decimal, high: int | Decimal, *, places: int | None = None) -> None:
        self.low, self.high, self.places = Decimal(low), Decimal(high), places

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        if isinstance(value, Decimal):
            return value
        field = "/".join(param.opts) if param is not None else self.name
        try:
            number = parse_number(value, field=field, minimum=self.low, maximum=self.high, places=self.places)
        except UserError as exc:
            self.fail(str(exc), param, ctx)
        if number is None:
            self.fail(_("{field}: a number is required.").format(field=field), param, ctx)
        return number


def db_option(command: Callable) -> Callable:
    # No ``envvar``: click would fill the option from $REVIEWTOOL_DB and hide a
    # ``--db`` given before the command. ``open_db`` falls back to the variable.
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        help=_("SQLAlchemy database URL or SQLite file (default: $REVIEWTOOL_DB, then the user data folder)."),
    )(command)


def batch_option(command: Callable) -> Callable:
    return click.option("--batch", "batch_name", required=True, help=_("Batch name or id."))(command)


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


def open_db(db_url: str | None) -> Database:
    """Open (and upgrade) the database the user named, or the default one."""
    return open_database(chosen_db_url(db_url))


def actor() -> str:
    return default_actor()
