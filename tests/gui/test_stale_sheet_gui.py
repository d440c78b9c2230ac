"""Two people on one score sheet: the clerk's save over another's newer save is
refused naming who and when, and she chooses to reload their version (or keep
her window as typed) — never a silent overwrite either way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from modal import answer_next, modal_watchers  # noqa: F401 - autouse: no modal window left unanswered
from sqlalchemy import select

from clicks import click, retype
from conftest_helpers import wait_idle
from gui.test_score_entry_keys import answer_vetoes, general_targets, open_window, stored_points
from reviewtool.core.enums import SheetSource
from reviewtool.services.scoring import sheet_edits, sheets
from reviewtool.storage.models import ScoreSheet

pytestmark = pytest.mark.gui


def _other_saves(database, app_id: int, key: str, points: str) -> None:
    """李四 transcribes the same paper sheet at another desk and saves first."""
    with database.session() as s:
        sheet = s.scalar(select(ScoreSheet).where(ScoreSheet.application_id == app_id))
        data = sheets.sheet_input_of(sheet)
        data.points[key] = Decimal(points)
        sheet_edits.save_sheet(
            s, application_id=app_id, reviewer_id=sheet.reviewer_id, rubric_version_id=sheet.rubric_version_id,
            data=data, actor="李四", source=SheetSource.PAPER, entered_by="李四", stage_id=sheet.stage_id,
            row_version=sheet.row_version,
        )  # fmt: skip


def test_a_sheet_saved_elsewhere_meanwhile_is_refused_then_reloaded(demo_ctx, qtbot):
    (target,), expert_id = general_targets(demo_ctx, 1)
    app_id = target[0]
    window = open_window(demo_ctx, qtbot, app_id, expert_id)
    answer_vetoes(qtbot, window)
    first = window.rows[0]
    key, maximum = first.criterion.key, first.criterion.max_points
    retype(qtbot, first.points, "3")
    click(qtbot, window.save_button)
    qtbot.waitUntil(lambda: stored_points(demo_ctx, app_id).get(key) == Decimal(3), timeout=10000)
    wait_idle(qtbot, demo_ctx)

    _other_saves(demo_ctx.database, app_id, key, "2")
    retype(qtbot, first.points, str(min(maximum, 4)))
    answer = answer_next(qtbot, click="重新载入")
    click(qtbot, window.save_button)
    qtbot.waitUntil(lambda: answer.done, timeout=10000)
    assert "李四" in answer.texts[0]
    assert stored_points(demo_ctx, app_id)[key] == Decimal(2)  # 李四's save stands
    qtbot.waitUntil(lambda: first.points.text() == "2", timeout=10000)

    retype(qtbot, first.points, "1")  # her correction, now on top of his
    click(qtbot, window.save_button)
    qtbot.waitUntil(lambda: stored_points(demo_ctx, app_id).get(key) == Decimal(1), timeout=10000)
