"""``verify FILE.pdf``: was this document issued by this database, unaltered?

Reads the fingerprint (文件指纹) the export printed in the footer and stored in
the PDF, finds the record of its issue in the audit trail and compares the
file's SHA-256 with the one recorded. Exits 1 when the file is not the one issued.
"""

from __future__ import annotations

from pathlib import Path

import click

from reviewtool.cli.common import db_option, emit_json, json_option, open_db
from reviewtool.i18n import _


def register(group: click.Group) -> None:
    group.add_command(verify_command)


@click.command(
    "verify",
    help=_("Say whether this database issued a PDF as it is: its fingerprint, document, batch and date."),
)
@click.argument("pdf_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@db_option
def verify_command(pdf_file: Path, as_json: bool, db_url: str | None) -> None:
    from reviewtool.services.documents.issued import verify_pdf

    with open_db(db_url).session() as session:
        result = verify_pdf(session, pdf_file)
    if as_json:
        emit_json(result.as_json())
    else:
        click.echo(("✓ " if result.ok else "✗ ") + result.reason)
        if result.numbers:
            click.echo(_("Applications: {numbers}").format(numbers="、".join(result.numbers)))
    if not result.ok:
        click.get_current_context().exit(1)
