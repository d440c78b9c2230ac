"""Offline scoring workbooks: exported by the app, filled in by a script,
imported back — for 7 experts — and every way a returned workbook can be wrong."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from reviewtool.core.enums import SheetSource, SheetStatus
from reviewtool.services.panels import assignment, draw, finalise, panel, workbook_export, workbook_import, workbook_key
from reviewtool.services.panels.invitations import confirm_all
from reviewtool.storage.models import Assignment, AuditEvent, Expert, ScoreSheet

from .conftest import BATCH, attach_general_rubric, build_world

SCORES = {"C1": 12, "C2": 11, "C3": 12, "C4": 10, "C5": 8, "C6": 12, "C7": 8, "C8": 4}


@pytest.fixture
def exported(db, tmp_path):
    """A panel of 7 experts over 10 applications, 5 reviewers each, workbooks exported."""
    with db.session() as s:
        w = build_world(s, n_apps=10, n_experts=14)
        attach_general_rubric(s, w.batch_id)
        panel_id, _c = panel.create_panel(s, BATCH, "第一组", actor="t")
        draw.draw_panel(s, panel_id, 7, seed="wb", actor="t")
        confirm_all(s, panel_id, actor="t")  # the drawn experts accepted
        assignment.apply_assignment(s, panel_id, actor="t", per_application=5, max_load=8)
        files = workbook_export.export_workbooks(s, panel_id, tmp_path / "out", actor="clerk")
        names = {e.id: e.name for e in s.scalars(select(Expert))}
    return w, panel_id, files, names


def key_payload(path):
    wb = load_workbook(path)
    payload, _sig = workbook_key.read_key(wb, path.name)
    return payload


def fill(path, *, scores=SCORES, opinion="推荐", written="立项依据充分，技术路线可行。", rows=None, tweak=None):
    """What an expert does: type into the yellow cells of the scoring sheet, save."""
    payload = key_payload(path)
    wb = load_workbook(path)
    for meta in payload["sheets"]:
        ws = wb[meta["title"]]
        for row in meta["rows"]:
            if rows is not None and int(row) not in rows:
                continue
            for letter, what in meta["columns"].items():
                kind, _s, key = what.partition(":")
                cell = ws[f"{letter}{row}"]
                if kind == "veto":
                    cell.value = "否"
                elif kind == "points":
                    cell.value = scores[key]
                elif kind == "opinion":
                    cell.value = opinion
                elif kind == "written":
                    cell.value = written
            if tweak:
                tweak(ws, int(row), meta)
    wb.save(path)
    return path


def test_workbook_contents_only_own_applications_locked_and_validated(exported, db):
    w, panel_id, files, names = exported
    assert len(files) == 7
    with db.session() as s:
        for f in files:
            assigned = set(s.scalars(select(Assignment.application_id).where(Assignment.expert_id == f.expert_id)))
            payload = key_payload(f.path)
            assert {a for m in payload["sheets"] for a in m["rows"].values()} == assigned
            wb = load_workbook(f.path)
            text = " ".join(
                str(c.value) for ws in wb.worksheets if ws.title != "_key" for r in ws.iter_rows() for c in r if c.value
            )
            others = [n for i, n in names.items() if i != f.expert_id]
            assert not any(n in text for n in others), "another expert's name leaked"
            assert f.path.name.count(f.expert) == 1
            assert wb["_key"].sheet_state == "veryHidden"
            score = wb["评分"]
            assert score.protection.sheet
            assert score["A4"].protection.locked and not score["C4"].protection.locked
            kinds = {dv.type for dv in score.data_validations.dataValidation}
            assert {"list", "whole"} <= kinds
            assert "优" in " ".join(str(c.value) for r in wb["评分标准"].iter_rows() for c in r if c.value)
            assert "主要研究内容" in " ".join(str(c.value) for r in wb["项目概要"].iter_rows() for c in r if c.value)


def test_round_trip_for_seven_experts_then_duplicate_changes_nothing(exported, db):
    w, panel_id, files, names = exported
    for f in files:
        fill(f.path)
    folder = files[0].path.parent
    with db.session() as s:
        preview = workbook_import.import_workbooks(s, [folder], actor="clerk", dry_run=True)
        assert preview.ok and all(not f.written for f in preview.files)
        assert s.scalar(select(func.count(ScoreSheet.id))) == 0
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [folder], actor="clerk")
        assert report.ok, [f.errors for f in report.files]
        assert sum(f.count("new") for f in report.files) == 50
        sheets = s.scalars(select(ScoreSheet)).all()
        assert len(sheets) == 50
        assert all(sh.status is SheetStatus.SUBMITTED and sh.source is SheetSource.WORKBOOK for sh in sheets)
        assert {sh.total for sh in sheets} == {Decimal(sum(SCORES.values()))}
        events = s.scalar(select(func.count(AuditEvent.id)))
    with db.session() as s:
        again = workbook_import.import_workbooks(s, [folder], actor="clerk")
        assert again.ok
        assert all(f.count("unchanged") == len(f.rows) and not f.written for f in again.files)
        assert s.scalar(select(func.count(AuditEvent.id))) == events


def test_newer_version_shows_changes_then_updates(exported, db):
    w, panel_id, files, names = exported
    path = fill(files[0].path)
    with db.session() as s:
        workbook_import.import_workbooks(s, [path], actor="clerk")
    fill(path, scores={**SCORES, "C2": 14}, written="修改后：创新性突出。")
    with db.session() as s:
        preview = workbook_import.import_workbooks(s, [path], actor="clerk", dry_run=True)
        row = preview.files[0].rows[0]
        assert row.action == "update"
        assert row.changes["points.C2"] == (Decimal(11), Decimal(14))
        assert "written_opinion" in row.changes
        assert s.scalar(select(func.count(ScoreSheet.id)).where(ScoreSheet.total == Decimal(80))) == 0
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        assert report.files[0].count("update") == files[0].applications
        assert (
            s.scalar(select(func.count(ScoreSheet.id)).where(ScoreSheet.total == Decimal(80))) == files[0].applications
        )


def test_tampered_key_refused(exported, db):
    w, panel_id, files, names = exported
    path = fill(files[0].path)
    wb = load_workbook(path)
    ws = wb["_key"]
    other = files[1].expert_id
    ws["A3"].value = ws["A3"].value.replace(f'"expert": {{"id": {files[0].expert_id}', f'"expert": {{"id": {other}')
    wb.save(path)
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        assert not report.ok
        assert "密钥已被改动" in report.files[0].errors[0]
        assert s.scalar(select(func.count(ScoreSheet.id))) == 0


def test_edited_locked_cell_refused_with_its_address(exported, db):
    w, panel_id, files, names = exported

    def tweak(ws, row, meta):
        if row == 4:
            ws.cell(row, 2).value = "改过的项目名称"

    path = fill(files[0].path, tweak=tweak)
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        assert not report.ok
        assert "评分!B4" in report.files[0].errors[0]
        assert s.scalar(select(func.count(ScoreSheet.id))) == 0


def test_workbook_for_another_expert_or_batch_refused(exported, db):
    w, panel_id, files, names = exported
    path = fill(files[0].path)
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk", expect_expert_id=files[1].expert_id)
        assert not report.ok
        assert files[0].expert in report.files[0].errors[0] and files[1].expert in report.files[0].errors[0]
        report = workbook_import.import_workbooks(s, [path], actor="clerk", expect_batch_id=w.batch_id + 99)
        assert not report.ok
        assert s.scalar(select(func.count(ScoreSheet.id))) == 0


def test_out_of_band_score_and_missing_comment_name_the_cell(exported, db):
    w, panel_id, files, names = exported
    path = fill(files[0].path, scores={**SCORES, "C1": 16})
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        text = "\n".join(report.files[0].errors)
        assert not report.ok
        assert "C1" in text and "16" in text and "第 4 行" in text
        assert s.scalar(select(func.count(ScoreSheet.id))) == 0
    path = fill(files[0].path, scores={**SCORES, "C3": 2})  # lowest band of C3 needs a comment
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        assert not report.ok
        assert "C3" in "\n".join(report.files[0].errors)
        assert s.scalar(select(func.count(ScoreSheet.id))) == 0


def test_partial_workbook_saves_drafts_and_blank_rows_are_skipped(exported, db):
    w, panel_id, files, names = exported
    path = fill(files[0].path, rows={4}, written="")
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        f = report.files[0]
        assert f.ok and f.count("new") == 1 and f.count("blank") == files[0].applications - 1
        assert f.rows[0].missing
        sheet = s.scalar(select(ScoreSheet))
        assert sheet.status is SheetStatus.DRAFT


def test_one_bad_file_in_a_folder_does_not_stop_the_others(exported, db, tmp_path):
    w, panel_id, files, names = exported
    for f in files[:2]:
        fill(f.path)
    fill(files[2].path, scores={**SCORES, "C5": 11})
    (files[0].path.parent / "说明.xlsx").write_text("not a workbook", encoding="utf-8")
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [files[0].path.parent], actor="clerk")
    by_name = {f.path.name: f for f in report.files}
    assert by_name[files[0].path.name].written and by_name[files[1].path.name].written
    assert not by_name[files[2].path.name].ok
    assert not by_name["说明.xlsx"].ok and "说明.xlsx" in by_name["说明.xlsx"].errors[0]


def test_finalised_panel_refuses_workbook_changes(exported, db):
    w, panel_id, files, names = exported
    path = fill(files[0].path)
    with db.session() as s:
        workbook_import.import_workbooks(s, [path], actor="clerk")
        finalise.finalize_panel(s, panel_id, actor="t", allow_missing=True)
    fill(path, scores={**SCORES, "C2": 14})
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        assert not report.ok and "锁定" in report.files[0].errors[0]


def test_copy_of_workbook_from_other_database_refused(exported, db, sqlite_template, tmp_path):
    from reviewtool.storage.database import Database

    w, panel_id, files, names = exported
    path = fill(files[0].path)
    shutil.copyfile(sqlite_template, tmp_path / "other.sqlite3")
    other = Database(f"sqlite:///{(tmp_path / 'other.sqlite3').as_posix()}")
    with other.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
    other.dispose()
    assert not report.ok


def test_two_rubrics_in_one_workbook_round_trip(db, tmp_path):
    from reviewtool.services.scoring.rubric_batches import attach_rubric

    with db.session() as s:
        w = build_world(s, n_apps=8, n_experts=14)
        attach_general_rubric(s, w.batch_id)
        attach_rubric(s, w.batch_id, "haidong-ecology", actor="t", area_codes=["HD-I01"], priority=10)
        panel_id, _c = panel.create_panel(s, BATCH, "第一组", actor="t")
        draw.draw_panel(s, panel_id, 3, seed="two", actor="t")
        confirm_all(s, panel_id, actor="t")  # the drawn experts accepted
        assignment.apply_assignment(s, panel_id, actor="t", mode="whole")
        files = workbook_export.export_workbooks(s, panel_id, tmp_path / "out", actor="t")
    payload = key_payload(files[0].path)
    assert len(payload["sheets"]) == 2
    assert {m["rubric"].split()[0] for m in payload["sheets"]} == {"haidong-general", "haidong-ecology"}
    eco = next(m for m in payload["sheets"] if m["rubric"].startswith("haidong-ecology"))
    keys = [what.split(":", 1)[1] for what in eco["columns"].values() if what.startswith("points:")]
    with db.session() as s:
        from reviewtool.services.scoring.rubrics import get_version, spec_of_version

        spec = spec_of_version(get_version(s, "haidong-ecology"))
    middle = {c.key: int(c.bands[1].low) for c in spec.criteria}  # the second band needs no comment
    assert set(keys) == set(middle)

    def filled(path):
        payload = key_payload(path)
        book = load_workbook(path)
        for meta in payload["sheets"]:
            ws = book[meta["title"]]
            for row in meta["rows"]:
                for letter, what in meta["columns"].items():
                    kind, _s, key = what.partition(":")
                    cell = ws[f"{letter}{row}"]
                    if kind == "veto":
                        cell.value = "否"
                    elif kind == "points":
                        cell.value = middle[key] if meta["rubric"] == eco["rubric"] else SCORES[key]
                    elif kind == "opinion":
                        cell.value = "修改后推荐"
                    elif kind == "written":
                        cell.value = "建议完善考核指标。"
        book.save(path)

    filled(files[0].path)
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [files[0].path], actor="t")
        assert report.ok, report.files[0].errors
        assert report.files[0].count("new") == 8
        versions = set(s.scalars(select(ScoreSheet.rubric_version_id)))
        assert len(versions) == 2
