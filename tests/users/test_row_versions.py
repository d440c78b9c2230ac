"""No lost updates: two sessions changing one record. The second save is refused with who changed it and
when ("已被 X 于 HH:MM 修改"), and nothing of the first is overwritten; derived figures (the panel score)
never bump the application's version, so a clerk is not refused because an expert saved a sheet."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from reviewtool.core.enums import SheetStatus
from reviewtool.core.scoring.maths import SheetInput, evaluate_sheet
from reviewtool.services.demo import load_demo
from reviewtool.services.intake import edit as application_edit
from reviewtool.services.scoring import sheet_edits
from reviewtool.services.scoring.rubrics import spec_of_version
from reviewtool.storage.models import Application, Expert, ScoreSheet
from reviewtool.storage.versioning import StaleEdit

STALE = re.compile(r"已被 (\S+) 于 (\d\d:\d\d) 修改")


@pytest.fixture
def demo(any_db):
    with any_db.session() as session:
        load_demo(session, actor="tester")
    return any_db


def _open_sheet(database) -> tuple[int, int, int, list[str]]:
    """(sheet id, application id, reviewer id, criterion keys) of a submitted sheet nobody locked."""
    with database.session() as session:
        sheet = session.scalars(
            select(ScoreSheet)
            .where(ScoreSheet.status == SheetStatus.SUBMITTED, ScoreSheet.locked.is_(False))
            .order_by(ScoreSheet.id)
        ).first()
        keys = [c.key for c in spec_of_version(sheet.rubric_version).criteria]
        return sheet.id, sheet.application_id, sheet.reviewer_id, keys


def _points(database, sheet_id: int) -> dict[str, Decimal]:
    with database.session() as session:
        sheet = session.get(ScoreSheet, sheet_id)
        return dict(sheet_edits.sheet_input_of(sheet).points)


def _lower(database, sheet_id: int, key: str) -> Decimal:
    """A different valid value for criterion ``key`` than the stored one."""
    with database.session() as session:
        sheet = session.get(ScoreSheet, sheet_id)
        spec = spec_of_version(sheet.rubric_version)
        stored = sheet_edits.sheet_input_of(sheet).points[key]
        return stored - spec.step if stored - spec.step >= 0 else stored + spec.step


def _edited(database, sheet_id: int, key: str) -> SheetInput:
    """The whole sheet as its screen holds it, with criterion ``key`` changed (what score entry saves)."""
    with database.session() as session:
        stored = sheet_edits.sheet_input_of(session.get(ScoreSheet, sheet_id))
    points = dict(stored.points) | {key: _lower(database, sheet_id, key)}
    return replace(stored, points=points)


def test_two_clerks_saving_one_sheet_at_once_the_second_is_refused_and_nothing_is_lost(demo, monkeypatch):
    """Clerk B opens the sheet (its save reads it), clerk A saves another criterion and commits, then
    B's save goes on: without a version on the sheet, B would write back A's criterion as B read it."""
    sheet_id, application_id, reviewer_id, keys = _open_sheet(demo)
    first, second = keys[0], keys[1]
    a_input, b_input = _edited(demo, sheet_id, first), _edited(demo, sheet_id, second)  # both open the sheet
    a_value = a_input.points[first]
    before = _points(demo, sheet_id)
    real_spec = sheet_edits.spec_of_version
    interleaved = []

    def a_saves_meanwhile(version):
        if not interleaved:  # once: while B's save holds the sheet as it read it
            interleaved.append(True)
            with demo.session() as session:
                sheet_edits.save_sheet(
                    session, application_id=application_id, reviewer_id=reviewer_id,
                    data=a_input, actor="zhangsan",
                )  # fmt: skip
        return real_spec(version)

    monkeypatch.setattr(sheet_edits, "spec_of_version", a_saves_meanwhile)
    with pytest.raises(StaleEdit) as refused:
        with demo.session() as session:
            sheet_edits.save_sheet(
                session, application_id=application_id, reviewer_id=reviewer_id,
                data=b_input, actor="lisi",
            )  # fmt: skip
    match = STALE.search(str(refused.value))
    assert match and match.group(1) == "zhangsan", str(refused.value)
    assert "评审表" in str(refused.value) and "没有保存" in str(refused.value)
    after = _points(demo, sheet_id)
    assert after[first] == a_value  # A's save stands
    assert after[second] == before[second]  # B's was refused whole, not half-written
    with demo.session() as session:  # the stored total is still what its criteria give
        sheet = session.get(ScoreSheet, sheet_id)
        evaluation = evaluate_sheet(spec_of_version(sheet.rubric_version), sheet_edits.sheet_input_of(sheet))
        assert sheet.total == evaluation.total


def test_saving_a_sheet_bumps_its_version_even_when_only_a_criterion_comment_changed(demo):
    """The total and the sheet's own columns stay as they were: only a criterion_score row changes."""
    sheet_id, application_id, reviewer_id, keys = _open_sheet(demo)
    with demo.session() as session:
        sheet = session.get(ScoreSheet, sheet_id)
        version, stored = sheet.row_version, sheet_edits.sheet_input_of(sheet)
    comment = (stored.comments.get(keys[0]) or "") + "（补充说明）"
    with demo.session() as session:
        sheet_edits.save_sheet(
            session, application_id=application_id, reviewer_id=reviewer_id,
            data=replace(stored, comments=dict(stored.comments) | {keys[0]: comment}), actor="tester",
        )  # fmt: skip
    with demo.session() as session:
        sheet = session.get(ScoreSheet, sheet_id)
        assert sheet_edits.sheet_input_of(sheet).comments[keys[0]] == comment
        assert sheet.row_version == version + 1


def test_a_sheet_saved_meanwhile_does_not_refuse_the_clerk_editing_the_application(demo):
    """The panel score is recomputed on the application row without bumping its version."""
    sheet_id, application_id, reviewer_id, keys = _open_sheet(demo)
    with demo.session() as session:
        application = session.get(Application, application_id)
        version, score = application.row_version, application.panel_score
        form = application_edit.load_form(session, application_id)
    with demo.session() as session:
        sheet_edits.save_sheet(
            session, application_id=application_id, reviewer_id=reviewer_id,
            data=_edited(demo, sheet_id, keys[0]), actor="expert1",
        )  # fmt: skip
    with demo.session() as session:
        application = session.get(Application, application_id)
        assert application.panel_score != score  # recomputed …
        assert application.row_version == version  # … without counting as an edit
    form.title = form.title + "（修订）"
    with demo.session() as session:
        application_edit.update_application(session, application_id, form, actor="clerk", row_version=version)
    with demo.session() as session:
        application = session.get(Application, application_id)
        assert application.title.endswith("（修订）") and application.row_version == version + 1
    # and a second clerk still holding the old version is refused, naming the first
    with pytest.raises(StaleEdit, match=r"已被 clerk 于 \d\d:\d\d 修改"):
        with demo.session() as session:
            application_edit.update_application(session, application_id, form, actor="other", row_version=version)


def test_two_sessions_editing_one_expert_the_later_is_refused(demo):
    with demo.session() as session:
        expert_id = session.scalar(select(Expert.id).order_by(Expert.id))
    with pytest.raises(StaleEdit, match="专家") as refused:
        with demo.session() as b:
            mine = b.get(Expert, expert_id)  # B reads the record …
            with demo.session() as a:  # … A changes and commits it …
                a.get(Expert, expert_id).phone = "0972-8000001"
            mine.phone = "0972-8000002"  # … B's change would overwrite A's
    assert "没有保存" in str(refused.value)
    with demo.session() as session:
        assert session.get(Expert, expert_id).phone == "0972-8000001"
