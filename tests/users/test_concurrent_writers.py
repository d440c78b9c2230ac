"""Issue 15's concurrency test: 7 expert and 2 clerk processes writing one database at once, through
the real services (sheet saves, application form saves), on SQLite and PostgreSQL.

0 raw database errors, 0 lost updates, 0 torn sheets, every stored total equal to its criteria, the
derived figures equal to a recompute, and every refused save a stale edit worded in Chinese
("已被 X 于 HH:MM 修改") that someone else's successful write explains (``concurrency_workload``).

``TEST_WRITES`` keeps the suite's run time reasonable (about 40 s on PostgreSQL with two cores);
the issue's 10,000 writes run by hand: ``.venv/bin/python bench/bench_concurrency.py``.
"""

from __future__ import annotations

import pytest
from concurrency_workload import check, prepare, run
from sqlalchemy import select

from reviewtool.core.scoring.maths import SheetInput
from reviewtool.services.scoring import sheet_edits
from reviewtool.storage.models import ScoreSheet
from reviewtool.storage.versioning import StaleEdit

#: Writes per engine in the suite (the bench runs 10,000: the issue's figure).
TEST_WRITES = 540


def test_seven_experts_and_two_clerks_writing_at_once_lose_nothing(any_db, tmp_path):
    plan = prepare(any_db)
    records, seconds = run(any_db.url, plan, TEST_WRITES, tmp_path / "writers")
    report = check(any_db, plan, records)
    report.seconds = seconds
    print(report.summary())
    assert report.writes == TEST_WRITES
    assert report.errors == []
    assert report.lost == [] and report.not_last == []
    assert report.torn == [] and report.derived == []
    assert report.not_chinese == [] and report.unexplained == []
    assert report.saved + report.refused == TEST_WRITES and report.saved > TEST_WRITES // 2


def test_a_first_save_when_someone_else_created_the_sheet_meanwhile_is_refused_naming_them(any_db):
    """The screen opened on no sheet (``row_version=0``); another user's save created it first."""
    plan = prepare(any_db)
    expert = plan["experts"][0]
    application_id, stage_id = expert["targets"][-1]  # a fresh assignment: no sheet yet
    with any_db.session() as session:
        stored = sheet_edits.sheet_input_of(session.get(ScoreSheet, expert["template"]))
    data = SheetInput(opinion=stored.opinion, written_opinion=stored.written_opinion)
    kwargs = dict(application_id=application_id, reviewer_id=expert["expert_id"], data=data, stage_id=stage_id)
    with any_db.session() as session:
        first = sheet_edits.save_sheet(session, actor="wangfang", row_version=0, **kwargs)
    with pytest.raises(StaleEdit, match=r"已被 wangfang 于 [\d:]+ 修改"):
        with any_db.session() as session:
            sheet_edits.save_sheet(session, actor="lisi", row_version=0, **kwargs)
    with pytest.raises(StaleEdit, match="没有保存"):
        with any_db.session() as session:
            sheet_edits.save_sheet(session, actor="lisi", row_version=first.row_version - 1, **kwargs)
    with any_db.session() as session:
        sheet = session.scalars(select(ScoreSheet).where(ScoreSheet.id == first.sheet_id)).one()
        assert sheet.entered_by == "wangfang" and sheet.row_version == first.row_version
