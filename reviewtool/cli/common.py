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

from reviewtool.i18n import _
from reviewtool.services.audit import default_actor
from reviewtool.services.setup import open_database
from reviewtool.storage.database import ENV_VAR, Database


def db_option(command: Callable) -> Callable:
    return click.option(
        "--db",
        "db_url",
        metavar="URL",
        envvar=ENV_VAR,
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


def open_db(db_url: str | None) -> Database:
    """Open (and upgrade) the database the user named, or the default one."""
    ctx = click.get_current_context(silent=True)
    if db_url is None and ctx is not None and ctx.obj:
        db_url = ctx.obj.get("db_url")
    return open_database(db_url)


def actor() -> str:
    return default_actor()
