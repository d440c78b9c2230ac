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
lists the changes field by field before they are written. A row older than
the stored sheet (a replayed workbook) or a workbook of a rubric version the
batch no longer uses is judged by ``workbook_rules``.

**Folders: each file stands alone, the run is one transaction.** Files are
imported one by one, each in its own savepoint: a file that is refused, for
whatever reason (its content, or even a bug met while reading it), writes
nothing and is reported by name, and the good files are imported. The whole
run is one transaction on both engines (``storage.database`` makes SQLite's
savepoints nest in a real transaction): a cancel, a crash or a lost database
connection writes nothing at all, and no file's sheets are kept halfway.

**A file is saved as one batch** (``workbook_save``): its stored sheets are
read in one query, its new sheets, scores and veto answers inserted in one
statement each, each rubric version parsed once per run; sheets typed from
paper go through ``services.scoring.sheet_edits.save_sheet``, whose rules the
batch applies. Each application's panel result is recomputed once, after the
last file (``results.recompute_panel_results``), and the audit records of
the written files are appended after that: a run of 7 workbooks × 100
applications sends about 145 statements where it sent 27,000.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from reviewtool.core.enums import AssignmentStatus, Opinion, SheetStatus
from reviewtool.core.errors import UserError
from reviewtool.core.scoring.maths import SheetInput, check_points, comment_reason, evaluate_sheet
from reviewtool.i18n import _
from reviewtool.services.changes import Changes
from reviewtool.services.panels.conflicts import declare_conflict
from reviewtool.services.panels.workbook_key import (
    NO,
    YES,
    WorkbookError,
    opinion_labels,
)
from reviewtool.services.panels.workbook_rules import fingerprint, flatten, is_older, old_rubric_rule
from reviewtool.services.panels.workbook_save import FileSheets, SheetWrite, Specs, write_sheets
from reviewtool.services.panels.workbook_verify import open_verified
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, Cancelled, CancelToken, Progress
from reviewtool.services.scoring.results import may_recompute, recompute_panel_results
from reviewtool.services.scoring.sheets import sheet_input_of
from reviewtool.services.users.permissions import check_action
from reviewtool.storage import audit_chain
from reviewtool.storage.database import BUSY_MESSAGE, DatabaseBusy, is_busy_error
from reviewtool.storage.models import Assignment, RubricVersion, Stage


@dataclass
class RowReport:
    application_id: int
    number: str
    action: str  # new / update / unchanged / blank / conflict (需回避 declared)
    submit: bool = False
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)  # what keeps a draft from being complete
    sheet_id: int | None = None
    older: bool = False  # the stored sheet changed after this workbook was exported (a replay)
    old_rubric: str = ""  # scored under this rubric version, which the batch no longer uses

    def as_json(self) -> dict:
        return {
            "application_id": self.application_id,
            "number": self.number,
            "action": self.action,
            "submitted": self.submit,
            "changes": {k: [_jsonable(a), _jsonable(b)] for k, (a, b) in self.changes.items()},
            "missing": self.missing,
            "sheet_id": self.sheet_id,
            "older": self.older,
            "old_rubric": self.old_rubric,
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
    stage: str = ""
    panel_id: int | None = None
    stage_id: int | None = None
    written: bool = False
    refused_older: bool = False  # refused only as older than the stored sheets: importable with accept_older

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
            "stage": self.stage,
            "panel": self.panel,
            "expert": self.expert,
            "written": self.written,
            "refused_older": self.refused_older,
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
    where: str = ""  # file, sheet, row and number, for messages
    base: str | None = None  # the stored sheet's fingerprint when the workbook was exported
    export_id: str = ""
    old_rubric: str = ""
    avoid: bool = False  # 需回避 = 是: the expert declares a conflict instead of scoring


@dataclass
class _Run:
    """What one ``import_workbooks`` call keeps across its files."""

    specs: Specs = field(default_factory=Specs)  # each rubric version parsed once
    audit_rows: list[dict[str, Any]] = field(default_factory=list)  # written after the recompute
    recompute: dict[int, set[int]] = field(default_factory=dict)  # stage -> applications
    stored: FileSheets | None = None  # the file being imported: its stored sheets


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
    run: _Run,
) -> list[_ParsedRow]:
    name = path.name
    wb, payload, batch, panel, expert = open_verified(
        session, path, expect_batch_id=expect_batch_id, expect_panel_id=expect_panel_id,
        expect_expert_id=expect_expert_id,
    )  # fmt: skip
    report.batch, report.panel, report.expert = batch.name, panel.name, expert.name
    report.expert_id = expert.id
    report.panel_id, report.stage_id = panel.id, panel.stage_id
    report.stage = session.get(Stage, panel.stage_id).name

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
    keep_old_rubric = old_rubric_rule(batch) == "keep"
    app_ids = [a for meta in payload["sheets"] for a in meta["rows"].values()]
    run.stored = stored = FileSheets.load(session, panel.stage_id, expert.id, app_ids)
    current = stored.current_versions(session, batch.id, panel.stage_id, app_ids)
    for sheet_meta in payload["sheets"]:
        version = session.get(RubricVersion, sheet_meta["rubric_version_id"])
        if version is None or version.content_hash != sheet_meta["rubric_hash"]:
            raise WorkbookError(
                _("{file}: the rubric {rubric} changed after the workbook was exported; export a new workbook.").format(
                    file=name, rubric=sheet_meta["rubric"]
                )
            )
        spec = run.specs.of(version)
        ws = wb[sheet_meta["title"]]
        base = sheet_meta.get("base")  # absent in workbooks exported before replays were recognised
        for row_text, app_id in sorted(sheet_meta["rows"].items(), key=lambda kv: int(kv[0])):
            row = int(row_text)
            number = str(ws.cell(row, 1).value)
            where = _("{file}, sheet {sheet}, row {row} ({number})").format(
                file=name, sheet=ws.title, row=row, number=number
            )
            old_rubric = _old_rubric(current.get(app_id), version)
            if old_rubric and not keep_old_rubric:
                errors.append(
                    _(
                        "{where}: exported under rubric {rubric}, but the batch now scores this application with "
                        "{current}; export a new workbook (or let the batch keep such sheets under the old version)."
                    ).format(where=where, rubric=sheet_meta["rubric"], current=old_rubric)
                )
                continue
            data = SheetInput()
            any_value = False
            avoid = False
            row_errors: list[str] = []
            for letter, what in sheet_meta["columns"].items():
                kind, _sep, key = what.partition(":")
                value = _read_input(ws, f"{letter}{row}")
                if value is not None and kind != "avoid":
                    any_value = True
                cell_ref = f"{letter}{row}"
                if kind == "avoid":
                    avoid = value is not None and str(value) in (YES, "Y", "y", "yes", "Yes", "TRUE", "True")
                    if (
                        value is not None
                        and not avoid
                        and str(value) not in (NO, "N", "n", "no", "No", "FALSE", "False")
                    ):
                        row_errors.append(_("{where}, cell {cell}: 需回避 must be 是 or 否, not “{value}”.").format(
                            where=where, cell=cell_ref, value=value))  # fmt: skip
                elif kind == "veto":
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
            if avoid:  # a declared conflict: its scores, if any, are not imported
                parsed.append(_ParsedRow(app_id, number, version.id, data, True, False, [], where,
                                         avoid=app_id in active_pairs))  # fmt: skip
                continue
            if not any_value:
                parsed.append(_ParsedRow(app_id, number, version.id, data, True, False, [], where))
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
                    where,
                    base=base.get(row_text) if isinstance(base, dict) else None,
                    export_id=str(payload.get("export_id") or ""),
                    old_rubric=sheet_meta["rubric"] if old_rubric else "",
                )  # fmt: skip
            )
    if errors:
        raise WorkbookError("\n".join(errors))
    return parsed


def _old_rubric(current: RubricVersion | str | None, version: RubricVersion) -> str:
    """The rubric version the batch now scores this pair with (``FileSheets.current_versions``),
    when it is not ``version`` ('' when it is); or why no rubric applies."""
    if current is None:
        return ""
    if isinstance(current, str):
        return current
    if current.id == version.id:
        return ""
    return f"{current.rubric.code} v{current.number}"


def _flatten(data: SheetInput) -> dict[str, Any]:
    return flatten(data)


def import_workbooks(
    session: Session,
    paths: Iterable[Path],
    *,
    actor: str,
    dry_run: bool = False,
    expect_batch_id: int | None = None,
    expect_panel_id: int | None = None,
    expect_expert_id: int | None = None,
    accept_older: bool = False,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
    expect_stage_id: int | None = None,
) -> ImportReport:
    """Import workbooks (files, or every .xlsx in folders), one report per file.

    With ``dry_run`` nothing is written and the report shows what would change.
    A file with rows older than the stored sheets is refused, its report
    listing every field it would revert, unless ``accept_older`` (the user
    confirmed it). See the module's notes for what a failing file does."""
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
    run = _Run()
    for done, path in enumerate(files):
        cancel.check()
        progress.update(done, len(files), path.name)
        report = FileReport(path)
        reports.append(report)
        pending = None
        try:
            with session.begin_nested():  # this file's writes, undone alone if it fails
                rows = _parse_file(
                    session, path, expect_batch_id=expect_batch_id, expect_panel_id=expect_panel_id,
                    expect_expert_id=expect_expert_id, report=report, run=run,
                )  # fmt: skip
                if expect_stage_id is not None and report.stage_id != expect_stage_id:
                    raise WorkbookError(_("{file}: is for review stage {found}, not this stage.").format(
                        file=path.name, found=report.stage))  # fmt: skip
                pending = _apply_rows(
                    session, path, report, rows, run, actor=actor, dry_run=dry_run, accept_older=accept_older
                )
        except (Cancelled, DatabaseBusy):
            raise
        except OlderWorkbook as exc:
            _refused(report, str(exc).split("\n"))
            report.refused_older = True
            continue
        except WorkbookError as exc:
            _refused(report, str(exc).split("\n"))
            continue
        except UserError as exc:
            _refused(report, [f"{path.name}: {exc}"])
            continue
        except DBAPIError as exc:
            if is_busy_error(exc):
                raise DatabaseBusy(_(BUSY_MESSAGE)) from exc
            _refused(report, [_("{file}: the database refused its sheets ({error}); nothing from it was imported.").format(
                file=path.name, error=str(exc.orig or exc).splitlines()[0])])  # fmt: skip
            continue
        except Exception as exc:  # noqa: BLE001 - a bug met on one file must not stop the others
            _refused(report, [_("{file}: an internal error stopped this file ({error}); nothing from it was imported. "
                                "Please report it with the file.").format(file=path.name, error=repr(exc)[:200])])  # fmt: skip
            continue
        report.ok = True
        if pending is not None:  # the file's savepoint is released: keep what it leaves for the end
            audit_rows, stage_id, recompute = pending
            run.audit_rows += audit_rows
            run.recompute.setdefault(stage_id, set()).update(recompute)
    # Each application once, whatever its files. (An expert on PostgreSQL may not write results: as for
    # ``save_sheet``, staff recompute them, finding them stale.)
    if may_recompute(session):
        for stage_id, application_ids in run.recompute.items():
            recompute_panel_results(session, application_ids, stage_id=stage_id)
    audit_chain.append(session, run.audit_rows)  # last: the audit trail's lock is the last one taken
    cancel.check()  # a cancel during the last file still undoes the run
    progress.update(len(files), len(files), "")
    changed = any(r.written and r.changed for r in reports)
    return ImportReport(reports, dry_run, Changes(sheets=changed, applications=changed))


class OlderWorkbook(WorkbookError):
    """Every other check passed, but rows are older than the stored sheets (a replay)."""


def _refused(report: FileReport, errors: list[str]) -> None:
    report.ok, report.errors, report.rows, report.written = False, errors, [], False


def _change_text(changes: dict[str, tuple[Any, Any]]) -> str:
    return "；".join(f"{key} {_jsonable(old) if old not in (None, '') else '—'} → "
                    f"{_jsonable(new) if new not in (None, '') else '—'}" for key, (old, new) in changes.items())  # fmt: skip


def _apply_rows(
    session: Session, path: Path, report: FileReport, rows: list[_ParsedRow], run: _Run, *, actor: str,
    dry_run: bool, accept_older: bool = False,
) -> tuple[list[dict[str, Any]], int, set[int]] | None:  # fmt: skip
    """Compare the rows with the stored sheets and save them; returns the audit records and the
    applications to recompute, for the end of the run (``None`` when nothing is written)."""
    expert_id = report.expert_id
    stored = run.stored
    out: list[RowReport] = []
    older: list[str] = []
    for row in rows:
        existing = stored.by_version.get((row.application_id, row.rubric_version_id))
        if row.avoid:
            out.append(
                RowReport(row.application_id, row.number, "conflict", sheet_id=existing.id if existing else None)
            )
            continue
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
        stored_data = sheet_input_of(existing) if existing is not None else None
        old = _flatten(stored_data) if stored_data is not None else {}
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
        replay = (
            stored_data is not None
            and bool(changes)
            and is_older(
                stored_data, existing.workbook_hash, row.application_id, base=row.base, export_id=row.export_id
            )
        )
        if replay:
            older.append(_("{where}: this workbook was exported before the stored sheet last changed (a newer "
                           "workbook was imported, or the sheet was edited); importing it would revert {changes}.").format(
                where=row.where, changes=_change_text(changes)))  # fmt: skip
        out.append(RowReport(row.application_id, row.number, action, will_submit, changes, [] if row.complete else row.missing,
                             existing.id if existing else None, older=replay, old_rubric=row.old_rubric))  # fmt: skip
    if older and not accept_older:
        raise OlderWorkbook(
            "\n".join(older)
            + "\n"
            + _(
                "{file}: refused as an older workbook; nothing from it was imported. Import it again with "
                "--accept-older (in the window: confirm it) to revert these fields."
            ).format(file=path.name)
        )
    report.rows = out
    if dry_run or not any(r.action in ("new", "update", "conflict") for r in out):
        return None
    by_app = {r.application_id: r for r in rows}
    # The caller's savepoint holds this file's writes; the panel (and stage) are the workbook key's.
    panel_id = report.panel_id
    for item in out:
        if item.action == "conflict":
            declare_conflict(session, panel_id, item.application_id, expert_id,
                             _("Declared in the offline workbook {file} (需回避)").format(file=path.name), actor=actor)  # fmt: skip
    saving = [item for item in out if item.action in ("new", "update")]
    writes = [
        SheetWrite(row.application_id, row.rubric_version_id, row.data, row.complete,
                   fingerprint(row.data, row.application_id, row.export_id))
        for row in (by_app[item.application_id] for item in saving)
    ]  # fmt: skip
    written = write_sheets(
        session, writes, stored, run.specs, expert_id=expert_id, expert_name=report.expert, panel_id=panel_id,
        stage_id=report.stage_id, actor=actor,
    )  # fmt: skip
    for item, write in zip(saving, writes, strict=True):
        item.sheet_id = write.sheet_id
    check_action(session, "workbooks.import", "expert", expert_id)
    written.audit_rows.append(
        {"actor": actor, "action": "workbooks.import", "entity_type": "expert", "entity_id": expert_id,
         "summary": _("Imported workbook {file}: {new} new, {updated} updated").format(
             file=path.name, new=report.count("new"), updated=report.count("update")),
         "details": {"file": path.name, "accepted_older": any(r.older for r in out),
                     "rows": [r.as_json() for r in out if r.action in ("new", "update")]}}
    )  # fmt: skip
    report.written = True
    return written.audit_rows, report.stage_id, written.recompute
