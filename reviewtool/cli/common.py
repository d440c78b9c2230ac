"""Shared CLI plumbing: the ``--db`` and ``--json`` options, JSON output,
and opening the database."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import click
from sqlalchemy.engine import make_url

from reviewtool.cli.options import chosen_db_url, db_option, emit_json, json_option  # noqa: F401 - re-exported
from reviewtool.core.errors import UserError
from reviewtool.core.numbers import parse_number
from reviewtool.core.users import Identity
from reviewtool.i18n import _
from reviewtool.services.audit import default_actor
from reviewtool.services.setup import open_database
from reviewtool.services.users import login
from reviewtool.storage.database import Database, resolve_url

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


def batch_option(command: Callable) -> Callable:
    return click.option("--batch", "batch_name", required=True, help=_("Batch name or id."))(command)


#: Who logged in for this command (one command per process): ``actor()`` names them.
_signed_in: dict[str, Identity | None] = {"identity": None}


def open_db(db_url: str | None) -> Database:
    """Open (and upgrade) the database the user named, or the default one, and log in.

    PostgreSQL: the URL's role, with the password from the URL, ``$PGPASSWORD`` (or
    ``~/.pgpass``), else asked for on the terminal. SQLite with local users: the login
    ``$REVIEWTOOL_USER`` (else the system account's name) with ``$REVIEWTOOL_PASSWORD``,
    else asked for. Without local users nobody logs in: the actor is the system account."""
    url = resolve_url(chosen_db_url(db_url))
    if login.is_postgresql(url):
        database = _open_server(url)
    else:
        database = open_database(url)
        if login.needs_local_login(database):
            name = default_actor()
            hint = _("This database asks {login} for a password: set REVIEWTOOL_PASSWORD, or run in a terminal.")
            login.sign_in_local(database, name, os.environ.get("REVIEWTOOL_PASSWORD") or _ask_password(name, hint))
        else:
            database.identity = login.account_identity()
    _signed_in["identity"] = database.identity
    context = click.get_current_context(silent=True)
    if context is not None:  # close the connections when the command ends (a server counts them)
        context.call_on_close(database.dispose)
    return database


def _at_a_terminal() -> bool:
    """Someone can type a password: the prompt reads the terminal itself (getpass), so the new
    user's password may still come on standard input (``--password-stdin``)."""
    return sys.stdin.isatty() or sys.stderr.isatty()


def _ask_password(name: str, hint: str) -> str:
    if not _at_a_terminal():
        raise login.LoginFailed(hint.format(login=name))
    return click.prompt(_("Password for {login}").format(login=name), hide_input=True, err=True)


def _open_server(url: str) -> Database:
    try:
        return login.open_server(url)
    except login.WrongPassword:
        if make_url(url).password or os.environ.get("PGPASSWORD"):
            raise
    name = login.url_login(url) or default_actor()
    hint = _("The server asks {login} for a password: give it in the URL or in PGPASSWORD, or run in a terminal.")
    return login.open_server(login.with_credentials(url, name, _ask_password(name, hint)))


def actor() -> str:
    """The logged-in user (or, without accounts, the system account)."""
    identity = _signed_in["identity"]
    return identity.login if identity is not None else default_actor()
