"""Offline scoring workbooks (远程/离线评审): one .xlsx per expert.

Export
    Each workbook holds only its expert's assigned applications: a sheet
    of summaries and abstracts, the rubric with its bands and descriptors,
    and a scoring sheet per rubric version with one row per application.
    Only the input cells (veto answers, points, comments, overall opinion,
    written opinion) are unlocked, each with data validation; every other
    cell is locked by sheet protection. The expert's own earlier entries are
    filled in; nobody else's name or score appears.

    A very hidden sheet holds the *key*: the batch, panel, expert, rubric
    versions (with their content hashes), where every input cell is, and a
    short hash of every locked cell as exported. The key is signed with
    HMAC-SHA256 under a secret kept in this database, so an altered key, or
    a workbook from another database, is recognised.

Import
    Everything is checked before anything is written: the file type, the
    key's signature, batch / panel / expert (and, when the caller says which
    it expects, that it is that one), the rubric versions, the locked cells
    (cell by cell against the key), that the expert is still assigned, and
    every typed value (points within 0–max and the step, the comments the
    rubric requires, veto answers, opinions). A file with any error writes
    nothing and its report names the file, sheet, cell and criterion.

    Complete rows are saved as submitted sheets, partly filled rows as
    drafts (with what is missing), blank rows are skipped. A row identical
    to the stored sheet changes nothing, so re-importing the same workbook
    is a no-op; a newer version updates the sheets, and ``dry_run`` (the
    GUI's preview) lists the changes field by field before they are written.
    Folders are imported file by file with a per-file report; each file is
    written in its own savepoint.

Sheets from workbooks and sheets typed from paper both go through
``services.scoresheets.save_sheet``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, MemberStatus, Opinion, SheetSource, SheetStatus
from reviewtool.core.errors import UserError
from reviewtool.core.rubric import RubricSpec
from reviewtool.core.scoring import SheetInput, check_points, comment_reason, evaluate_sheet
from reviewtool.core.xlsx_table import TableError, sniff
from reviewtool.i18n import _
from reviewtool.services import audit, panels, scoresheets
from reviewtool.services.changes import Changes
from reviewtool.services.exports.xlsx import (
    add_sheet,
    new_workbook,
    save_workbook,
    sheet_title,
    write_cell,
)
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.services.rubrics import select_rubric_version, spec_of_version
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
    Setting,
    Unit,
)

FORMAT = 1
KEY_SHEET = "_key"
KEY_MARK = "reviewtool-scoring-workbook"
SECRET_SETTING = "workbooks.hmac_secret"
HEADER_ROW = 3
FIRST_ROW = HEADER_ROW + 1
CHUNK = 30000  # characters per key cell (Excel allows 32,767)
INPUT_FILL = PatternFill("solid", fgColor="FFF9DB")
HEADER_FILL = PatternFill("solid", fgColor="E8ECF2")
YES, NO = "是", "否"


class WorkbookError(UserError):
    """A workbook that cannot be imported; the message names file and cell."""


# --------------------------------------------------------------------------- the key


def _secret(session: Session, *, create: bool, actor: str = "") -> bytes:
    row = session.get(Setting, SECRET_SETTING)
    if row is None:
        if not create:
            raise WorkbookError(_("No scoring workbooks were exported from this database yet."))
        row = Setting(key=SECRET_SETTING, value=secrets.token_hex(32))
        session.add(row)
        audit.record(
            session, actor=actor, action="workbooks.secret", entity_type="setting",
            summary=_("Created the signing key for scoring workbooks"),
        )  # fmt: skip
        session.flush()
    return bytes.fromhex(row.value)


def _canonical(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _sign(secret: bytes, payload: dict) -> str:
    return hmac.new(secret, _canonical(payload), hashlib.sha256).hexdigest()


def _norm(value: Any) -> str | None:
    """A cell value as stable text, whichever type openpyxl gives back."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value)).normalize()
        return format(number, "f")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _cell_hash(sheet: str, coord: str, value: str) -> str:
    return hashlib.sha256(f"{sheet}|{coord}|{value}".encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- export


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


def _opinion_labels() -> list[str]:
    return [o.label() for o in Opinion]


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
    cell = write_cell(ws, row, column, value)
    cell.style = INPUT_STYLE
    return cell


def _header(ws, row: int, column: int, text: str, width: float | None = None):
    cell = write_cell(ws, row, column, text)
    cell.font = Font(bold=True)
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    if width is not None:
        ws.column_dimensions[get_column_letter(column)].width = width
    return cell


def _export_one(
    session: Session, panel: Panel, batch: Batch, expert: Expert, application_ids: list[int], out_dir: Path,
    secret: bytes, actor: str,
) -> ExportedWorkbook:  # fmt: skip
    apps = {
        a.id: a
        for a in session.scalars(
            select(Application).where(Application.id.in_(application_ids)).order_by(Application.number)
        )
    }
    ordered = sorted(apps.values(), key=lambda a: a.number)
    # Each application's rubric version: its existing sheet's, else the batch rule's.
    versions: dict[int, RubricVersion] = {}
    for app in ordered:
        sheet = scoresheets.find_sheet(session, app.id, expert.id)
        versions[app.id] = sheet.rubric_version if sheet is not None else select_rubric_version(session, app.id)
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
    ]
    for i, text in enumerate(lines, start=1):
        cell = write_cell(guide, i, 1, text)
        if i == 1:
            cell.font = Font(bold=True, size=14)
    guide.column_dimensions["A"].width = 100

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

    sheets_meta: list[dict] = []
    for index, (version_id, version_apps) in enumerate(by_version.items(), start=1):
        version = session.get(RubricVersion, version_id)
        spec = spec_of_version(version)
        suffix = "" if len(by_version) == 1 else str(index)
        rubric_ws = add_sheet(wb, sheet_title(_("Rubric") + suffix, taken))
        taken.append(rubric_ws.title)
        _write_rubric(rubric_ws, spec, version)
        _input_style(wb)
        score_ws = add_sheet(wb, sheet_title(_("Scoring") + suffix, taken))
        taken.append(score_ws.title)
        meta = _write_scoring(session, score_ws, spec, version, version_apps, expert, batch)
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
                text = _norm(cell.value)
                if text is None or cell.coordinate in inputs.get(ws.title, ()):
                    continue
                found[cell.coordinate] = _cell_hash(ws.title, cell.coordinate, text)
        cells[ws.title] = found
    payload = {
        "format": FORMAT,
        "export_id": uuid.uuid4().hex,
        "exported_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "exported_by": actor,
        "batch": {"id": batch.id, "name": batch.name},
        "panel": {"id": panel.id, "name": panel.name},
        "expert": {"id": expert.id, "name": expert.name},
        "sheets": [{k: v for k, v in m.items() if k != "input_cells"} for m in sheets_meta],
        "sheet_titles": [ws.title for ws in wb.worksheets if ws.title != KEY_SHEET],
        "cells": cells,
    }
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    key_ws.cell(1, 1, KEY_MARK)
    key_ws.cell(2, 1, _sign(secret, payload))
    for i in range(0, len(text), CHUNK):
        key_ws.cell(3 + i // CHUNK, 1, text[i : i + CHUNK])
    wb.active = 0
    name = _safe_filename(f"{batch.name}_{panel.name}_{expert.name}_{expert.id}") + ".xlsx"
    path = save_workbook(wb, out_dir / name)
    return ExportedWorkbook(expert.id, expert.name, path, len(ordered))


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
    batch: Batch,
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
        opinions = DataValidation(type="list", formula1='"' + ",".join(_opinion_labels()) + '"', allow_blank=True,
                                  showErrorMessage=True, errorTitle=_("Overall opinion"),
                                  error=_("Choose one of the listed opinions."))  # fmt: skip
        ws.add_data_validation(yes_no)
        ws.add_data_validation(opinions)
        for letter, what in columns.items():
            area = f"{letter}{FIRST_ROW}:{letter}{last_row}"
            if what.startswith("veto:"):
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
    inputs: list[str] = []
    for row, app in enumerate(apps, start=FIRST_ROW):
        rows[str(row)] = app.id
        write_cell(ws, row, 1, app.number)
        write_cell(ws, row, 2, app.title).alignment = Alignment(wrap_text=True, vertical="top")
        existing = scoresheets.find_sheet(session, app.id, expert.id, version.id)
        data = scoresheets.get_sheet(session, existing.id).data if existing is not None else SheetInput()
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
    return {
        "title": ws.title,
        "rubric_version_id": version.id,
        "rubric_hash": version.content_hash,
        "rubric": f"{spec.code} v{version.number}",
        "rows": rows,
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
    panel = panels.get_panel(session, panel_id)
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
    secret = _secret(session, create=True, actor=actor)
    out: list[ExportedWorkbook] = []
    for done, expert_id in enumerate(sorted(members), start=1):
        cancel.check()
        expert = session.get(Expert, expert_id)
        progress.update(done - 1, len(members), expert.name)
        out.append(_export_one(session, panel, batch, expert, assigned[expert_id], out_dir, secret, actor))
    audit.record(
        session, actor=actor, action="workbooks.export", entity_type="panel", entity_id=panel.id, batch_id=batch.id,
        summary=_("Exported {count} scoring workbooks for panel {name}").format(count=len(out), name=panel.name),
        details={"files": [w.path.name for w in out], "experts": [w.expert_id for w in out]},
    )  # fmt: skip
    progress.update(len(members), len(members), "")
    return out


# --------------------------------------------------------------------------- import


@dataclass
class RowReport:
    application_id: int
    number: str
    action: str  # new / update / unchanged / blank
    submit: bool = False
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # what keeps a draft from being complete
    sheet_id: int | None = None

    def as_json(self) -> dict:
        return {
            "application_id": self.application_id,
            "number": self.number,
            "action": self.action,
            "submitted": self.submit,
            "changes": {k: [_jsonable(a), _jsonable(b)] for k, (a, b) in self.changes.items()},
            "missing": self.missing,
            "sheet_id": self.sheet_id,
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Opinion):
        return value.value
    return value


@dataclass
class FileReport:
    path: Path
    ok: bool = False
    errors: list[str] = field(default_factory=list)
    batch: str = ""
    panel: str = ""
    expert: str = ""
    expert_id: int | None = None
    rows: list[RowReport] = field(default_factory=list)
    written: bool = False

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def changed(self) -> bool:
        return any(r.action in ("new", "update") for r in self.rows)

    def as_json(self) -> dict:
        return {
            "file": str(self.path),
            "ok": self.ok,
            "errors": self.errors,
            "batch": self.batch,
            "panel": self.panel,
            "expert": self.expert,
            "written": self.written,
            "new": self.count("new"),
            "updated": self.count("update"),
            "unchanged": self.count("unchanged"),
            "blank": self.count("blank"),
            "rows": [r.as_json() for r in self.rows],
        }


@dataclass
class ImportReport:
    files: list[FileReport]
    dry_run: bool
    changes: Changes = field(default_factory=Changes)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    def as_json(self) -> dict:
        return {"dry_run": self.dry_run, "ok": self.ok, "files": [f.as_json() for f in self.files]}


@dataclass
class _ParsedRow:
    application_id: int
    number: str
    rubric_version_id: int
    data: SheetInput
    blank: bool
    complete: bool
    missing: list[str]


def _read_key(wb, name: str) -> tuple[dict, str]:
    if KEY_SHEET not in wb.sheetnames:
        raise WorkbookError(_("{file}: is not a scoring workbook exported by this program (no key).").format(file=name))
    ws = wb[KEY_SHEET]
    if ws.cell(1, 1).value != KEY_MARK:
        raise WorkbookError(_("{file}: the workbook's key has been altered.").format(file=name))
    signature = str(ws.cell(2, 1).value or "")
    chunks = []
    row = 3
    while ws.cell(row, 1).value not in (None, ""):
        chunks.append(str(ws.cell(row, 1).value))
        row += 1
    try:
        payload = json.loads("".join(chunks))
    except ValueError:
        raise WorkbookError(_("{file}: the workbook's key has been altered.").format(file=name)) from None
    return payload, signature


def _read_input(ws, coord: str) -> Any:
    value = ws[coord].value
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _parse_file(
    session: Session,
    path: Path,
    *,
    expect_batch_id: int | None,
    expect_panel_id: int | None,
    expect_expert_id: int | None,
    report: FileReport,
) -> list[_ParsedRow]:
    name = path.name
    try:
        kind = sniff(path)
    except TableError as exc:
        raise WorkbookError(str(exc)) from None
    if kind != "xlsx":
        raise WorkbookError(_("{file}: is not an .xlsx workbook.").format(file=name))
    try:
        wb = load_workbook(path, data_only=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        raise WorkbookError(_("{file}: cannot be read as a workbook ({error}).").format(file=name, error=exc)) from None
    payload, signature = _read_key(wb, name)
    secret = _secret(session, create=False)
    if not hmac.compare_digest(_sign(secret, payload), signature):
        raise WorkbookError(
            _("{file}: the workbook's key has been altered, or the workbook comes from another database.").format(
                file=name
            )
        )
    if payload.get("format") != FORMAT:
        raise WorkbookError(
            _("{file}: workbook format {found} is not supported.").format(file=name, found=payload.get("format"))
        )
    batch = session.get(Batch, payload["batch"]["id"])
    panel = session.get(Panel, payload["panel"]["id"])
    expert = session.get(Expert, payload["expert"]["id"])
    report.batch, report.panel, report.expert = (
        payload["batch"]["name"],
        payload["panel"]["name"],
        payload["expert"]["name"],
    )
    report.expert_id = payload["expert"]["id"]
    if batch is None or panel is None or expert is None or panel.batch_id != batch.id:
        raise WorkbookError(_("{file}: its batch, panel or expert no longer exists.").format(file=name))
    if expect_batch_id is not None and batch.id != expect_batch_id:
        expected = session.get(Batch, expect_batch_id)
        raise WorkbookError(
            _("{file}: is for batch {found}, not {expected}.").format(
                file=name, found=batch.name, expected=expected.name if expected else expect_batch_id
            )
        )
    if expect_panel_id is not None and panel.id != expect_panel_id:
        raise WorkbookError(_("{file}: is for panel {found}, not this panel.").format(file=name, found=panel.name))
    if expect_expert_id is not None and expert.id != expect_expert_id:
        expected = session.get(Expert, expect_expert_id)
        raise WorkbookError(
            _("{file}: is the workbook of {found}, not of {expected}.").format(
                file=name, found=expert.name, expected=expected.name if expected else expect_expert_id
            )
        )
    # Sheets present, locked cells untouched.
    titles = payload["sheet_titles"]
    missing_sheets = [t for t in titles if t not in wb.sheetnames]
    if missing_sheets:
        raise WorkbookError(
            _("{file}: the sheet “{sheet}” was renamed or deleted.").format(file=name, sheet=missing_sheets[0])
        )
    inputs = {s["title"]: {f"{letter}{row}" for letter in s["columns"] for row in s["rows"]} for s in payload["sheets"]}
    edited: list[str] = []
    for title in titles:
        ws = wb[title]
        expected = payload["cells"].get(title, {})
        seen = set()
        for row in ws.iter_rows():
            for cell in row:
                if cell.coordinate in inputs.get(title, ()):
                    continue
                text = _norm(cell.value)
                if text is None:
                    continue
                seen.add(cell.coordinate)
                if expected.get(cell.coordinate) != _cell_hash(title, cell.coordinate, text):
                    edited.append(f"{title}!{cell.coordinate}")
        edited += [f"{title}!{coord}" for coord in expected if coord not in seen]
    if edited:
        raise WorkbookError(
            _("{file}: locked cells were changed ({cells}); only the yellow input cells may be edited.").format(
                file=name, cells=", ".join(sorted(edited)[:5]) + (" …" if len(edited) > 5 else "")
            )
        )
    extra = [t for t in wb.sheetnames if t not in titles and t != KEY_SHEET]
    if extra:
        raise WorkbookError(_("{file}: has a sheet “{sheet}” that was not exported.").format(file=name, sheet=extra[0]))

    active_pairs = {
        a for (a,) in session.execute(
            select(Assignment.application_id).where(
                Assignment.panel_id == panel.id, Assignment.expert_id == expert.id,
                Assignment.status == AssignmentStatus.ACTIVE,
            )
        )
    }  # fmt: skip
    errors: list[str] = []
    parsed: list[_ParsedRow] = []
    for sheet_meta in payload["sheets"]:
        version = session.get(RubricVersion, sheet_meta["rubric_version_id"])
        if version is None or version.content_hash != sheet_meta["rubric_hash"]:
            raise WorkbookError(
                _("{file}: the rubric {rubric} changed after the workbook was exported; export a new workbook.").format(
                    file=name, rubric=sheet_meta["rubric"]
                )
            )
        spec = spec_of_version(version)
        ws = wb[sheet_meta["title"]]
        for row_text, app_id in sorted(sheet_meta["rows"].items(), key=lambda kv: int(kv[0])):
            row = int(row_text)
            number = str(ws.cell(row, 1).value)
            where = _("{file}, sheet {sheet}, row {row} ({number})").format(
                file=name, sheet=ws.title, row=row, number=number
            )
            data = SheetInput()
            any_value = False
            row_errors: list[str] = []
            for letter, what in sheet_meta["columns"].items():
                kind, _sep, key = what.partition(":")
                value = _read_input(ws, f"{letter}{row}")
                if value is not None:
                    any_value = True
                cell_ref = f"{letter}{row}"
                if kind == "veto":
                    if value is None:
                        data.vetoes[key] = None
                    elif str(value) in (YES, "Y", "y", "yes", "Yes", "TRUE", "True"):
                        data.vetoes[key] = True
                    elif str(value) in (NO, "N", "n", "no", "No", "FALSE", "False"):
                        data.vetoes[key] = False
                    else:
                        row_errors.append(_("{where}, cell {cell}: veto {key} must be 是 or 否, not “{value}”.").format(
                            where=where, cell=cell_ref, key=key, value=value))  # fmt: skip
                elif kind == "points":
                    try:
                        data.points[key] = check_points(spec.criterion(key), value, spec.step)
                    except UserError as exc:
                        row_errors.append(
                            _("{where}, cell {cell}: {error}").format(where=where, cell=cell_ref, error=exc)
                        )
                elif kind == "comment":
                    data.comments[key] = "" if value is None else str(value)
                elif kind == "opinion":
                    if value is not None:
                        try:
                            data.opinion = Opinion.from_label(str(value))
                        except ValueError:
                            row_errors.append(_("{where}, cell {cell}: “{value}” is not an overall opinion ({choices}).").format(
                                where=where, cell=cell_ref, value=value, choices=" / ".join(_opinion_labels())))  # fmt: skip
                elif kind == "written":
                    data.written_opinion = "" if value is None else str(value)
            if row_errors:
                errors += row_errors
                continue
            if not any_value:
                parsed.append(_ParsedRow(app_id, number, version.id, data, True, False, []))
                continue
            if app_id not in active_pairs:
                errors.append(
                    _(
                        "{where}: {expert} is no longer assigned to this application (removed or conflict declared)."
                    ).format(where=where, expert=expert.name)
                )
                continue
            # Required comments for the points entered are errors, not just a draft.
            for c in spec.criteria:
                points = data.points.get(c.key)
                reason = comment_reason(c, points) if points is not None else None
                if reason and not (data.comments.get(c.key) or "").strip():
                    errors.append(
                        _("{where}: {key} “{title}” — {reason}.").format(
                            where=where, key=c.key, title=c.title, reason=reason
                        )
                    )
            evaluation = evaluate_sheet(spec, data)
            parsed.append(
                _ParsedRow(
                    app_id,
                    number,
                    version.id,
                    data,
                    False,
                    evaluation.complete,
                    [p.message for p in evaluation.problems],
                )  # fmt: skip
            )
    if errors:
        raise WorkbookError("\n".join(errors))
    return parsed


def _flatten(data: SheetInput) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.vetoes.items():
        out[f"veto.{k}"] = v
    for k, v in data.points.items():
        out[f"points.{k}"] = v
    for k, v in data.comments.items():
        out[f"comment.{k}"] = v or ""
    out["opinion"] = data.opinion.value if data.opinion else None
    out["written_opinion"] = data.written_opinion or ""
    return out


def _row_hash(row: _ParsedRow) -> str:
    """The fingerprint of one imported row, kept on the sheet (``workbook_hash``)."""
    flat = {k: _jsonable(v) for k, v in _flatten(row.data).items()}
    return hashlib.sha256(_canonical({"row": flat, "app": row.application_id})).hexdigest()


def import_workbooks(
    session: Session,
    paths: Iterable[Path],
    *,
    actor: str,
    dry_run: bool = False,
    expect_batch_id: int | None = None,
    expect_panel_id: int | None = None,
    expect_expert_id: int | None = None,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
) -> ImportReport:
    """Import workbooks (files, or every .xlsx in folders), one report per file.

    With ``dry_run`` nothing is written and the report shows what would change."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files += sorted(
                x for x in p.iterdir() if x.suffix.lower() == ".xlsx" and not x.name.startswith(("~$", "."))
            )
        else:
            files.append(p)
    if not files:
        raise UserError(_("No .xlsx workbooks to import."))
    reports: list[FileReport] = []
    for done, path in enumerate(files):
        cancel.check()
        progress.update(done, len(files), path.name)
        report = FileReport(path)
        reports.append(report)
        try:
            rows = _parse_file(
                session, path, expect_batch_id=expect_batch_id, expect_panel_id=expect_panel_id,
                expect_expert_id=expect_expert_id, report=report,
            )  # fmt: skip
        except WorkbookError as exc:
            report.errors = str(exc).split("\n")
            continue
        try:
            _apply_rows(session, path, report, rows, actor=actor, dry_run=dry_run)
        except UserError as exc:
            report.errors = [f"{path.name}: {exc}"]
            report.rows = []
            continue
        report.ok = True
    progress.update(len(files), len(files), "")
    changed = any(r.written and r.changed for r in reports)
    return ImportReport(reports, dry_run, Changes(sheets=changed, applications=changed))


def _apply_rows(
    session: Session, path: Path, report: FileReport, rows: list[_ParsedRow], *, actor: str, dry_run: bool
) -> None:
    expert_id = report.expert_id
    out: list[RowReport] = []
    for row in rows:
        existing = scoresheets.find_sheet(session, row.application_id, expert_id, row.rubric_version_id)
        if row.blank:
            out.append(RowReport(row.application_id, row.number, "blank", sheet_id=existing.id if existing else None))
            continue
        if existing is not None and existing.locked:
            raise UserError(
                _(
                    "the sheet for {number} is locked (the panel is finalised); nothing from this file was imported."
                ).format(number=row.number)
            )
        if existing is not None and existing.status is SheetStatus.SUBMITTED and not row.complete:
            raise UserError(
                _("{number} is already submitted, and this workbook's row is incomplete: {missing}").format(
                    number=row.number, missing="; ".join(row.missing)
                )
            )
        new = _flatten(row.data)
        old = _flatten(scoresheets.get_sheet(session, existing.id).data) if existing is not None else {}
        changes = {
            k: (old.get(k), v)
            for k, v in new.items()
            if old.get(k) != v and not (old.get(k) in (None, "") and v in (None, ""))
        }
        will_submit = row.complete
        status_change = existing is not None and will_submit and existing.status is not SheetStatus.SUBMITTED
        if existing is not None and not changes and not status_change:
            out.append(RowReport(row.application_id, row.number, "unchanged", existing.status is SheetStatus.SUBMITTED,
                                 sheet_id=existing.id))  # fmt: skip
            continue
        action = "new" if existing is None else "update"
        out.append(RowReport(row.application_id, row.number, action, will_submit, changes, [] if row.complete else row.missing,
                             existing.id if existing else None))  # fmt: skip
    report.rows = out
    if dry_run or not any(r.action in ("new", "update") for r in out):
        return
    by_app = {r.application_id: r for r in rows}
    with session.begin_nested():
        panel_id = session.scalar(
            select(Assignment.panel_id).where(
                Assignment.expert_id == expert_id, Assignment.application_id.in_(list(by_app))
            )
        )
        for item in out:
            if item.action not in ("new", "update"):
                continue
            row = by_app[item.application_id]
            result = scoresheets.save_sheet(
                session, application_id=row.application_id, reviewer_id=expert_id, data=row.data, actor=actor,
                rubric_version_id=row.rubric_version_id, source=SheetSource.WORKBOOK, entered_by=actor,
                panel_id=panel_id, workbook_hash=_row_hash(row), submit=row.complete,
            )  # fmt: skip
            item.sheet_id = result.sheet_id
        audit.record(
            session, actor=actor, action="workbooks.import", entity_type="expert", entity_id=expert_id,
            summary=_("Imported workbook {file}: {new} new, {updated} updated").format(
                file=path.name, new=report.count("new"), updated=report.count("update")),
            details={"file": path.name, "rows": [r.as_json() for r in out if r.action in ("new", "update")]},
        )  # fmt: skip
    report.written = True


__all__ = [
    "ExportedWorkbook",
    "FileReport",
    "ImportReport",
    "RowReport",
    "WorkbookError",
    "export_workbooks",
    "import_workbooks",
]
