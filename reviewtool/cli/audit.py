"""``audit``: the audit trail's hash chain (``audit verify``)."""

from __future__ import annotations

import click

from reviewtool.cli.common import db_option, emit_json, json_option, open_db
from reviewtool.i18n import _
from reviewtool.services import audit


def register(group: click.Group) -> None:
    """Add ``verify`` to the shared ``audit`` group (``audit list`` is ``cli/audit_log.py``'s)."""
    existing = group.commands.get("audit")
    if not isinstance(existing, click.Group):
        existing = click.Group("audit", help=_("The audit trail (审计日志): read it, export it, verify it."))
        group.add_command(existing)
    existing.add_command(verify_command)


@click.command(
    "verify",
    help=_(
        "Check the audit trail's hash chain from the first record: reports the first record altered, removed "
        "or inserted out of place, and exits with status 1 when the chain is broken. Note the last hash it "
        "prints and pass it later with --expect to catch the newest records being removed too."
    ),
)
@click.option(
    "--expect", "expect_last", metavar="HASH", help=_("A last hash noted earlier, which must still be in the chain.")
)
@db_option
@json_option
def verify_command(expect_last, db_url, as_json):
    with open_db(db_url).session() as session:
        check = audit.verify(session, expect_last=expect_last)
    if as_json:
        emit_json(check.as_json())
    else:
        click.echo(check.reason)
        if check.ok and check.last_hash:
            click.echo(_("Last hash: {hash}").format(hash=check.last_hash))
    if not check.ok:
        raise click.exceptions.Exit(1)
