"""Importing filled offline scoring workbooks.

Everything is checked before anything is written: the file type, the key's
signature, batch / panel / expert (and, when the caller says which it
expects, that it is that one), the rubric versions, the locked cells (cell
by cell against the key), that the expert is still assigned, and every typed
value (points within 0–max and the step, the comments the rubric requires,
veto answers, opinions). A file with any error writes nothing and its report
names the file, sheet, cell and criterion.

Complete rows are saved as submitted sheets, partly filled rows as drafts
(with what is missing), blank rows are skipped. A row identical to the
stored sheet changes nothing, so re-importing the same workbook is a no-op;
a newer version updates the sheets, and ``dry_run`` (the GUI's preview)
lists the changes field by field before they are written. Folders are
imported file by file with a per-file report; each file is written in its
own savepoint. Sheets from workbooks and sheets typed from paper both go
through ``services.scoring.sheet_edits.save_sheet``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, Opinion, SheetSource, SheetStatus
from reviewtool.core.errors import UserError
from reviewtool.core.scoring.maths import SheetInput, check_points, comment_reason, evaluate_sheet
from reviewtool.core.tables.sniff import sniff
from reviewtool.core.tables.types import TableError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.panels.workbook_key import (
    FORMAT,
    KEY_SHEET,
    NO,
    YES,
    WorkbookError,
    canonical_json,
    cell_hash,
    normalise_value,
    opinion_labels,
    read_key,
    sign_payload,
    workbook_secret,
)
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.services.scoring import sheet_edits, sheets
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.storage.models import Assignment, Batch, Expert, Panel, RubricVersion


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
    payload, signature = read_key(wb, name)
    secret = workbook_secret(session, create=False)
    if not hmac.compare_digest(sign_payload(secret, payload), signature):
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
                text = normalise_value(cell.value)
                if text is None:
                    continue
                seen.add(cell.coordinate)
                if expected.get(cell.coordinate) != cell_hash(title, cell.coordinate, text):
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
                                where=where, cell=cell_ref, value=value, choices=" / ".join(opinion_labels())))  # fmt: skip
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
    return hashlib.sha256(canonical_json({"row": flat, "app": row.application_id})).hexdigest()


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
        existing = sheets.find_sheet(session, row.application_id, expert_id, row.rubric_version_id)
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
        old = _flatten(sheets.get_sheet(session, existing.id).data) if existing is not None else {}
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
            result = sheet_edits.save_sheet(
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
