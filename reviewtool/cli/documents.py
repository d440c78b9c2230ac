"""``export``: review sheets and summaries as PDF, and lists as Excel workbooks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from reviewtool.cli.common import batch_option, db_option, emit_json, json_option, open_db
from reviewtool.cli.funding import print_funding_line
from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services import funding
from reviewtool.services.documents.export import SheetKind, export_sheets, export_summary
from reviewtool.services.exports.workbooks import export_batch_workbook, export_funding_workbook, export_score_matrix
from reviewtool.services.progress import Progress
from reviewtool.services.scoring.ranking import find_batch

FONT_ENV = "REVIEWTOOL_PDF_FONT"


def out_file_option(help_text: str) -> Callable:
    """``--out FILE`` (a file, not a folder), required."""
    return click.option(
        "--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help=help_text
    )


def register(group: click.Group) -> None:
    group.add_command(export_group)


def font_option(command):
    return click.option(
        "--font",
        "font_file",
        metavar="FILE[#INDEX]",
        envvar=FONT_ENV,
        help=_("TrueType font for Chinese text (a .ttc face as FILE#INDEX; default: a system font)."),
    )(command)


def _progress() -> Progress:
    def show(done: int, total: int, message: str) -> None:
        click.echo(f"[{done}/{total}] {message}", err=True)

    return Progress(show)


def _report(result, as_json: bool) -> None:
    if result.warning:
        click.echo(_("Warning: {message}").format(message=result.warning), err=True)
    if as_json:
        emit_json(result.as_json())
        return
    for path in result.files:
        click.echo(str(path))
    if getattr(result, "skipped", ()):
        click.echo(_("Nothing to print for: {numbers}").format(numbers=", ".join(result.skipped)), err=True)


@click.group("export", help=_("Write review sheets and summaries as PDF, and lists as Excel workbooks."))
def export_group() -> None:
    pass


@export_group.command(
    "sheets", help=_("Write the review sheets of a batch as PDF, one file per application or one combined file.")
)
@batch_option
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help=_("Output folder.")
)
@click.option("--blank", is_flag=True, help=_("Empty sheets for scoring on paper."))
@click.option("--per-expert", is_flag=True, help=_("With --blank: one sheet per assigned expert."))
@click.option("--anonymous", is_flag=True, help=_("Name the experts 专家1, 专家2 … instead."))
@click.option("--combined", is_flag=True, help=_("One PDF for the whole batch."))
@click.option(
    "--kind",
    type=click.Choice([k.value for k in SheetKind if k is not SheetKind.BLANK]),
    default=SheetKind.EXPERT.value,
    show_default=True,
    help=_("expert: 专家评审表; panel: 项目综合评审意见表; applicant: comments for the applicant."),
)
@font_option
@db_option
@json_option
def sheets_command(batch_name, out_dir, blank, per_expert, anonymous, combined, kind, font_file, db_url, as_json):
    kind = SheetKind.BLANK if blank else SheetKind(kind)
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        result = export_sheets(
            session,
            batch.id,
            out_dir,
            kind=kind,
            anonymous=anonymous,
            combined=combined,
            per_expert=per_expert,
            font_file=font_file,
            progress=_progress() if not as_json else Progress(),
        )
    _report(result, as_json)


@export_group.command("summary", help=_("Write the review results summary of a batch as a landscape PDF."))
@batch_option
@out_file_option(_("PDF file to write."))
@click.option("--by-area", is_flag=True, help=_("Group the table by priority area."))
@font_option
@db_option
@json_option
def summary_command(batch_name, out_file, by_area, font_file, db_url, as_json):
    _require_suffix(out_file, (".pdf",))
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        result = export_summary(session, batch.id, out_file, group_by_area=by_area, font_file=font_file)
    _report(result, as_json)


@export_group.command("funding", help=_("Write the funding recommendation list as Excel (.xlsx) or PDF."))
@batch_option
@out_file_option(_("File to write (.xlsx or .pdf)."))
@font_option
@db_option
@json_option
def funding_export_command(batch_name, out_file, font_file, db_url, as_json):
    suffix = _require_suffix(out_file, (".xlsx", ".pdf"))
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        if suffix == ".pdf":
            result = export_summary(session, batch.id, out_file, funded_only=True, font_file=font_file)
            if result.warning:
                click.echo(_("Warning: {message}").format(message=result.warning), err=True)
        else:
            export_funding_workbook(session, batch.id, out_file)
        view = funding.funding_view(session, batch.id)
    if as_json:
        emit_json({"file": str(out_file), **view.as_json()})
        return
    click.echo(str(out_file))
    print_funding_line(view)


@export_group.command("matrix", help=_("Write the score matrix (application × expert × criterion) as Excel."))
@batch_option
@out_file_option(_("Workbook to write (.xlsx)."))
@click.option("--anonymous", is_flag=True, help=_("Name the experts 专家1, 专家2 … instead."))
@db_option
def matrix_command(batch_name, out_file, anonymous, db_url):
    _require_suffix(out_file, (".xlsx",))
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        click.echo(str(export_score_matrix(session, batch.id, out_file, anonymous=anonymous)))


@export_group.command("batch", help=_("Write the whole batch's data as one Excel workbook."))
@batch_option
@out_file_option(_("Workbook to write (.xlsx)."))
@db_option
def batch_command(batch_name, out_file, db_url):
    _require_suffix(out_file, (".xlsx",))
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        click.echo(str(export_batch_workbook(session, batch.id, out_file)))


def _require_suffix(path: Path, allowed: tuple[str, ...]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise UserError(
            _("{file}: the file name must end in {allowed}.").format(file=path, allowed=" / ".join(allowed))
        )
    return suffix
