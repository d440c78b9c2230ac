"""``reviewtool-cli``: every batch operation, scriptable, without Qt.

Errors the user can fix print one line to stderr and exit with status 1;
usage mistakes exit with status 2.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

from reviewtool import __version__
from reviewtool.cli.lazy import LazyCommand, LazyGroup
from reviewtool.core.errors import UserError
from reviewtool.i18n import LANGUAGES, N_, _, set_language


def _language_from_argv(argv: list[str]) -> str | None:
    """``--lang`` must act before command help texts are built, so read it early."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def build_cli(*, lazy: bool = False) -> LazyGroup:
    """The ``reviewtool-cli`` group; every command loaded unless ``lazy`` (then on first use)."""

    @click.group(
        cls=LazyGroup,
        lazy_commands=COMMANDS,
        help=_("Haidong S&T Bureau project review tool (command line)."),
    )
    @click.version_option(__version__, prog_name="reviewtool-cli", message="%(prog)s %(version)s")
    @click.option("--lang", type=click.Choice(sorted(LANGUAGES)), help=_("Language of messages (default zh_CN)."))
    # No envvar here: $REVIEWTOOL_DB is only the fallback (``open_db``), so an explicit --db always wins.
    @click.option("--db", "db_url", metavar="URL", help=_("Database URL for all commands."))
    @click.pass_context
    def cli(ctx: click.Context, lang: str | None, db_url: str | None) -> None:
        ctx.ensure_object(dict)
        ctx.obj["db_url"] = db_url

    return cli if lazy else cli.load_all()


#: Every top-level command: its help (the same msgid as the command's own ``help=``) and the
#: ``reviewtool.cli`` modules whose ``register(group)`` adds it or adds to it. Loaded on first use
#: (cli/lazy.py); tests/test_cli_lazy.py fails when a command or a registering module is missing here.
COMMANDS: dict[str, LazyCommand] = {
    "init": LazyCommand(N_("Create the database, or upgrade it to the newest schema."), ("setup_commands",)),
    "demo": LazyCommand(N_("Load the demonstration data into an empty database."), ("setup_commands",)),
    "areas": LazyCommand(N_("Print the plan's priority areas."), ("setup_commands",)),
    "batch": LazyCommand(N_("Calls for applications (申报批次): create, edit, list, close, reopen."), ("batches",)),
    "import": LazyCommand(N_("Import applications from a summary workbook (.xlsx or .csv)."), ("intake",)),
    "template": LazyCommand(N_("Write the blank import template (.xlsx)."), ("intake",)),
    "suggest-areas": LazyCommand(
        N_("Suggest priority areas for a title and abstract, or for every row of a file."), ("intake_suggest",)
    ),
    "formal-review": LazyCommand(N_("Record the formal review (形式审查) of one application."), ("intake",)),
    "formal-limits": LazyCommand(N_("Show or set the limits formal review checks the data against."), ("intake",)),
    "applications": LazyCommand(N_("List applications, or show one with every stored field."), ("applications",)),
    "rubric": LazyCommand(N_("Rubrics (评分标准): list, show, import and export."), ("scoring",)),
    "scores": LazyCommand(N_("Score sheets and panel results."), ("scoring",)),
    "export": LazyCommand(
        N_("Write review sheets, lists, notices and letters as PDF or Word, and lists as Excel workbooks."),
        ("documents",),
    ),
    "funding": LazyCommand(N_("The funding recommendation list of a batch."), ("funding",)),
    "verify": LazyCommand(
        N_("Say whether this database issued a PDF as it is: its fingerprint, document, batch and date."),
        ("documents_verify",),
    ),
    "experts": LazyCommand(N_("The expert pool (专家库): import, export and list."), ("experts",)),
    "panel": LazyCommand(N_("Expert panels (专家组): draw, assign, finalise."), ("panels", "panels_members")),
    "workbooks": LazyCommand(N_("Offline scoring workbooks (离线评审表): one per expert."), ("panels",)),
    "stage": LazyCommand(N_("Review stages (评审阶段): list, add, promote, finalise."), ("stages",)),
    "my-reviews": LazyCommand(
        N_("An expert's own reviews (我的评审): assignments, summaries, declarations."), ("my_reviews",)
    ),
    "backup": LazyCommand(
        N_(
            "Copy the SQLite database to FILE, consistently, even while the app is open (SQLite's online backup; "
            "the copy is checked before it gets its name). Restore by copying the file back while the app is "
            "closed. For PostgreSQL use pg_dump."
        ),
        ("backup",),
    ),
    "audit": LazyCommand(N_("The audit trail (审计日志): read it, export it, verify it."), ("audit_log", "audit")),
    "publicity": LazyCommand(
        N_("公示: open it (the list is frozen), close it (the decisions become final)."), ("publicity",)
    ),
    "objection": LazyCommand(
        N_("The objection register (异议): register, handle, decide, send to 复审, close."), ("publicity",)
    ),
    "dashboard": LazyCommand(
        N_("Where a batch's call stands, step by step, and what to do next (批次进度)."), ("dashboard",)
    ),
    "reminders": LazyCommand(
        N_("Experts with sheets due or overdue, their phone and what is missing (staff only)."), ("dashboard",)
    ),
    "users": LazyCommand(
        N_(
            "Users and their roles. On PostgreSQL each user is a login role of the server (an administrator's "
            "connection creates and alters them); on SQLite a local login."
        ),
        ("users",),
    ),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        set_language(_language_from_argv(argv))
    except ValueError as exc:
        click.echo(str(exc), err=True)
        return 2
    cli = build_cli(lazy=True)
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
    except Exception as exc:  # noqa: BLE001 - a database error or a bug: one line each
        message = _database_error(exc)
        if message is not None:
            click.echo(message, err=True)
            return 1
        if os.environ.get("REVIEWTOOL_DEBUG"):
            traceback.print_exc()
        click.echo(
            _("Internal error: {error} (set REVIEWTOOL_DEBUG=1 to see details)").format(error=repr(exc)), err=True
        )
        return 3


def _database_error(exc: Exception) -> str | None:
    """The one-line message for a database error, or None for anything else.

    SQLAlchemy is imported only by the commands that use a database, so an
    error can only be one of its own when it is already loaded."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError, OperationalError

    from reviewtool.storage.database import BUSY_MESSAGE, is_busy_error

    if not isinstance(exc, DBAPIError):
        return None
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    if is_busy_error(exc):
        return _("Error: {message}").format(message=_(BUSY_MESSAGE))
    if isinstance(exc, OperationalError):
        return _("Error: cannot use the database: {reason}").format(reason=reason)
    return _("Error: the database refused the change: {reason}").format(reason=reason)


def run() -> None:
    sys.exit(main())
