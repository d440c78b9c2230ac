"""``export``: review sheets, lists, notices and letters as PDF or Word, lists
as Excel workbooks, the batch's notice settings and the bureau's Word templates.

Every command reports the files written; ``--json`` reports them with any
warning — characters no installed font has are named with the document
they are in (``missing_characters``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from reviewtool.cli.batches import warn_if_draft
from reviewtool.cli.common import actor, batch_option, db_option, emit_json, json_option, open_db
from reviewtool.cli.funding import print_funding_line
from reviewtool.cli.stages import stage_id, stage_option
from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services import funding
from reviewtool.services.audit_log.exports import record_export
from reviewtool.services.documents import document_templates as templates
from reviewtool.services.documents.export import SheetKind, export_sheets, export_summary
from reviewtool.services.documents.export_files import ExportResult
from reviewtool.services.documents.export_notices import (
    export_meeting_sheet,
    export_notices,
    export_panel_docx,
    export_publicity,
)
from reviewtool.services.documents.notice_settings import FIELDS, notice_settings, parse_fee, set_notice_settings
from reviewtool.services.exports.workbooks import export_batch_workbook, export_funding_workbook, export_score_matrix
from reviewtool.services.progress import Progress
from reviewtool.services.scoring.ranking import find_batch

FONT_ENV = "REVIEWTOOL_PDF_FONT"


def out_file_option(help_text: str) -> Callable:
    """``--out FILE`` (a file, not a folder), required."""
    return click.option(
        "--out", "out_file", required=True, type=click.Path(dir_okay=False, path_type=Path), help=help_text
    )


out_dir_option = click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help=_("Output folder.")
)
panel_option = click.option("--panel", "panel_name", metavar="NAME", help=_("The panel (when the batch has several)."))
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "docx"]),
    default="pdf",
    show_default=True,
    help=_("pdf, or docx to edit in Word or WPS."),
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


def _progress(as_json: bool) -> Progress:
    if as_json:
        return Progress()

    def show(done: int, total: int, message: str) -> None:
        click.echo(f"[{done}/{total}] {message}", err=True)

    return Progress(show)


def _record(session, what: str, batch_id: int, result: ExportResult, *, anonymous=False, per_expert=False) -> None:
    """The export's ``documents.export`` record, as the GUI's export run leaves it (保密 marked)."""
    record_export(session, what, batch_id, result.files, actor=actor(), anonymous=anonymous, per_expert=per_expert)


def _report(result: ExportResult, as_json: bool, extra: dict | None = None) -> None:
    if as_json:
        emit_json({**result.as_json(), **(extra or {})})
        return
    if result.warning:
        for line in result.warning.splitlines():
            click.echo(_("Warning: {message}").format(message=line), err=True)
    for path in result.files:
        click.echo(str(path))
    if result.skipped:
        click.echo(_("Nothing to print for: {numbers}").format(numbers=", ".join(result.skipped)), err=True)


@click.group(
    "export", help=_("Write review sheets, lists, notices and letters as PDF or Word, and lists as Excel workbooks.")
)
def export_group() -> None:
    pass


@export_group.command(
    "sheets", help=_("Write the review sheets of a batch as PDF, one file per application or one combined file.")
)
@batch_option
@stage_option
@out_dir_option
@click.option("--blank", is_flag=True, help=_("Empty sheets for scoring on paper."))
@click.option("--per-expert", is_flag=True, help=_("With --blank: one sheet per assigned expert."))
@click.option("--by-expert", is_flag=True, help=_("With --blank: one packet per expert, holding all their sheets."))
@click.option("--anonymous", is_flag=True, help=_("Name the experts 专家1, 专家2 … instead."))
@click.option("--combined", is_flag=True, help=_("One PDF for the whole batch."))
@click.option(
    "--kind",
    type=click.Choice(["expert", "panel", "applicant", "leader"]),
    default=SheetKind.EXPERT.value,
    show_default=True,
    help=_(
        "expert: 专家评审表; panel: 项目综合评审意见表; applicant: comments for the applicant; "
        "leader: the panel leader's summary draft (Word only)."
    ),
)
@format_option
@font_option
@db_option
@json_option
def sheets_command(
    batch_name, out_dir, blank, per_expert, by_expert, anonymous, combined, kind, fmt, font_file, db_url, as_json
):
    if kind == "leader" or fmt == "docx":
        if blank or kind not in ("panel", "leader"):
            raise UserError(_("--format docx is for --kind panel and --kind leader."))
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        if kind in ("panel", "leader") and (fmt == "docx" or kind == "leader"):
            result = export_panel_docx(
                session,
                batch.id,
                out_dir,
                leader_draft=kind == "leader",
                anonymous=anonymous,
                combined=combined,
                font_file=font_file,
                progress=_progress(as_json),
                stage_id=stage_id(session, batch.id),
            )
            what = "leader_draft" if kind == "leader" else "panel_docx"
        else:
            result = export_sheets(
                session,
                batch.id,
                out_dir,
                kind=SheetKind.BLANK if blank else SheetKind(kind),
                anonymous=anonymous,
                combined=combined,
                per_expert=per_expert,
                by_expert=by_expert,
                font_file=font_file,
                progress=_progress(as_json),
                stage_id=stage_id(session, batch.id),
            )
            what = ("blank_by_expert" if by_expert else "blank") if blank else kind
        _record(session, what, batch.id, result, anonymous=anonymous, per_expert=per_expert or by_expert)
    _report(result, as_json)


@export_group.command("summary", help=_("Write the review results summary of a batch as a landscape PDF."))
@batch_option
@stage_option
@out_file_option(_("PDF file to write."))
@click.option("--by-area", is_flag=True, help=_("Group the table by priority area."))
@font_option
@db_option
@json_option
def summary_command(batch_name, out_file, by_area, font_file, db_url, as_json):
    _require_suffix(out_file, (".pdf",))
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        stage = stage_id(session, batch.id)
        result = export_summary(session, batch.id, out_file, group_by_area=by_area, font_file=font_file, stage_id=stage)
        _record(session, "summary", batch.id, result)
        draft = warn_if_draft(session, batch.id, stage)  # a panel not finalised: the document says 未定稿
    _report(result, as_json, {"draft": draft})


@export_group.command("funding", help=_("Write the funding recommendation list as Excel (.xlsx) or PDF."))
@batch_option
@stage_option
@out_file_option(_("File to write (.xlsx or .pdf)."))
@font_option
@db_option
@json_option
def funding_export_command(batch_name, out_file, font_file, db_url, as_json):
    suffix = _require_suffix(out_file, (".xlsx", ".pdf"))
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        stage = stage_id(session, batch.id)
        if suffix == ".pdf":
            result = export_summary(session, batch.id, out_file, funded_only=True, font_file=font_file, stage_id=stage)
        else:
            result = ExportResult((export_funding_workbook(session, batch.id, out_file, stage),), 1)
        _record(session, "funding_" + suffix[1:], batch.id, result)
        view = funding.funding_view(session, batch.id, stage)
        warn_if_draft(session, batch.id, stage)  # a panel not finalised: the list says 未定稿 ("draft" in --json)
    if as_json:  # "file" as before, beside the keys every export reports
        emit_json({**result.as_json(), "file": str(out_file), **view.as_json()})
        return
    _report(result, as_json)
    print_funding_line(view)


@export_group.command("matrix", help=_("Write the score matrix (application × expert × criterion) as Excel."))
@batch_option
@stage_option
@out_file_option(_("Workbook to write (.xlsx)."))
@click.option("--anonymous", is_flag=True, help=_("Name the experts 专家1, 专家2 … instead."))
@db_option
@json_option
def matrix_command(batch_name, out_file, anonymous, db_url, as_json):
    _require_suffix(out_file, (".xlsx",))
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        path = export_score_matrix(
            session, batch.id, out_file, anonymous=anonymous, stage_id=stage_id(session, batch.id)
        )
        result = ExportResult((path,), 1)
        _record(session, "matrix", batch.id, result, anonymous=anonymous)
    _report(result, as_json)


@export_group.command("batch", help=_("Write the whole batch's data as one Excel workbook."))
@batch_option
@stage_option
@out_file_option(_("Workbook to write (.xlsx)."))
@db_option
@json_option
def batch_command(batch_name, out_file, db_url, as_json):
    _require_suffix(out_file, (".xlsx",))
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        path = export_batch_workbook(session, batch.id, out_file, stage_id=stage_id(session, batch.id))
        result = ExportResult((path,), 1)
        _record(session, "batch", batch.id, result)
    _report(result, as_json)


@export_group.command(
    "publicity", help=_("Write the public notice (公示) and its list of the projects within the funding line.")
)
@batch_option
@stage_option
@out_file_option(_("File to write (.pdf, .docx or .xlsx)."))
@font_option
@db_option
@json_option
def publicity_command(batch_name, out_file, font_file, db_url, as_json):
    suffix = _require_suffix(out_file, (".pdf", ".docx", ".xlsx"))
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        result = export_publicity(
            session, batch.id, out_file, font_file=font_file, stage_id=stage_id(session, batch.id)
        )
        _record(session, "publicity_" + suffix[1:], batch.id, result)
    _report(result, as_json)


@export_group.command("notices", help=_("Write the outcome letters (立项通知 / 不予立项) to the applicant units."))
@batch_option
@stage_option
@out_dir_option
@click.option("--combined", is_flag=True, help=_("One file for the whole batch instead of one per unit."))
@format_option
@font_option
@db_option
@json_option
def notices_command(batch_name, out_dir, combined, fmt, font_file, db_url, as_json):
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        result = export_notices(
            session, batch.id, out_dir, combined=combined, fmt=fmt, font_file=font_file, progress=_progress(as_json),
            stage_id=stage_id(session, batch.id),
        )  # fmt: skip
        _record(session, "notices_" + fmt, batch.id, result)
    _report(result, as_json)


@export_group.command("signin", help=_("Write the sign-in sheet (签到表) of a panel's meeting as PDF."))
@batch_option
@stage_option
@panel_option
@out_file_option(_("PDF file to write."))
@font_option
@db_option
@json_option
def signin_command(batch_name, panel_name, out_file, font_file, db_url, as_json):
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        result = export_meeting_sheet(
            session, batch.id, out_file, panel=panel_name, font_file=font_file, stage_id=stage_id(session, batch.id)
        )
        _record(session, "signin", batch.id, result)
    _report(result, as_json)


@export_group.command("fees", help=_("Write the review fee receipt (专家评审费签领表) of a panel as PDF."))
@batch_option
@stage_option
@panel_option
@out_file_option(_("PDF file to write."))
@click.option("--amount", metavar="YUAN", help=_("Fee per expert in yuan (default: the batch's setting)."))
@font_option
@db_option
@json_option
def fees_command(batch_name, panel_name, out_file, amount, font_file, db_url, as_json):
    fee = parse_fee(amount) if amount is not None else None
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        result = export_meeting_sheet(
            session, batch.id, out_file, panel=panel_name, fees=True, fee=fee, font_file=font_file,
            stage_id=stage_id(session, batch.id),
        )  # fmt: skip
        _record(session, "fees", batch.id, result)
    _report(result, as_json)


def _setting_options(command):
    for name in reversed(list(FIELDS)):
        label, kind = FIELDS[name]
        flag = "--" + name.replace("_", "-")
        if kind == "bool":
            command = click.option(f"{flag}/--no-{name.replace('_', '-')}", name, default=None, help=_(label))(command)
        else:
            command = click.option(flag, name, metavar=kind.upper(), help=_(label))(command)
    return command


@export_group.command(
    "notice-settings",
    help=_(
        "Show or change what the batch's notice and letters say: the notice period, how to object, the contact, "
        "the date of issue, the re-review period, the meeting and the review fee. Dates as YYYY-MM-DD."
    ),
)
@batch_option
@_setting_options
@db_option
@json_option
def notice_settings_command(batch_name, db_url, as_json, **values):
    changes = {k: v for k, v in values.items() if v is not None}
    with open_db(db_url).session() as session:
        batch = find_batch(session, batch_name)
        if changes:
            set_notice_settings(session, batch.id, changes, actor=actor())
        current = notice_settings(session, batch.id)
    if as_json:
        emit_json(current.as_json())
        return
    for name, value in current.as_json().items():
        click.echo(f"{_(FIELDS[name][0])}: {'' if value is None else value}")


@export_group.group("templates", help=_("The bureau's own Word templates, in place of the built-in ones."))
def templates_group() -> None:
    pass


document_option = click.option(
    "--document",
    "code",
    required=True,
    type=click.Choice(list(templates.DOCUMENTS)),
    help=_("publicity, notices, leader_draft or panel_sheet."),
)


@templates_group.command("list", help=_("List the Word documents and which template each uses."))
@db_option
@json_option
def templates_list(db_url, as_json):
    with open_db(db_url).session() as session:
        found = templates.list_templates(session)
    if as_json:
        emit_json([t.as_json() for t in found])
        return
    for t in found:
        where = t.filename if t.installed else _("built-in")
        click.echo(f"{t.code:<13} {t.name}: {where}")


@templates_group.command("write", help=_("Write the template in use for a document, to edit in Word."))
@document_option
@out_file_option(_("Word file to write (.docx)."))
@db_option
def templates_write(code, out_file, db_url):
    _require_suffix(out_file, (".docx",))
    with open_db(db_url).session() as session:
        click.echo(str(templates.write_template(session, code, out_file)))


@templates_group.command("install", help=_("Use your own .docx for a document; it is checked before it is stored."))
@document_option
@click.argument("template_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def templates_install(code, template_file, db_url):
    with open_db(db_url).session() as session:
        click.echo(templates.install_template(session, code, template_file, actor=actor()).message)


@templates_group.command("remove", help=_("Go back to the built-in template of a document."))
@document_option
@db_option
def templates_remove(code, db_url):
    with open_db(db_url).session() as session:
        click.echo(templates.remove_template(session, code, actor=actor()).message)


def _require_suffix(path: Path, allowed: tuple[str, ...]) -> str:
    suffix = path.suffix.lower()
    if suffix not in allowed:
        raise UserError(
            _("{file}: the file name must end in {allowed}.").format(file=path, allowed=" / ".join(allowed))
        )
    return suffix
