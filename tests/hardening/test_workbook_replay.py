"""Returned scoring workbooks that would silently revert what is stored
(issue 11): a replayed older workbook, and a workbook of a rubric version
the batch no longer uses."""

from __future__ import annotations

import shutil
from decimal import Decimal

from sqlalchemy import func, select

from reviewtool.cli.main import main
from reviewtool.core.enums import Opinion
from reviewtool.core.scoring.maths import SheetInput
from reviewtool.services.panels import workbook_import, workbook_rules
from reviewtool.services.scoring import sheet_edits
from reviewtool.services.scoring.rubric_batches import attach_rubric
from reviewtool.services.scoring.rubrics import install_shipped_rubrics
from reviewtool.storage.models import AuditEvent, Batch, ScoreSheet

from .workbooks import SCORES, export_again, export_panel, fill


def c1_values(db, expert_id):
    with db.session() as s:
        return {
            sheet.application_id: next(sc.points for sc in sheet.scores if sc.criterion_id == min(
                c.criterion_id for c in sheet.scores))  # C1 is the first criterion
            for sheet in s.scalars(select(ScoreSheet).where(ScoreSheet.reviewer_id == expert_id))
        }  # fmt: skip


def test_an_older_workbook_replayed_after_a_newer_one_is_refused_with_the_fields_it_would_revert(db, tmp_path):
    world, panel_id, first, _names = export_panel(db, tmp_path / "gen1")
    old_copy = tmp_path / "old.xlsx"
    fill(first[0].path, scores={**SCORES, "C1": 7})
    shutil.copyfile(first[0].path, old_copy)
    with db.session() as s:
        assert workbook_import.import_workbooks(s, [first[0].path], actor="clerk").ok
    second = export_again(db, panel_id, tmp_path / "gen2")
    fill(second[0].path, scores={**SCORES, "C1": 14})
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [second[0].path], actor="clerk")
        assert report.ok and report.files[0].count("update") == first[0].applications
    expert = first[0].expert_id
    assert set(c1_values(db, expert).values()) == {Decimal(14)}

    with db.session() as s:
        replay = workbook_import.import_workbooks(s, [old_copy], actor="clerk")
        preview = workbook_import.import_workbooks(s, [old_copy], actor="clerk", dry_run=True)
    for report in (replay, preview):
        f = report.files[0]
        assert not f.ok and not f.written and f.refused_older
        text = "\n".join(f.errors)
        assert "old.xlsx" in text and "points.C1 14 → 7" in text and "--accept-older" in text
        assert "第 4 行" in text  # the row, and with it the application number
    assert set(c1_values(db, expert).values()) == {Decimal(14)}  # nothing reverted

    # Applied only on explicit confirmation, the reverted rows marked as such.
    with db.session() as s:
        accepted = workbook_import.import_workbooks(s, [old_copy], actor="clerk", accept_older=True)
        f = accepted.files[0]
        assert f.ok and f.written and all(r.older for r in f.rows if r.action == "update")
        event = s.scalar(
            select(AuditEvent).where(AuditEvent.action == "workbooks.import").order_by(AuditEvent.id.desc())
        )
        assert event.details["accepted_older"] is True
    assert set(c1_values(db, expert).values()) == {Decimal(7)}


def test_a_corrected_copy_of_the_same_export_updates_but_not_after_an_edit_in_the_app(db, tmp_path):
    world, panel_id, files, _names = export_panel(db, tmp_path / "gen1")
    path = fill(files[0].path)
    with db.session() as s:
        assert workbook_import.import_workbooks(s, [path], actor="clerk").ok
    fill(path, scores={**SCORES, "C2": 14})  # the expert corrects the same workbook and sends it again
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        assert report.ok and report.files[0].count("update") == files[0].applications
        assert not any(r.older for r in report.files[0].rows)
        # The clerk then corrects one sheet on screen, after the workbook was exported.
        sheet = s.scalar(select(ScoreSheet).where(ScoreSheet.reviewer_id == files[0].expert_id).limit(1))
        data = SheetInput(
            points={"C3": Decimal(13)}, opinion=Opinion.RECOMMEND, written_opinion="立项依据充分，技术路线可行。"
        )
        sheet_edits.save_sheet(s, application_id=sheet.application_id, reviewer_id=sheet.reviewer_id, data=data,
                               actor="clerk")  # fmt: skip
    fill(path, scores={**SCORES, "C2": 13})
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        assert not report.ok
        assert "points.C3 13 → 12" in "\n".join(report.files[0].errors)
    # A workbook exported after the edit carries it, and updates normally.
    fresh = export_again(db, panel_id, tmp_path / "gen2")
    fill(fresh[0].path, scores={**SCORES, "C3": 13, "C2": 10})
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [fresh[0].path], actor="clerk")
        assert report.ok, report.files[0].errors


def test_cli_accept_older(db, tmp_path):
    world, panel_id, first, _names = export_panel(db, tmp_path / "gen1")
    old_copy = shutil.copyfile(fill(first[0].path, scores={**SCORES, "C1": 7}), tmp_path / "old.xlsx")
    url = db.url
    assert main(["workbooks", "import", str(first[0].path), "--db", url]) == 0
    second = export_again(db, panel_id, tmp_path / "gen2")
    assert main(["workbooks", "import", str(fill(second[0].path)), "--db", url]) == 0
    assert main(["workbooks", "import", str(old_copy), "--db", url]) == 1
    assert main(["workbooks", "import", str(old_copy), "--accept-older", "--db", url]) == 0


def _change_batch_rubric(db, batch_id):
    """The batch now scores every application with another rubric (a more specific rule)."""
    with db.session() as s:
        install_shipped_rubrics(s, actor="t")
        attach_rubric(s, batch_id, "haidong-ecology", actor="t", priority=10)


def test_a_workbook_of_an_old_rubric_version_is_refused_or_kept_as_the_batch_says(db, tmp_path):
    world, panel_id, files, _names = export_panel(db, tmp_path / "gen1")
    path = fill(files[0].path)
    _change_batch_rubric(db, world.batch_id)
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        f = report.files[0]
        assert not f.ok
        text = "\n".join(f.errors)
        assert "haidong-general v1" in text and "haidong-ecology v1" in text and path.name in text
        assert s.scalar(select(func.count(ScoreSheet.id))) == 0
        workbook_rules.set_old_rubric_rule(s, s.get(Batch, world.batch_id), "keep", actor="t")
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
        f = report.files[0]
        assert f.ok, f.errors
        assert {r.old_rubric for r in f.rows} == {"haidong-general v1"}
        versions = {sh.rubric_version.rubric.code for sh in s.scalars(select(ScoreSheet))}
        assert versions == {"haidong-general"}  # stored under the version the expert scored with


def test_old_rubric_rule_from_the_cli(db, tmp_path):
    world, panel_id, files, _names = export_panel(db, tmp_path / "gen1")
    path = fill(files[0].path)
    _change_batch_rubric(db, world.batch_id)
    assert main(["workbooks", "import", str(path), "--db", db.url]) == 1
    with db.session() as s:
        name = s.get(Batch, world.batch_id).name
    assert main(["workbooks", "settings", "--batch", name, "--old-rubric", "keep", "--db", db.url]) == 0
    assert main(["workbooks", "import", str(path), "--db", db.url]) == 0
