"""Rubric and score-sheet services on a real (migrated) database."""

from __future__ import annotations

from decimal import Decimal

import pytest
import yaml
from sqlalchemy import func, select

from reviewtool.core.enums import Opinion, SheetSource, SheetStatus
from reviewtool.core.errors import Refused, UserError
from reviewtool.core.scoring.maths import ScoreRefused, SheetInput
from reviewtool.core.scoring.rubric import RubricInvalid
from reviewtool.services.scoring import rubric_batches, rubrics, sheet_edits, sheets
from reviewtool.services.scoring.ranking import ranked_applications
from reviewtool.services.scoring.results import result_row
from reviewtool.storage.models import (
    Application,
    AuditEvent,
    Batch,
    Expert,
    PanelResult,
    Rubric,
    RubricVersion,
    ScoreSheet,
)


@pytest.fixture
def scored_db(demo_db):
    """The demo database with the shipped rubrics but no demo sheets."""
    with demo_db.session() as s:
        s.execute(ScoreSheet.__table__.delete())
        s.execute(PanelResult.__table__.delete())
        s.execute(Application.__table__.update().values(panel_score=None))
        rubrics.install_shipped_rubrics(s, actor="tester")
        batch = s.scalar(select(Batch))
        rubric_batches.attach_rubric(s, batch.id, "haidong-general", actor="tester")
        rubric_batches.attach_rubric(
            s, batch.id, "haidong-ecology", actor="tester", area_codes=["HD-D1", "QH-E1", "QH-E2"]
        )
    return demo_db


def app_by_area(session, code: str) -> Application:
    from reviewtool.storage.models import ApplicationArea, PriorityArea

    return session.scalars(
        select(Application)
        .join(ApplicationArea, ApplicationArea.application_id == Application.id)
        .join(PriorityArea, PriorityArea.id == ApplicationArea.area_id)
        .where(PriorityArea.code == code)
        .order_by(Application.number)
    ).first()


def experts(session, n: int) -> list[Expert]:
    return list(session.scalars(select(Expert).where(Expert.is_staff.is_(False)).order_by(Expert.id).limit(n)))


def complete_input(spec, base: int, *, opinion=Opinion.RECOMMEND) -> SheetInput:
    data = SheetInput(opinion=opinion, written_opinion="项目立项依据充分，技术路线可行，建议支持。")
    for c in spec.criteria:
        points = min(c.max_points, (c.max_points * base / 100).to_integral_value())
        data.points[c.key] = points
        if (
            c.comment_rule.always
            or (points == c.max_points and c.comment_rule.full_score)
            or (c.comment_rule.lowest_band and c.lowest_band() and c.lowest_band().contains(points))
        ):
            data.comments[c.key] = "见总体意见。"
    data.vetoes = {v.key: False for v in spec.veto_items}
    return data


def test_rubric_selection_by_area_group(scored_db):
    with scored_db.session() as s:
        eco = app_by_area(s, "HD-I02")  # an HD-D1 industry
        qh = app_by_area(s, "QH-E2-1")
        general = app_by_area(s, "HD-I10")
        assert rubric_batches.select_rubric_version(s, eco.id).rubric.code == "haidong-ecology"
        assert rubric_batches.select_rubric_version(s, qh.id).rubric.code == "haidong-ecology"
        assert rubric_batches.select_rubric_version(s, general.id).rubric.code == "haidong-general"


def test_save_draft_submit_and_panel_result(scored_db):
    with scored_db.session() as s:
        app = app_by_area(s, "HD-I10")
        panel = experts(s, 5)
        ctx = sheets.scoring_context(s, app.id, panel[0].id)
        spec = ctx.spec
        assert ctx.plan_match in ("key_industry", "column_task")
        assert ctx.suggested_band == "优"
        # A partial draft saves without complaint and has no total yet.
        draft = SheetInput(points={"C1": Decimal(13)})
        result = sheet_edits.save_sheet(s, application_id=app.id, reviewer_id=panel[0].id, data=draft, actor="tester")
        assert result.status == SheetStatus.DRAFT and result.total is None and result.running_total == Decimal("13.00")
        assert result.problems
        with pytest.raises(sheet_edits.SheetIncomplete):
            sheet_edits.submit_sheet(s, result.sheet_id, actor="tester")
        for index, expert in enumerate(panel):
            sheet_edits.save_sheet(
                s,
                application_id=app.id,
                reviewer_id=expert.id,
                data=complete_input(spec, 70 + 5 * index),
                actor="tester",
                submit=True,
            )
        row = result_row(s, app.id)
        assert row.sheet_count == 5 and row.rule == "trimmed_mean"
        totals = sorted(sh.total for sh in s.scalars(select(ScoreSheet).where(ScoreSheet.application_id == app.id)))
        assert row.trimmed_mean == (sum(totals[1:-1]) / 3).quantize(Decimal("0.01"))
        assert s.get(Application, app.id).panel_score == row.final_score
        assert row.opinions["recommend"] == 5


def test_out_of_range_points_refused_and_nothing_written(scored_db):
    with scored_db.session() as s:
        app = app_by_area(s, "HD-I10")
        expert = experts(s, 1)[0]
        with pytest.raises(ScoreRefused, match="0–15"):
            sheet_edits.save_sheet(
                s, application_id=app.id, reviewer_id=expert.id, data=SheetInput(points={"C1": "16"}), actor="t"
            )
        with pytest.raises(UserError, match="C99"):
            sheet_edits.save_sheet(
                s, application_id=app.id, reviewer_id=expert.id, data=SheetInput(points={"C99": 1}), actor="t"
            )
        assert s.scalar(select(func.count(ScoreSheet.id))) == 0


def test_transcription_audit_lock_and_exclusion(scored_db):
    with scored_db.session() as s:
        app = app_by_area(s, "HD-I10")
        a, b, c = experts(s, 3)
        spec = sheets.scoring_context(s, app.id, a.id).spec
        first = sheet_edits.save_sheet(
            s,
            application_id=app.id,
            reviewer_id=a.id,
            data=complete_input(spec, 80),
            actor="clerk",
            source=SheetSource.PAPER,
            entered_by="clerk",
            submit=True,
        )
        for expert, base in ((b, 70), (c, 60)):
            sheet_edits.save_sheet(
                s, application_id=app.id, reviewer_id=expert.id, data=complete_input(spec, base), actor="t", submit=True
            )
        sheet = s.get(ScoreSheet, first.sheet_id)
        assert sheet.source == SheetSource.PAPER and sheet.entered_by == "clerk"
        mean_before = result_row(s, app.id).mean

        # Editing a submitted sheet: audited with old and new value, panel result recomputed.
        old_c2 = sheet.scores[1].points if sheet.scores else None
        edit = complete_input(spec, 80)
        edit.points["C2"] = Decimal(5)
        result = sheet_edits.save_sheet(s, application_id=app.id, reviewer_id=a.id, data=edit, actor="chief")
        assert result.changed["points.C2"][1] == Decimal(5)
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == first.sheet_id).order_by(AuditEvent.id.desc())
        ).first()
        assert event.actor == "chief" and event.action == "sheet.edit_submitted"
        assert event.details["changes"]["points.C2"]["new"] == "5"
        assert event.details["changes"]["points.C2"]["old"] not in (None, "5")
        assert old_c2 is not None
        assert result_row(s, app.id).mean != mean_before

        # Submitted sheets must stay complete.
        broken = complete_input(spec, 80)
        broken.written_opinion = ""
        with pytest.raises(sheet_edits.SheetIncomplete):
            sheet_edits.save_sheet(s, application_id=app.id, reviewer_id=a.id, data=broken, actor="chief")

        # Locked: refused until reopened with a reason.
        sheet_edits.set_sheet_locked(s, first.sheet_id, True, actor="chief", reason="专家组定稿")
        with pytest.raises(Refused):
            sheet_edits.save_sheet(s, application_id=app.id, reviewer_id=a.id, data=edit, actor="chief")
        with pytest.raises(UserError):
            sheet_edits.reopen_sheet(s, first.sheet_id, actor="chief", reason=" ")
        sheet_edits.reopen_sheet(s, first.sheet_id, actor="chief", reason="专家更正笔误")
        sheet_edits.save_sheet(s, application_id=app.id, reviewer_id=a.id, data=edit, actor="chief")

        # Excluded: left out of the panel result.
        sheet_edits.set_sheet_excluded(s, first.sheet_id, True, actor="chief", reason="发现回避关系")
        assert result_row(s, app.id).sheet_count == 2
        history = sheet_edits.sheet_history(s, first.sheet_id)
        assert [h["action"] for h in history][-1] == "sheet.exclude"


def test_veto_counts_and_ranking(scored_db):
    with scored_db.session() as s:
        batch = s.scalar(select(Batch))
        apps = list(s.scalars(select(Application).order_by(Application.number).limit(4)))
        panel = experts(s, 3)
        for index, app in enumerate(apps):
            for expert in panel:
                spec = sheets.scoring_context(s, app.id, expert.id).spec
                data = complete_input(spec, 60 + 10 * index)
                if index == 3 and expert is panel[0]:
                    data.vetoes[spec.veto_items[0].key] = True
                sheet_edits.save_sheet(
                    s, application_id=app.id, reviewer_id=expert.id, data=data, actor="t", submit=True
                )
        view = ranked_applications(s, batch.id)
        ranked = [r for r in view.rows if r.position is not None]
        assert [r.number for r in ranked] == [apps[2].number, apps[1].number, apps[0].number, apps[3].number]
        assert ranked[-1].veto_count == 1 and not ranked[-1].recommended
        assert view.threshold == Decimal(70)
        assert all(r.recommended == (r.score >= 70) for r in ranked[:-1])
        assert ranked[0].rule == "mean"
        area = s.scalar(select(Application).where(Application.id == apps[0].id)).areas[0].area.code
        filtered = ranked_applications(s, batch.id, area_code=area)
        assert apps[0].number in [r.number for r in filtered.rows]
        assert len(filtered.rows) < len(view.rows)


def test_editing_a_used_rubric_creates_a_new_version(scored_db, tmp_path):
    with scored_db.session() as s:
        app = app_by_area(s, "HD-I10")
        expert = experts(s, 1)[0]
        sheet_edits.save_sheet(
            s, application_id=app.id, reviewer_id=expert.id, data=SheetInput(points={"C1": Decimal(10)}), actor="t"
        )
        path = rubrics.export_rubric(s, "haidong-general", tmp_path / "g.yaml")
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        doc["criteria"][7]["title"] = "进度安排与组织管理（修订）"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        result = rubrics.import_rubric(s, path, actor="t")
        assert result.created_version and result.version == 2
        sheet = s.scalar(select(ScoreSheet))
        assert sheet.rubric_version.number == 1  # old sheet keeps its version
        assert sheets.scoring_context(s, app.id, expert.id).spec.criteria[7].title == "进度安排与组织管理"
        # Unchanged import: no new version.
        again = rubrics.import_rubric(s, path, actor="t")
        assert not again.changed
        # Editing an unused version changes it in place.
        doc["criteria"][7]["description"] = "再次修订"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        third = rubrics.import_rubric(s, path, actor="t")
        assert third.version == 2 and not third.created_version


def test_bad_file_changes_nothing(scored_db, tmp_path):
    with scored_db.session() as s:
        path = rubrics.export_rubric(s, "haidong-general", tmp_path / "g.yaml")
        before = s.scalar(select(func.count(RubricVersion.id)))
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["criteria"][0]["bands"][0]["high"] = 16
    doc["name"] = "改名"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with scored_db.session() as s:
        with pytest.raises(RubricInvalid) as info:
            rubrics.import_rubric(s, path, actor="t")
        assert "g.yaml" in str(info.value) and "C1" in str(info.value)
    with scored_db.session() as s:
        assert s.scalar(select(func.count(RubricVersion.id))) == before
        assert s.scalar(select(Rubric.name).where(Rubric.code == "haidong-general")) != "改名"
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: [unclosed\n", encoding="utf-8")
    with scored_db.session() as s, pytest.raises(UserError, match="bad.yaml"):
        rubrics.import_rubric(s, bad, actor="t")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", encoding="utf-8")
    with scored_db.session() as s, pytest.raises(UserError, match="fake.xlsx"):
        rubrics.import_rubric(s, fake, actor="t")


def test_excel_round_trip_and_edit(scored_db, tmp_path):
    from openpyxl import load_workbook

    with scored_db.session() as s:
        original = rubrics.spec_of_version(rubrics.get_version(s, "haidong-ecology"))
        path = rubrics.export_rubric(s, "haidong-ecology", tmp_path / "eco.xlsx")
    assert rubrics.load_rubric_file(path) == original
    wb = load_workbook(path)
    ws = wb["评分标准"]
    for row in ws.iter_rows():
        if row[0].value == "E8":
            row[2].value = "进度安排"
        if row[9].value == "优" and row[10].value == 17:  # E4's top band
            row[10].value = 16  # overlaps 良 12–16
    wb.save(path)
    with pytest.raises(RubricInvalid) as info:
        rubrics.load_rubric_file(path)
    assert "E4" in str(info.value) and "eco.xlsx" in str(info.value)
