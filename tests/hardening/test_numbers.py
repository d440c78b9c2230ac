"""Numbers typed anywhere outside the application import (issue 11): score
cells, amounts, CLI options — non-finite and absurd values are refused with
the cell, field or option named, never an OverflowError or InvalidOperation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from panels.conftest import attach_general_rubric, build_world
from reviewtool.cli.main import main
from reviewtool.core.errors import UserError
from reviewtool.core.numbers import NumberRefused, parse_number
from reviewtool.core.scoring.maths import SheetInput
from reviewtool.services import funding
from reviewtool.services.scoring import sheet_edits
from reviewtool.storage.models import Batch, ScoreSheet

ABSURD = [1e308, "1e15", "1E999", float("inf"), float("-inf"), float("nan"), "NaN", "Infinity", "-1e400", 10**400]


@pytest.mark.parametrize("value", ABSURD)
def test_parse_number_refuses_with_the_field_named(value):
    with pytest.raises(NumberRefused, match="评分!D4"):
        parse_number(value, field="评分!D4", maximum=100)


def test_parse_number_is_exact_and_keeps_good_values():
    assert parse_number("12.5", field="x", places=2) == Decimal("12.5")
    assert parse_number("1,234.50", field="x", places=2) == Decimal("1234.50")
    assert parse_number(None, field="x") is None and parse_number("  ", field="x") is None
    with pytest.raises(NumberRefused, match="2 位"):
        parse_number("12.00000000000000000000000000000001", field="x", places=2)  # beyond 28 digits, still seen


@pytest.mark.parametrize("value", [*ABSURD, "12.00000000000000000000000000000001", "-0.5", "十二"])
def test_a_score_typed_on_screen_is_refused_naming_the_criterion(db, value):
    with db.session() as s:
        world = build_world(s, n_apps=1, n_experts=7)
        attach_general_rubric(s, world.batch_id)
        app_id, expert_id = next(iter(world.apps.values())), world.experts["专家07"]
        with pytest.raises(UserError) as err:
            sheet_edits.save_sheet(
                s, application_id=app_id, reviewer_id=expert_id, data=SheetInput(points={"C1": value}), actor="t"
            )
        assert "C1" in str(err.value)
        assert s.scalar(select(func.count(ScoreSheet.id))) == 0


@pytest.mark.parametrize("value", ["1e308", "1E999", "inf", "nan", "1e15", "12.1234567", "-1"])
def test_an_amount_is_refused_naming_the_field(value):
    with pytest.raises(UserError, match="--budget"):
        funding.parse_money(value, what="--budget")


def _batch(db) -> str:
    with db.session() as s:
        s.add(Batch(name="数字测试批次", year=2026))
    return "数字测试批次"


@pytest.mark.parametrize(
    "args",
    [
        ["funding", "settings", "--batch", "{batch}", "--budget", "1e308"],
        ["funding", "settings", "--batch", "{batch}", "--budget", "inf"],
        ["funding", "settings", "--batch", "{batch}", "--cap", "1E999"],
        ["scores", "ranking", "--batch", "{batch}", "--threshold", "inf"],
        ["scores", "ranking", "--batch", "{batch}", "--threshold", "NaN"],
        ["scores", "ranking", "--batch", "{batch}", "--threshold", "1e308"],
        ["rubric", "show", "haidong-general", "--version", "1" + "0" * 30],
        ["panel", "draw", "--batch", "{batch}", "--size", "1" + "0" * 30],
        ["panel", "assign", "--batch", "{batch}", "--max-load", "1" + "0" * 12],
        ["funding", "quota", "--batch", "{batch}", "--area", "HD-D1", "--max-count", "1" + "0" * 30],
    ],
)
def test_absurd_cli_options_are_refused_naming_the_option(db, capsys, args):
    batch = _batch(db)
    code = main([a.replace("{batch}", batch) for a in args] + ["--db", db.url])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert code in (1, 2), output
    option = next(a for a in args if a.startswith("--") and a != "--batch" and a != "--area")
    assert option in output, output
    assert "Traceback" not in output and "内部错误" not in output
