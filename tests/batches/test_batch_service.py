"""The batch services: create, edit, close and reopen a batch, each audited;
bad values named by field; the rules recompute stored results and are
refused while a panel's results are locked."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.services.batches import batch as batches
from reviewtool.services.batches.stage import review_stage
from reviewtool.storage.models import AuditEvent, Batch, PanelResult

NAME = "2026年海东市科技计划项目"


def test_a_new_batch_gets_the_bureau_defaults_and_an_audit_record(any_db):
    with any_db.session() as s:
        batch_id, changes = batches.create_batch(
            s, {"name": f"  {NAME} ", "deadline": "2026-03-31", "budget": "1,500"}, actor="clerk"
        )
        assert changes.batches and NAME in changes.message
    with any_db.session() as s:
        row = batches.batch_row(s, batch_id)
        assert (row.name, row.year, row.deadline, row.budget) == (NAME, 2026, dt.date(2026, 3, 31), Decimal("1500"))
        assert (row.threshold, row.min_sheets, row.trimmed_min_sheets, row.spread_threshold) == (
            Decimal("70"), 3, 5, Decimal("20"),
        )  # fmt: skip
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "batch.create"))
        assert event.actor == "clerk" and event.entity_id == batch_id and event.details["budget"] == "1500"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"name": ""}, "批次名称"),
        ({"name": NAME, "year": "26"}, "年度"),
        ({"name": NAME, "deadline": "3月31日"}, "截止日期"),
        ({"name": NAME, "budget": "-5"}, "预算"),
        ({"name": NAME, "budget": "1e308"}, "预算"),
        ({"name": NAME, "threshold": "七十"}, "推荐分数线"),
        ({"name": NAME, "threshold": "NaN"}, "推荐分数线"),
        ({"name": NAME, "min_sheets": "0"}, "最少有效评审表"),
        ({"name": NAME, "trimmed_min_sheets": "2"}, "去掉最高最低分"),
        ({"name": NAME, "spread_threshold": "0.00001"}, "分差阈值"),
        ({"name": "名" * 201}, "批次名称"),
        ({"name": NAME, "category": "类" * 5000}, "计划类别"),  # refused, never cut to 100
        ({"name": NAME, "money_ceiling": "0"}, "单项金额上限"),
        ({"name": NAME, "money_ceiling": "十万"}, "单项金额上限"),
        ({"name": NAME, "title_length_rule": "on"}, "名称长度规则"),
    ],
)
def test_bad_values_are_refused_naming_the_field_and_nothing_is_stored(db, values, named):
    with db.session() as s:
        with pytest.raises(UserError) as raised:
            batches.create_batch(s, values, actor="clerk")
    assert named in str(raised.value)
    with db.session() as s:
        assert s.scalars(select(Batch)).all() == []


def test_names_are_unique_and_lookups_take_a_name_or_an_id(db):
    with db.session() as s:
        first, _c = batches.create_batch(s, {"name": NAME}, actor="clerk")
        with pytest.raises(UserError, match="已存在"):
            batches.create_batch(s, {"name": NAME}, actor="clerk")
    with db.session() as s:
        assert batches.find_batch(s, NAME).id == first
        assert batches.find_batch(s, str(first)).id == first
        assert batches.find_batch(s, first).id == first
        with pytest.raises(NotFound, match="没有名为"):
            batches.find_batch(s, "2019年")


def test_editing_records_old_and_new_values_and_unchanged_is_no_change(db):
    with db.session() as s:
        batch_id, _c = batches.create_batch(s, {"name": NAME}, actor="clerk")
    with db.session() as s:
        changes = batches.update_batch(s, batch_id, {"threshold": "80", "min_sheets": 5}, actor="clerk")
        assert changes.batches
        assert not batches.update_batch(s, batch_id, {"threshold": "80.0"}, actor="clerk").any()
    with db.session() as s:
        batch = s.get(Batch, batch_id)
        assert (batch.threshold, batch.min_sheets) == (Decimal("80"), 5)
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "batch.edit"))
        assert event.details["threshold"] == {"old": "70", "new": "80"}
        assert event.details["min_sheets"] == {"old": 3, "new": 5}


def test_a_closed_batch_refuses_edits_until_reopened_with_a_reason(db):
    with db.session() as s:
        batch_id, _c = batches.create_batch(s, {"name": NAME}, actor="clerk")
        batches.close_batch(s, batch_id, actor="clerk", reason="评审结束")
    with db.session() as s:
        assert [r.name for r in batches.list_open_batches(s)] == []
        with pytest.raises(Refused, match="已关闭"):
            batches.update_batch(s, batch_id, {"threshold": "60"}, actor="clerk")
        with pytest.raises(UserError):
            batches.reopen_batch(s, batch_id, actor="clerk", reason=" ")
        batches.reopen_batch(s, batch_id, actor="clerk", reason="补录一项")
    with db.session() as s:
        assert [r.id for r in batches.list_open_batches(s)] == [batch_id]
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["batch.create", "batch.close", "batch.reopen"]


def test_changing_the_trimmed_mean_rule_recomputes_results_but_not_locked_ones(demo_db):
    with demo_db.session() as s:
        batch = s.scalars(select(Batch)).one()
        batch_id = batch.id
        five = s.scalars(select(PanelResult).where(PanelResult.sheet_count == 5)).first()
        assert five is not None and five.rule == "trimmed_mean"
        key = (five.stage_id, five.application_id)  # a result is kept per review stage
    with demo_db.session() as s:
        changes = batches.update_batch(s, batch_id, {"trimmed_min_sheets": "6"}, actor="clerk")
        assert changes.sheets and changes.details["recomputed"] > 0
    with demo_db.session() as s:
        result = s.get(PanelResult, key)
        assert result.rule == "mean" and result.final_score == result.mean
        result.locked = True
    with demo_db.session() as s:
        with pytest.raises(Refused, match="定稿"):
            batches.update_batch(s, batch_id, {"spread_threshold": "10"}, actor="clerk")
        # The pass mark is read live, so it may change even then.
        assert batches.update_batch(s, batch_id, {"threshold": "75"}, actor="clerk").batches


def test_the_review_stage_is_a_draft_until_every_panel_is_finalised(demo_db):
    from reviewtool.core.enums import PanelStatus
    from reviewtool.storage.models import Panel

    with demo_db.session() as s:
        batch_id = s.scalars(select(Batch.id)).one()
        stage = review_stage(s, batch_id)
        assert stage.draft and stage.panels == 1 and "未定稿" in stage.warning()
        s.scalars(select(Panel)).one().status = PanelStatus.FINALIZED
    with demo_db.session() as s:
        stage = review_stage(s, batch_id)
        assert not stage.draft and stage.warning() == ""


def test_a_fresh_database_offers_the_shipped_rubrics_and_installs_the_one_chosen(db):
    from reviewtool.services.batches import rubric_choice
    from reviewtool.services.scoring import rubric_batches

    with db.session() as s:
        batch_id, _c = batches.create_batch(s, {"name": NAME}, actor="clerk")
        choices = rubric_choice.rubric_choices(s)
        assert {c.code for c in choices} >= {"haidong-general", "haidong-ecology"}
        assert not any(c.installed for c in choices) and "随软件提供" in choices[0].label()
        changes = rubric_choice.use_rubric(s, batch_id, "haidong-general", actor="clerk")
        assert changes.rubrics and changes.batches
        with pytest.raises(NotFound):
            rubric_choice.use_rubric(s, batch_id, "no-such-rubric", actor="clerk")
    with db.session() as s:
        assert [r.rubric_code for r in rubric_batches.batch_rubrics(s, batch_id)] == ["haidong-general"]
        installed = {c.code: c.installed for c in rubric_choice.rubric_choices(s)}
        assert installed["haidong-general"] and not installed["haidong-ecology"]


def test_an_overlong_category_is_refused_on_edit_too_and_nothing_is_cut(db):
    with db.session() as s:
        batch_id, _c = batches.create_batch(s, {"name": NAME, "category": "类" * 100}, actor="clerk")
    with db.session() as s:
        with pytest.raises(UserError, match="最多 100 个字符（现为 5000 个）"):
            batches.update_batch(s, batch_id, {"category": "类" * 5000}, actor="clerk")
    with db.session() as s:
        assert s.get(Batch, batch_id).category == "类" * 100


def test_the_import_checks_are_set_like_any_batch_field_and_audited(db):
    with db.session() as s:
        batch_id, _c = batches.create_batch(s, {"name": NAME}, actor="clerk")
        row = batches.batch_row(s, batch_id)
        assert (row.money_ceiling, row.title_length_rule) == (Decimal(100000), "off")
    with db.session() as s:
        changes = batches.set_import_checks(
            s, batch_id, money_ceiling="2,000.5", title_length_rule="warn", actor="clerk"
        )
        assert changes.batches
        assert not batches.set_import_checks(s, batch_id, money_ceiling="2000.50", actor="clerk").any()
    with db.session() as s:
        assert s.get(Batch, batch_id).settings == {"money_ceiling": "2000.5", "title_length_rule": True}
        row = batches.batch_row(s, batch_id)
        assert (row.money_ceiling, row.title_length_rule) == (Decimal("2000.5"), "warn")
        assert row.as_json()["title_length_rule"] == "warn"
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "batch.edit"))
        assert event.actor == "clerk" and event.details == {
            "money_ceiling": {"old": "100000", "new": "2000.5"},
            "title_length_rule": {"old": "off", "new": "warn"},
        }
        batches.close_batch(s, batch_id, actor="clerk")
    with db.session() as s, pytest.raises(Refused, match="已关闭"):
        batches.set_import_checks(s, batch_id, title_length_rule="off", actor="clerk")
