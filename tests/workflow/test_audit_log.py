"""The audit log read in words (审计日志): who, when, what, old and new values a clerk understands,
filtered by batch, application, expert, action, user and dates, and exported to Excel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from reviewtool.core.errors import UserError
from reviewtool.services import audit
from reviewtool.services.audit_log.query import AuditFilter, audit_rows, parse_since
from reviewtool.services.audit_log.workbook import export_audit_log
from reviewtool.services.funding import set_recommended_amount
from reviewtool.services.stages.finalise import reopen_stage
from reviewtool.storage.models import AuditEvent
from stages.staged_world import remote_stage


@pytest.fixture
def logged(db):
    """A batch reviewed in 网络评审 (a draw, sheets, finalised), an amount cut, the panel reopened by 李四."""
    from reviewtool.services.panels import panel as panels
    from reviewtool.services.panels.draw import draw_panel
    from reviewtool.storage.models import Application, Batch

    with db.session() as s:
        world, panel_id = remote_stage(s, n_apps=6)
        set_recommended_amount(s, world.apps["HD2026-002"], Decimal("20"), reason="预算压减", actor="张三")
        reopen_stage(s, world.batch_id, "网络评审", "补录一份评审表", actor="李四")
        # A second batch with a draw of its own, to see the batch filter work.
        other = Batch(name="另一批次", year=2026)
        s.add(other)
        s.flush()
        s.add(Application(batch_id=other.id, number="HD2026-901", title="另一项目", unit_id=world.units["测试单位1"],
                          pi_name="王五", requested_amount=Decimal("10")))  # fmt: skip
        s.flush()
        other_panel, _c = panels.create_panel(s, other.id, "另一组", actor="t")
        draw_panel(s, other_panel, 3, actor="t", seed="other")
    return world, panel_id


def test_rows_speak_words_not_json(db, logged):
    world, _panel = logged
    with db.session() as s:
        rows = audit_rows(s, AuditFilter(batch=world.batch_id))
    assert rows and all(r.batch for r in rows)
    for r in rows:
        for text in (r.summary, r.old, r.new, r.entity, r.action_title):
            assert "{" not in text and '"' not in text, (r.action, text)
        assert r.action_title != r.action  # a title, not the code
    amount = next(r for r in rows if r.action.startswith("funding.amount"))
    assert "20" in amount.new and "预算压减" in amount.new and amount.actor == "张三"
    reopened = next(r for r in rows if r.action.endswith(".reopen"))
    assert "补录一份评审表" in reopened.new and reopened.actor == "李四"
    data = rows[0].as_json()
    assert set(data) == {"at", "actor", "action", "entity", "summary", "old", "new"}
    assert dt.datetime.fromisoformat(data["at"]).tzinfo is not None


def test_filters_narrow_the_rows(db, logged):
    world, _panel = logged
    with db.session() as s:
        everything = audit_rows(s)
        by_batch = audit_rows(s, AuditFilter(batch=world.batch_id))
        by_user = audit_rows(s, AuditFilter(actor="张三"))
        by_app = audit_rows(s, AuditFilter(application="HD2026-002"))
        by_expert = audit_rows(s, AuditFilter(expert="专家07"))
        panels_only = audit_rows(s, AuditFilter(action="panel"))
        newest = audit_rows(s, AuditFilter(limit=3))
        # Records from last year and tomorrow's filter.
        s.execute(
            update(AuditEvent).where(AuditEvent.actor == "李四").values(at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC))
        )
        until_then = audit_rows(s, AuditFilter(until=dt.date(2025, 12, 31)))
        since_now = audit_rows(s, AuditFilter(since=dt.date.today()))
    assert len(by_batch) < len(everything)
    assert {r.batch for r in by_batch} == {by_batch[0].batch} and "另一批次" not in {r.batch for r in by_batch}
    assert [r.action for r in by_user] == [r.action for r in everything if r.actor == "张三"] != []
    assert by_app and any("HD2026-002" in (r.entity + r.summary) for r in by_app)
    assert len(by_app) < len(by_batch)
    assert by_expert and all("专家07" in (r.entity + r.summary + r.old + r.new) for r in by_expert)
    assert panels_only and all(r.action == "panel" or r.action.startswith("panel.") for r in panels_only)
    assert [r.id for r in newest] == [r.id for r in everything[-3:]]
    assert {r.actor for r in until_then} == {"李四"}
    assert "李四" not in {r.actor for r in since_now}
    with pytest.raises(UserError):
        parse_since("下个月")


def test_the_export_has_every_matching_record_and_is_itself_recorded(db, logged, tmp_path):
    world, _panel = logged
    with db.session() as s:
        wanted = AuditFilter(batch=world.batch_id, action="panel")
        expected = audit_rows(s, wanted)
        changes = export_audit_log(s, tmp_path / "审计日志.xlsx", wanted, actor="纪检员")
        assert str(len(expected)) in changes.message
        with pytest.raises(UserError):
            export_audit_log(s, tmp_path / "审计日志.pdf", wanted, actor="纪检员")
        recorded = s.scalar(select(AuditEvent).where(AuditEvent.action == "audit.export"))
    assert recorded.actor == "纪检员" and recorded.details["rows"] == len(expected)
    sheet = load_workbook(tmp_path / "审计日志.xlsx").active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    summaries = {r.summary for r in expected}
    assert sum(1 for row in cells if row[4] in summaries) == len(expected)
    assert {row[1] for row in cells} >= {r.actor for r in expected}


def test_a_record_of_an_unknown_action_still_reads(db):
    with db.session() as s:
        audit.record(s, actor="t", action="batch.something_new", entity_type="batch", summary="新的操作",
                     details={"old": {"x": 1}, "new": {"x": 2}})  # fmt: skip
        (row,) = audit_rows(s, AuditFilter(action="batch.something_new"))
    assert row.summary == "新的操作" and "1" in row.old and "2" in row.new and "{" not in row.old


def test_a_promotion_reads_with_its_applications_and_rule(db):
    from stages.staged_world import meeting_stage

    with db.session() as s:
        world, _panel = remote_stage(s, n_apps=6)
        preview, _p = meeting_stage(s, world, top=2)
        (row,) = audit_rows(s, AuditFilter(action="stage.promote"))
    assert row.old == "网络评审" and row.new.startswith("会议评审：")
    assert all(c.number in row.new for c in preview.promoted) and "规则" in row.new
