"""Folder imports and exports of scoring workbooks that fail part-way
(issue 11): one documented rule on both engines — each file all or nothing
and reported by name, the run one transaction that a cancel undoes whole —
and an export that writes no workbook before its transaction commits."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from reviewtool.core.enums import Opinion
from reviewtool.core.scoring.maths import SheetInput
from reviewtool.services.panels import workbook_export, workbook_import, workbook_key
from reviewtool.services.panels.invitations import confirm_all
from reviewtool.services.progress import Cancelled, CancelToken, Progress
from reviewtool.services.scoring import sheet_edits
from reviewtool.storage.models import ScoreSheet, Setting

from .workbooks import SCORES, export_panel, fill, input_cell


def sheet_count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(ScoreSheet.id)))


def test_cancel_after_the_first_file_writes_nothing_on_either_engine(any_db, tmp_path):
    world, panel_id, files, _names = export_panel(any_db, tmp_path / "out")
    for f in files:
        fill(f.path)
    cancel = CancelToken()

    def progress(done, total, name):
        if done == 1:  # while the second file is imported; the first is already in its savepoint
            cancel.cancel()

    with pytest.raises(Cancelled):
        with any_db.session() as s:
            workbook_import.import_workbooks(
                s, [tmp_path / "out"], actor="clerk", progress=Progress(progress), cancel=cancel
            )
    assert sheet_count(any_db) == 0


def test_a_refused_file_writes_nothing_and_the_others_are_kept_on_either_engine(any_db, tmp_path):
    world, panel_id, files, _names = export_panel(any_db, tmp_path / "out")
    fill(files[0].path)
    fill(files[1].path, scores={**SCORES, "C5": 11})  # out of range: refused
    fill(files[2].path)
    with any_db.session() as s:
        report = workbook_import.import_workbooks(s, [tmp_path / "out"], actor="clerk")
    by_name = {f.path.name: f for f in report.files}
    assert by_name[files[0].path.name].written and by_name[files[2].path.name].written
    assert not by_name[files[1].path.name].ok and files[1].path.name in by_name[files[1].path.name].errors[0]
    assert sheet_count(any_db) == files[0].applications + files[2].applications


def test_a_bug_met_on_one_file_is_reported_by_name_and_the_good_files_are_imported(any_db, tmp_path, monkeypatch):
    """Fault injection: an internal error while one file's sheets are being saved."""
    world, panel_id, files, _names = export_panel(any_db, tmp_path / "out")
    for f in files:
        fill(f.path)
    real_write = workbook_import.write_sheets

    def failing_write(session, items, *args, **kwargs):
        written = real_write(session, items, *args, **kwargs)
        if kwargs["expert_id"] == files[1].expert_id:
            raise ZeroDivisionError("a bug")  # after all of its sheets were written
        return written

    monkeypatch.setattr(workbook_import, "write_sheets", failing_write)
    with any_db.session() as s:
        report = workbook_import.import_workbooks(s, [tmp_path / "out"], actor="clerk")
    bad = next(f for f in report.files if f.path == files[1].path)
    assert not bad.ok and not bad.written and files[1].path.name in bad.errors[0]
    assert sum(f.written for f in report.files) == 2
    with any_db.session() as s:
        kept = set(s.scalars(select(ScoreSheet.reviewer_id)))
    assert kept == {files[0].expert_id, files[2].expert_id}  # none of the failing file's sheets


def test_the_cli_exits_1_and_keeps_the_good_files(db, tmp_path):
    from reviewtool.cli.main import main

    world, panel_id, files, _names = export_panel(db, tmp_path / "out")
    fill(files[0].path)
    fill(files[1].path, scores={**SCORES, "C1": "1e308"})
    assert main(["workbooks", "import", str(tmp_path / "out"), "--db", db.url]) == 1
    assert sheet_count(db) == files[0].applications


def test_an_export_that_fails_part_way_leaves_no_workbook_and_no_secret(any_db, tmp_path):
    from panels.conftest import BATCH, attach_general_rubric, build_world
    from reviewtool.services.panels import assignment, draw, panel

    with any_db.session() as s:
        world = build_world(s, n_apps=6, n_experts=12)
        attach_general_rubric(s, world.batch_id)
        panel_id, _c = panel.create_panel(s, BATCH, "第一组", actor="t")
        draw.draw_panel(s, panel_id, 3, seed="hard", actor="t")
        confirm_all(s, panel_id, actor="t")  # the drawn experts accepted
        assignment.apply_assignment(s, panel_id, actor="t", per_application=3, max_load=6)

    def crash(done, total, name):
        if done == 2:
            raise RuntimeError("disk full")  # the third workbook fails, two were already written

    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with any_db.session() as s:
            workbook_export.export_workbooks(s, panel_id, out, actor="clerk", progress=Progress(crash))
    assert list(out.iterdir()) == []  # no workbook, and no hidden staging folder left either
    with any_db.session() as s:
        assert s.get(Setting, workbook_key.SECRET_SETTING) is None
    # The next export works, and what it writes imports.
    with any_db.session() as s:
        files = workbook_export.export_workbooks(s, panel_id, out, actor="clerk")
    assert sorted(p.name for p in out.iterdir()) == sorted(f.path.name for f in files)
    with any_db.session() as s:
        assert workbook_import.import_workbooks(s, [fill(files[0].path)], actor="clerk").ok


def test_a_workbook_name_taken_by_a_folder_refuses_the_export_before_anything_is_written(db, tmp_path):
    world, panel_id, files, _names = export_panel(db, tmp_path / "first")
    out = tmp_path / "out"
    out.mkdir()
    (out / files[1].path.name).mkdir()  # the second expert's workbook cannot be written
    from reviewtool.core.errors import UserError

    with pytest.raises(UserError, match=files[1].path.name):
        with db.session() as s:
            workbook_export.export_workbooks(s, panel_id, out, actor="clerk")
    assert [p.name for p in out.iterdir()] == [files[1].path.name]


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x.example","点此")', "+1", "-2", "@SUM(A1)", "\t=1+1"])
def test_prefilled_comments_that_look_like_formulas_stay_text(db, tmp_path, text):
    from reviewtool.storage.models import Assignment

    from .workbooks import export_again, key_payload

    world, panel_id, files, _names = export_panel(db, tmp_path / "first")
    expert = files[0].expert_id
    with db.session() as s:
        app_id = s.scalar(select(Assignment.application_id).where(Assignment.expert_id == expert).limit(1))
        data = SheetInput(points={"C1": 10}, comments={"C1": text}, written_opinion=text, opinion=Opinion.RECOMMEND)
        sheet_edits.save_sheet(s, application_id=app_id, reviewer_id=expert, data=data, actor="clerk")
    path = next(f.path for f in export_again(db, panel_id, tmp_path / "second") if f.expert_id == expert)
    meta = key_payload(path)["sheets"][0]
    row = next(r for r, a in meta["rows"].items() if a == app_id)
    ws = load_workbook(path)[meta["title"]]
    for what in ("comment:C1", "written"):
        title, coord = input_cell(path, what, int(row))
        cell = ws[coord]
        assert cell.value == text and cell.data_type == "s", (what, cell.value)
        assert cell.quotePrefix, what  # shown literally by Excel, WPS and LibreOffice
        assert cell.protection.locked is False  # still an input cell


def test_a_workbook_that_cannot_be_moved_after_the_commit_is_kept_and_named(db, tmp_path, monkeypatch):
    """Fault injection: the rename into place fails for one file after the transaction committed."""
    import os as real_os

    from reviewtool.core.errors import UserError

    world, panel_id, first, _names = export_panel(db, tmp_path / "first")
    blocked = first[1].path.name
    real_replace = real_os.replace

    def replace(source, target):
        if str(target) == str(tmp_path / "out" / blocked):  # the final name, not the staged copy
            raise PermissionError(13, "Permission denied")
        return real_replace(source, target)

    monkeypatch.setattr(workbook_export.os, "replace", replace)
    out = tmp_path / "out"
    with pytest.raises(UserError, match=blocked):
        with db.session() as s:
            workbook_export.export_workbooks(s, panel_id, out, actor="clerk")
    names = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    assert names == {f.path.name for f in first} - {blocked}
    (staging,) = [p for p in out.iterdir() if p.name.startswith(".~reviewtool-workbooks-")]
    assert [p.name for p in staging.iterdir()] == [blocked]  # kept: its key is in the database
