"""Exporting offline scoring workbooks: one .xlsx per expert.

Each workbook holds only its expert's assigned applications: a sheet of
summaries and abstracts, the rubric with its bands and descriptors, and a
scoring sheet per rubric version with one row per application. Only the
input cells (veto answers, points, comments, overall opinion, written
opinion) are unlocked, each with data validation; every other cell is locked
by sheet protection. The expert's own earlier entries are filled in; nobody
else's name or score appears. The signed key is ``workbook_key``; it also
holds each row's fingerprint as exported (``workbook_rules``: replays).
Every sheet prints on A4 (landscape when wide), one page wide, its header
row repeated and the page number in the footer; rows are as tall as their
wrapped text (``exports.xlsx.finish_sheet``).

**No workbook appears before the transaction commits.** The files are
written into a hidden folder beside their final place and moved to their
names only when the session's transaction commits (the signing key created
on the first export commits with it). A failed, cancelled or killed export
leaves no workbook whose key the database does not know — only, at worst,
the hidden folder, which every import skips.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, MemberStatus
from reviewtool.core.errors import UserError
from reviewtool.core.scoring.maths import SheetInput
from reviewtool.core.scoring.rubric import RubricSpec
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.documents.text import commitment_text
from reviewtool.services.exports.xlsx import (
    add_sheet,
    finish_sheet,
    fit_row_heights,
    new_workbook,
    page_setup,
    save_workbook,
    sheet_title,
    write_cell,
)
from reviewtool.services.panels.panel import get_panel
from reviewtool.services.panels.workbook_key import (
    CHUNK,
    FORMAT,
    KEY_MARK,
    KEY_SHEET,
    NO,
    YES,
    cell_hash,
    normalise_value,
    opinion_labels,
    sign_payload,
    workbook_secret,
)
from reviewtool.services.panels.workbook_rules import fingerprint
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.services.scoring import sheets
from reviewtool.services.scoring.rubric_batches import select_rubric_version
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.services.stages.visibility import earlier_sheets
from reviewtool.storage.models import (
    Application,
    ApplicationArea,
    Assignment,
    Batch,
    Expert,
    Panel,
    PanelMember,
    PriorityArea,
    RubricVersion,
    Stage,
    Unit,
)

HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
INPUT_FILL = PatternFill("solid", fgColor="FFF9DB")
HEADER_FILL = PatternFill("solid", fgColor="E8ECF2")


@dataclass(frozen=True)
class ExportedWorkbook:
    expert_id: int
    expert: str
    path: Path
    applications: int

    def as_json(self) -> dict:
        return {
            "expert_id": self.expert_id,
            "expert": self.expert,
            "path": str(self.path),
            "applications": self.applications,
        }


def _safe_filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_") or "workbook"


def _area_text(session: Session, application_id: int) -> str:
    rows = session.execute(
        select(PriorityArea.code, PriorityArea.title)
        .join(ApplicationArea, ApplicationArea.area_id == PriorityArea.id)
        .where(ApplicationArea.application_id == application_id)
        .order_by(ApplicationArea.role, PriorityArea.code)
    ).all()
    seen, out = set(), []
    for code, title in rows:
        if code not in seen:
            seen.add(code)
            out.append(f"{code} {title}")
    return "；".join(out)


def _points_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _band_text(spec: RubricSpec, key: str) -> str:
    c = spec.criterion(key)
    return "；".join(f"{b.label} {_points_text(b.low)}–{_points_text(b.high)}" for b in c.bands)


def _protect(ws) -> None:
    ws.protection.sheet = True
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False


INPUT_STYLE = "reviewtool-input"


def _input_style(wb) -> None:
    """One named style for every input cell (unlocked, yellow), registered once per workbook."""
    if INPUT_STYLE not in wb.named_styles:
        style = NamedStyle(name=INPUT_STYLE)
        style.protection = Protection(locked=False)
        style.fill = INPUT_FILL
        style.alignment = Alignment(wrap_text=True, vertical="top")
        wb.add_named_style(style)


def _input(ws, row: int, column: int, value: Any = None):
    # The style first: assigning a named style resets the cell's quote prefix,
    # which ``write_cell`` sets on a comment such as "=HYPERLINK(…)".
    ws.cell(row, column).style = INPUT_STYLE
    return write_cell(ws, row, column, value)


def _header(ws, row: int, column: int, text: str, width: float | None = None):
    cell = write_cell(ws, row, column, text)
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    if width is not None:
        ws.column_dimensions[get_column_letter(column)].width = width
    return cell


class _Publication:
    """Workbooks staged in a hidden folder of ``out_dir``, moved to their names
    when the session's outermost transaction commits, deleted if it does not."""

    def __init__(self, session: Session, out_dir: Path) -> None:
        self.staging = Path(tempfile.mkdtemp(prefix=".~reviewtool-workbooks-", dir=out_dir))
        self.out_dir = out_dir
        self.moves: list[tuple[Path, Path]] = []
        self.keep = False
        event.listen(session, "after_commit", self._committed)
        event.listen(session, "after_transaction_end", self._ended)

    def stage(self, name: str) -> tuple[Path, Path]:
        staged, final = self.staging / name, self.out_dir / name
        if final.is_dir() or (final.exists() and not os.access(final, os.W_OK)):
            raise UserError(_("Cannot write {file}: a folder or a read-only file has its name.").format(file=final))
        self.moves.append((staged, final))
        return staged, final

    def _committed(self, session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint, not the transaction
        moves, self.moves = self.moves, []
        stuck = []
        for staged, final in moves:
            try:
                os.replace(staged, final)
            except OSError:
                stuck.append(final.name)
        if stuck:
            self.keep = True  # the workbooks are valid (their key is committed): leave them where they are
            raise UserError(
                _(
                    "The export was saved, but {count} workbooks could not be moved into place: {files}. They are in {folder}."
                ).format(count=len(stuck), files="、".join(stuck), folder=self.staging)
            )

    def _ended(self, session: Session, transaction) -> None:
        if transaction.parent is None:
            self.moves = []  # committed (moved) or rolled back: nothing more to move
            if not self.keep:
                shutil.rmtree(self.staging, ignore_errors=True)


def _export_one(
    session: Session, panel: Panel, batch: Batch, expert: Expert, application_ids: list[int],
    publication: _Publication, secret: bytes, actor: str,
) -> ExportedWorkbook:  # fmt: skip
    apps = {
        a.id: a
        for a in session.scalars(
            select(Application).where(Application.id.in_(application_ids)).order_by(Application.number)
        )
    }
    ordered = sorted(apps.values(), key=lambda a: a.number)
    # Each application's rubric version: its existing sheet's (in the panel's stage), else the stage's rule's.
    stage = session.get(Stage, panel.stage_id)
    versions: dict[int, RubricVersion] = {}
    for app in ordered:
        sheet = sheets.find_sheet(session, app.id, expert.id, stage_id=stage.id)
        versions[app.id] = (
            sheet.rubric_version if sheet is not None else select_rubric_version(session, app.id, stage_id=stage.id)
        )
    by_version: dict[int, list[Application]] = {}
    for app in ordered:
        by_version.setdefault(versions[app.id].id, []).append(app)

    wb = new_workbook()
    taken: list[str] = []
    guide = add_sheet(wb, sheet_title("填表说明", taken))
    taken.append(guide.title)
    lines = [
        _("{batch} — offline scoring workbook").format(batch=batch.name),
        _("Expert: {name}").format(name=expert.name),
        _("Review stage: {stage}").format(stage=stage.name),
        _("Panel: {panel}").format(panel=panel.name),
        _("Due date: {date}").format(
            date=panel.due_date.isoformat() if panel.due_date else _("see the bureau's notice")
        ),
        "",
        _("1. Read the summaries on the sheet “Application summaries” and the rubric on the sheet “Rubric”."),
        _("2. Enter your scores on the sheet “Scoring”: only the yellow cells can be edited."),
        _("3. Points must lie between 0 and the criterion's maximum; where the rubric asks for a comment, write it."),
        _("4. Answer every veto question (是/否), choose an overall opinion and write your review opinion."),
        _("5. Save the file under any name and return it to the bureau; do not change other cells or sheets."),
        _("Keep the contents confidential (保密) and declare any conflict of interest (回避) to the bureau."),
        "",
        _("Expert's commitment and conflict declaration (评审专家承诺 / 回避声明)"),
        commitment_text(),
        _(
            "For each application answer 需回避 on the sheet “Scoring”: 否 when you have no conflict of interest, 是 when "
            "you have one — the bureau then records your withdrawal from that application and assigns another expert."
        ),
        _("Signature: ______________    Date: ____ year __ month __ day"),
    ]
    earlier = [
        f"{app.number}　{item.text()}" for app in ordered for item in earlier_sheets(session, stage, app.id, expert.id)
    ]
    if earlier:  # only when the batch lets experts see their own earlier-stage sheets
        lines += ["", _("Your own sheets of the earlier review stages:"), *earlier]
    for i, text in enumerate(lines, start=1):
        cell = write_cell(guide, i, 1, text)
        if i == 1:
            cell.font = Font(bold=True, size=14)
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide.column_dimensions["A"].width = 100
    finish_sheet(guide)

    summary = add_sheet(wb, sheet_title(_("Application summaries"), taken))
    taken.append(summary.title)
    heads = [(_("Number"), 16), (_("Project title"), 36), (_("Applicant unit"), 26), (_("Category"), 14),
             (_("Priority areas"), 30), (_("Requested (10k yuan)"), 12), (_("Summary and abstract"), 80)]  # fmt: skip
    for col, (text, width) in enumerate(heads, start=1):
        _header(summary, 1, col, text, width)
    for row, app in enumerate(ordered, start=2):
        unit = session.get(Unit, app.unit_id)
        values = [app.number, app.title, unit.name if unit else "", app.category or "", _area_text(session, app.id),
                  app.requested_amount, app.abstract or ""]  # fmt: skip
        for col, value in enumerate(values, start=1):
            cell = write_cell(summary, row, col, value, "#,##0.00" if col == 6 else None)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    summary.freeze_panes = "C2"
    finish_sheet(summary, title_rows="1:1")

    sheets_meta: list[dict] = []
    for index, (version_id, version_apps) in enumerate(by_version.items(), start=1):
        version = session.get(RubricVersion, version_id)
        spec = spec_of_version(version)
        suffix = "" if len(by_version) == 1 else str(index)
        rubric_ws = add_sheet(wb, sheet_title(_("Rubric") + suffix, taken))
        taken.append(rubric_ws.title)
        _write_rubric(rubric_ws, spec, version)
        finish_sheet(rubric_ws, title_rows="3:3")
        _input_style(wb)
        score_ws = add_sheet(wb, sheet_title(_("Scoring") + suffix, taken))
        taken.append(score_ws.title)
        meta = _write_scoring(session, score_ws, spec, version, version_apps, expert, batch, stage.id)
        sheets_meta.append(meta)

    for ws in wb.worksheets:
        _protect(ws)
    key_ws = wb.create_sheet(KEY_SHEET)
    key_ws.sheet_state = "veryHidden"
    _protect(key_ws)

    # Hash every locked cell as openpyxl will read it back.
    inputs = {m["title"]: set(m["input_cells"]) for m in sheets_meta}
    cells: dict[str, dict[str, str]] = {}
    for ws in wb.worksheets:
        if ws.title == KEY_SHEET:
            continue
        found: dict[str, str] = {}
        for row in ws.iter_rows():
            for cell in row:
                text = normalise_value(cell.value)
                if text is None or cell.coordinate in inputs.get(ws.title, ()):
                    continue
                found[cell.coordinate] = cell_hash(ws.title, cell.coordinate, text)
        cells[ws.title] = found
    payload = {
        "format": FORMAT,
        "export_id": uuid.uuid4().hex,
        "exported_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "exported_by": actor,
        "batch": {"id": batch.id, "name": batch.name},
        "panel": {"id": panel.id, "name": panel.name},
        "stage": {"id": stage.id, "name": stage.name},
        "expert": {"id": expert.id, "name": expert.name},
        "sheets": [{k: v for k, v in m.items() if k != "input_cells"} for m in sheets_meta],
        "sheet_titles": [ws.title for ws in wb.worksheets if ws.title != KEY_SHEET],
        "cells": cells,
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    key_ws.cell(1, 1, KEY_MARK)
    key_ws.cell(2, 1, sign_payload(secret, payload))
    for i in range(0, len(text), CHUNK):
        key_ws.cell(3 + i // CHUNK, 1, text[i : i + CHUNK])
    wb.active = 0
    name = _safe_filename(f"{batch.name}_{stage.name}_{panel.name}_{expert.name}_{expert.id}") + ".xlsx"
    staged, final = publication.stage(name)
    save_workbook(wb, staged)
    return ExportedWorkbook(expert.id, expert.name, final, len(ordered))


def _write_rubric(ws, spec: RubricSpec, version: RubricVersion) -> None:
    write_cell(ws, 1, 1, f"{spec.name}（v{version.number}）").font = Font(bold=True, size=13)
    heads = [(_("Criterion id"), 8), (_("Criterion title"), 26), (_("Max points"), 8), (_("Band"), 8), (_("Band range"), 10),
             (_("Descriptor"), 50), (_("Comment required"), 26)]  # fmt: skip
    for col, (text, width) in enumerate(heads, start=1):
        _header(ws, 3, col, text, width)
    row = 4
    for c in spec.criteria:
        rule = []
        r = c.comment_rule
        if r.always:
            rule.append(_("always"))
        if r.lowest_band:
            rule.append(_("in the lowest band"))
        if r.full_score:
            rule.append(_("for a full score"))
        if r.below is not None:
            rule.append(_("below {value}").format(value=_points_text(r.below)))
        if r.bands:
            rule.append(_("in bands {bands}").format(bands="、".join(r.bands)))
        bands = c.bands or ()
        first = row
        for b in bands or [None]:
            write_cell(ws, row, 1, c.key)
            write_cell(ws, row, 2, c.title)
            write_cell(ws, row, 3, _points_text(c.max_points))
            if b is not None:
                write_cell(ws, row, 4, b.label)
                write_cell(ws, row, 5, f"{_points_text(b.low)}–{_points_text(b.high)}")
                write_cell(ws, row, 6, b.descriptor)
            write_cell(ws, row, 7, "；".join(rule))
            for col in range(1, 8):
                ws.cell(row, col).alignment = Alignment(wrap_text=True, vertical="top")
            row += 1
        if c.description:
            write_cell(ws, row, 2, c.description).alignment = Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
            row += 1
        del first
    if spec.veto_items:
        row += 1
        _header(ws, row, 1, _("Veto"))
        _header(ws, row, 2, _("Question (answering 是 vetoes the application)"))
        row += 1
        for v in spec.veto_items:
            write_cell(ws, row, 1, v.key)
            write_cell(ws, row, 2, v.question).alignment = Alignment(wrap_text=True, vertical="top")
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=7)
            row += 1


def _write_scoring(
    session: Session, ws, spec: RubricSpec, version: RubricVersion, apps: list[Application], expert: Expert,
    batch: Batch, stage_id: int,
) -> dict:  # fmt: skip
    title = _("{batch} expert score sheet — {rubric}").format(batch=batch.name, rubric=spec.name)
    write_cell(ws, 1, 1, title).font = Font(bold=True, size=13)
    write_cell(ws, 2, 1, _("Only the yellow cells can be edited. Expert: {name}").format(name=expert.name))
    columns: dict[str, str] = {}
    col = 1
    _header(ws, HEADER_ROW, col, _("Number"), 16)
    col += 1
    _header(ws, HEADER_ROW, col, _("Project title"), 30)
    col += 1
    _header(ws, HEADER_ROW, col, _("Conflict: withdraw? (需回避 是/否)"), 10)
    columns[get_column_letter(col)] = "avoid"
    col += 1
    for v in spec.veto_items:
        _header(ws, HEADER_ROW, col, _("Veto {key} (是/否)").format(key=v.key), 9)
        columns[get_column_letter(col)] = f"veto:{v.key}"
        col += 1
    point_letters = []
    for c in spec.criteria:
        _header(ws, HEADER_ROW, col, _("{key} {title} (0–{max})").format(
            key=c.key, title=c.title, max=_points_text(c.max_points)), 12)  # fmt: skip
        columns[get_column_letter(col)] = f"points:{c.key}"
        point_letters.append(get_column_letter(col))
        col += 1
        _header(ws, HEADER_ROW, col, _("{key} comment").format(key=c.key), 18)
        columns[get_column_letter(col)] = f"comment:{c.key}"
        col += 1
    total_col = None
    if not spec.weighted:
        total_col = col
        _header(ws, HEADER_ROW, col, _("Total points"), 9)
        col += 1
    _header(ws, HEADER_ROW, col, _("Overall opinion"), 14)
    columns[get_column_letter(col)] = "opinion"
    col += 1
    _header(ws, HEADER_ROW, col, _("Review opinion (评审意见)"), 50)
    columns[get_column_letter(col)] = "written"
    last_row = FIRST_ROW + len(apps) - 1
    ws.row_dimensions[HEADER_ROW].height = 60
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)

    # Data validation: one rule per column over all application rows.
    if apps:
        yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True, showErrorMessage=True,
                                errorTitle=_("Veto question"), error=_("Answer 是 or 否."))  # fmt: skip
        opinions = DataValidation(type="list", formula1='"' + ",".join(opinion_labels()) + '"', allow_blank=True,
                                  showErrorMessage=True, errorTitle=_("Overall opinion"),
                                  error=_("Choose one of the listed opinions."))  # fmt: skip
        ws.add_data_validation(yes_no)
        ws.add_data_validation(opinions)
        for letter, what in columns.items():
            area = f"{letter}{FIRST_ROW}:{letter}{last_row}"
            if what.startswith("veto:") or what == "avoid":
                yes_no.add(area)
            elif what == "opinion":
                opinions.add(area)
            elif what.startswith("points:"):
                c = spec.criterion(what.split(":", 1)[1])
                whole = spec.step == spec.step.to_integral_value() and spec.step == 1
                dv = DataValidation(
                    type="whole" if whole else "decimal", operator="between", formula1="0",
                    formula2=_points_text(c.max_points), allow_blank=True, showErrorMessage=True,
                    showInputMessage=True, promptTitle=f"{c.key} {c.title}"[:32],
                    prompt=_band_text(spec, c.key)[:250], errorTitle=_("Points out of range"),
                    error=_("{key}: enter 0–{max} points ({bands}).").format(
                        key=c.key, max=_points_text(c.max_points), bands=_band_text(spec, c.key))[:250],
                )  # fmt: skip
                ws.add_data_validation(dv)
                dv.add(area)
            elif what.startswith("comment:") or what == "written":
                dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="4000", allow_blank=True)
                ws.add_data_validation(dv)
                dv.add(area)

    rows: dict[str, int] = {}
    base: dict[str, str] = {}
    inputs: list[str] = []
    for row, app in enumerate(apps, start=FIRST_ROW):
        rows[str(row)] = app.id
        write_cell(ws, row, 1, app.number)
        write_cell(ws, row, 2, app.title).alignment = Alignment(wrap_text=True, vertical="top")
        existing = sheets.find_sheet(session, app.id, expert.id, version.id, stage_id=stage_id)
        data = sheets.get_sheet(session, existing.id).data if existing is not None else SheetInput()
        base[str(row)] = fingerprint(data, app.id)
        for letter, what in columns.items():
            kind, _sep, key = what.partition(":")
            value: Any = None
            if kind == "veto":
                answer = data.vetoes.get(key)
                value = None if answer is None else (YES if answer else NO)
            elif kind == "points":
                points = data.points.get(key)
                value = (
                    None if points is None else (int(points) if points == points.to_integral_value() else float(points))
                )
            elif kind == "comment":
                value = data.comments.get(key) or None
            elif kind == "opinion":
                value = data.opinion.label() if data.opinion else None
            elif kind == "written":
                value = data.written_opinion or None
            cell = _input(ws, row, _column_index(letter), value)
            inputs.append(cell.coordinate)
        if total_col is not None:
            formula = "=SUM(" + ",".join(f"{letter}{row}" for letter in point_letters) + ")"
            ws.cell(row, total_col, formula)
    fit_row_heights(ws, HEADER_ROW)
    page_setup(ws, landscape=True, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")  # one page wide when printed
    return {
        "title": ws.title,
        "rubric_version_id": version.id,
        "rubric_hash": version.content_hash,
        "rubric": f"{spec.code} v{version.number}",
        "rows": rows,
        "base": base,
        "columns": columns,
        "input_cells": inputs,
    }


def _column_index(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter)


def export_workbooks(
    session: Session,
    panel_id: int,
    out_dir: Path,
    *,
    actor: str,
    expert_ids: Iterable[int] | None = None,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
) -> list[ExportedWorkbook]:
    """One workbook per active member with assignments (or the chosen members)."""
    panel = get_panel(session, panel_id)
    batch = session.get(Batch, panel.batch_id)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    members = list(
        session.scalars(
            select(PanelMember.expert_id).where(
                PanelMember.panel_id == panel.id, PanelMember.status == MemberStatus.ACTIVE
            )
        )
    )
    if expert_ids is not None:
        wanted = set(expert_ids)
        members = [m for m in members if m in wanted]
    assigned: dict[int, list[int]] = {}
    for app_id, expert_id in session.execute(
        select(Assignment.application_id, Assignment.expert_id).where(
            Assignment.panel_id == panel.id, Assignment.status == AssignmentStatus.ACTIVE
        )
    ):
        assigned.setdefault(expert_id, []).append(app_id)
    members = [m for m in members if assigned.get(m)]
    if not members:
        raise UserError(
            _("Panel {name} has no assigned reviewers; assign the applications first.").format(name=panel.name)
        )
    secret = workbook_secret(session, create=True, actor=actor)
    publication = _Publication(session, out_dir)
    out: list[ExportedWorkbook] = []
    for done, expert_id in enumerate(sorted(members), start=1):
        cancel.check()
        expert = session.get(Expert, expert_id)
        progress.update(done - 1, len(members), expert.name)
        out.append(_export_one(session, panel, batch, expert, assigned[expert_id], publication, secret, actor))
    audit.record(
        session, actor=actor, action="workbooks.export", entity_type="panel", entity_id=panel.id, batch_id=batch.id,
        summary=_("Exported {count} scoring workbooks for panel {name}").format(count=len(out), name=panel.name),
        details={"files": [w.path.name for w in out], "experts": [w.expert_id for w in out]},
    )  # fmt: skip
    progress.update(len(members), len(members), "")
    return out
