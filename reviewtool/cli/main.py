"""``reviewtool-cli``: every batch operation, scriptable, without Qt.

Errors the user can fix print one line to stderr and exit with status 1;
usage mistakes exit with status 2.
"""

from __future__ import annotations

import os
import sys
import traceback

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from reviewtool import __version__
from reviewtool.core.errors import UserError
from reviewtool.i18n import LANGUAGES, _, set_language
from reviewtool.storage.database import BUSY_MESSAGE, is_busy_error


def _language_from_argv(argv: list[str]) -> str | None:
    """``--lang`` must act before command help texts are built, so read it early."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def build_cli() -> click.Group:
    from reviewtool.cli import setup_commands

    @click.group(help=_("Haidong S&T Bureau project review tool (command line)."))
    @click.version_option(__version__, prog_name="reviewtool-cli", message="%(prog)s %(version)s")
    @click.option("--lang", type=click.Choice(sorted(LANGUAGES)), help=_("Language of messages (default zh_CN)."))
    # No envvar here: $REVIEWTOOL_DB is only the fallback (``open_db``), so an explicit --db always wins.
    @click.option("--db", "db_url", metavar="URL", help=_("Database URL for all commands."))
    @click.pass_context
    def cli(ctx: click.Context, lang: str | None, db_url: str | None) -> None:
        ctx.ensure_object(dict)
        ctx.obj["db_url"] = db_url

    for command in (setup_commands.init_command, setup_commands.demo_command, setup_commands.areas_command):
        cli.add_command(command)
    for register in _feature_registrars():
        register(cli)
    return cli


def _feature_registrars():
    """Each feature module exposes ``register(cli)``; listed here once."""
    import importlib

    for name in FEATURE_MODULES:
        yield importlib.import_module(name).register


#: CLI modules added by later features (each has ``register(group)``).
FEATURE_MODULES: list[str] = [
    "reviewtool.cli.batches",
    "reviewtool.cli.intake",
    "reviewtool.cli.applications",
    "reviewtool.cli.scoring",
    "reviewtool.cli.documents",
    "reviewtool.cli.funding",
    "reviewtool.cli.experts",
    "reviewtool.cli.panels",
    "reviewtool.cli.backup",
]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        set_language(_language_from_argv(argv))
    except ValueError as exc:
        click.echo(str(exc), err=True)
        return 2
    cli = build_cli()
    try:
        result = cli.main(args=argv, prog_name="reviewtool-cli", standalone_mode=False)
        # Without standalone mode click returns ctx.exit(code)'s code instead of raising.
        return result if isinstance(result, int) and not isinstance(result, bool) else 0
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo(_("Aborted."), err=True)
        return 1
    except UserError as exc:
        click.echo(_("Error: {message}").format(message=exc), err=True)
        return 1
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if is_busy_error(exc):
            click.echo(_("Error: {message}").format(message=_(BUSY_MESSAGE)), err=True)
        elif isinstance(exc, OperationalError):
            click.echo(_("Error: cannot use the database: {reason}").format(reason=reason), err=True)
        else:
            click.echo(_("Error: the database refused the change: {reason}").format(reason=reason), err=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - a bug: one line, details on request
        if os.environ.get("REVIEWTOOL_DEBUG"):
            traceback.print_exc()
        click.echo(
            _("Internal error: {error} (set REVIEWTOOL_DEBUG=1 to see details)").format(error=repr(exc)), err=True
        )
        return 3


def run() -> None:
    sys.exit(main())
