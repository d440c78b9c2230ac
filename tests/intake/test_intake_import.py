"""Importing messy summary sheets: the exact rows stored and the exact errors reported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from intake_workbooks import GOOD_ROWS, grouped_workbook, simple_workbook
from sqlalchemy import func, select

from reviewtool.core.enums import AreaRole, TagSource
from reviewtool.core.tables.types import TableError
from reviewtool.services.intake.import_result import EXISTING_REJECT, ImportOptions
from reviewtool.services.intake.importer import import_applications
from reviewtool.services.progress import Cancelled, CancelToken, Progress
from reviewtool.storage.models import Application, ApplicationArea, AuditEvent, Batch, PriorityArea, Unit

BATCH = "2025年海东市科技计划项目"


def run_import(db, path, **options):
    options.setdefault("batch", BATCH)
    with db.session() as session:
        return import_applications(session, path, ImportOptions(**options), actor="tester")


def stored(db):
    with db.session() as session:
        rows = session.execute(
            select(
                Application.number,
                Application.title,
                Unit.name,
                Unit.county,
                Application.pi_name,
                Application.pi_phone,
                Application.start_date,
                Application.end_date,
                Application.total_budget,
                Application.requested_amount,
                Application.self_funding,
            )
            .join(Unit)
            .order_by(Application.number)
        ).all()
        return [tuple(r) for r in rows]


def counts(db):
    with db.session() as session:
        return (
            session.scalar(select(func.count(Application.id))),
            session.scalar(select(func.count(Unit.id))),
            session.scalar(select(func.count(Batch.id))),
            session.scalar(select(func.count(AuditEvent.id))),
        )


def test_clean_grouped_sheet_imports_exactly(any_db, tmp_path):
    result = run_import(any_db, grouped_workbook(tmp_path / "s.xlsx"))
    assert result.written and result.counts() == {
        "create": 3,
        "update": 0,
        "unchanged": 0,
        "reject": 0,
        "skipped_rows": 2,
    }
    assert result.batch_created and result.header_rows == (2, 3)
    assert stored(any_db) == [
        ("HD2025-001", GOOD_ROWS[0][2], "青海高原牦牛乳业有限公司", "互助土族自治县", "张立新", "13897000001",
         dt.date(2025, 1, 1), dt.date(2026, 12, 1), Decimal(100), Decimal(60), Decimal(40)),
        ("HD2025-002", GOOD_ROWS[1][2], "海东市农业科学研究所", "乐都区", "李红梅", "13897000002",
         dt.date(2025, 3, 1), dt.date(2027, 2, 1), Decimal("80.5"), Decimal("50.5"), Decimal(30)),
        ("HD2025-003", GOOD_ROWS[2][2], "青海碳化硅科技有限公司", "海东工业园区", "王强", "13897000003",
         dt.date(2025, 6, 1), dt.date(2026, 6, 1), Decimal(1200), Decimal(200), Decimal(1000)),
    ]  # fmt: skip
    with any_db.session() as session:
        tags = session.execute(
            select(Application.number, PriorityArea.code, ApplicationArea.role, ApplicationArea.source)
            .join(ApplicationArea, ApplicationArea.application_id == Application.id)
            .join(PriorityArea, ApplicationArea.area_id == PriorityArea.id)
            .order_by(Application.number, ApplicationArea.source, ApplicationArea.role)
        ).all()
        confirmed = [(n, c) for n, c, _r, s in tags if s == TagSource.CONFIRMED]
        assert confirmed == [("HD2025-001", "HD-I05"), ("HD2025-002", "HD-I02")]
        suggested = [(n, c, r) for n, c, r, s in tags if s == TagSource.SUGGESTED and r == AreaRole.PRIMARY]
        assert suggested == [("HD2025-003", "HD-C3-5", AreaRole.PRIMARY)]
        extra = session.scalar(select(Application.extra_fields).where(Application.number == "HD2025-001"))
        assert extra == {"备注": "重点推荐"}
        actions = sorted(session.scalars(select(AuditEvent.action)))
        assert actions == ["application.import"] * 3 + ["batch.create", "intake.import"]


def test_bad_rows_reject_the_whole_file_and_name_sheet_row_column(any_db, tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][3] = None  # no unit
    rows[1][9] = "五十"  # money not a number
    rows[1][4] = "西宁市"  # unknown county
    rows[2][7] = "2026.12-2025.01"  # end before start
    rows[2][11] = "HD-X99"  # no such area
    rows[2][10] = "-5"  # negative money
    path = grouped_workbook(tmp_path / "bad.xlsx", rows)
    before = counts(any_db)
    result = run_import(any_db, path)
    assert not result.written
    assert counts(any_db) == before
    issues = [(i.row, i.column, i.header, i.kind) for i in result.errors]
    assert issues == [
        (4, "D", "承担单位", "error"),
        (6, "E", "所在县区", "error"),
        (6, "J", "经费（万元）/申请经费", "error"),
        (7, "H", "起止年限", "error"),
        (7, "K", "经费（万元）/自筹经费", "error"),
        (7, "L", "所属领域", "error"),
    ]
    texts = [i.text() for i in result.errors]
    assert all(t.startswith("工作表 汇总表") for t in texts), texts
    assert "“五十”" in texts[2] and "“西宁市”" in texts[1] and "“HD-X99”" in texts[5]


def test_only_valid_imports_the_good_rows(db, tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][2] = None
    result = run_import(db, grouped_workbook(tmp_path / "half.xlsx", rows), only_valid=True)
    assert result.written and result.counts()["create"] == 2 and result.rejected == 1
    assert [r[0] for r in stored(db)] == ["HD2025-001", "HD2025-003"]


def test_dry_run_writes_nothing_and_does_not_create_the_batch(db, tmp_path):
    before = counts(db)
    result = run_import(db, grouped_workbook(tmp_path / "s.xlsx"), dry_run=True)
    assert result.counts()["create"] == 3 and not result.written and result.batch_created
    assert counts(db) == before


def test_same_number_updates_with_changes_shown_and_audited(any_db, tmp_path):
    run_import(any_db, grouped_workbook(tmp_path / "a.xlsx"))
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][9] = 70  # requested 60 → 70
    rows[0][8] = 110
    preview = run_import(any_db, grouped_workbook(tmp_path / "b.xlsx", rows), dry_run=True)
    assert [(r.number, r.action) for r in preview.rows] == [
        ("HD2025-001", "update"),
        ("HD2025-002", "unchanged"),
        ("HD2025-003", "unchanged"),
    ]
    assert preview.rows[0].changes == {
        "total_budget": (Decimal(100), Decimal(110)),
        "requested_amount": (Decimal(60), Decimal(70)),
    }
    result = run_import(any_db, grouped_workbook(tmp_path / "b.xlsx", rows))
    assert result.written and result.counts()["update"] == 1
    assert stored(any_db)[0][9] == Decimal(70)
    with any_db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "application.update"))
        assert event.details["changes"]["requested_amount"] == ["60", "70"]


def test_same_number_reported_when_asked(db, tmp_path):
    run_import(db, grouped_workbook(tmp_path / "a.xlsx"))
    result = run_import(db, grouped_workbook(tmp_path / "a.xlsx"), existing=EXISTING_REJECT)
    assert not result.written and result.rejected == 3
    assert {i.kind for i in result.errors} == {"duplicate"}


def test_probable_duplicate_under_another_number_is_flagged(any_db, tmp_path):
    run_import(any_db, grouped_workbook(tmp_path / "a.xlsx"))
    again = [list(GOOD_ROWS[0])]
    again[0][1] = "HD2025-099"
    again[0][2] = GOOD_ROWS[0][2] + "。"  # same unit, nearly the same title
    result = run_import(any_db, grouped_workbook(tmp_path / "dup.xlsx", again, total_row=False))
    assert not result.written and result.rejected == 1
    issue = result.errors[0]
    assert (issue.kind, issue.row, issue.column) == ("duplicate", 4, "C")
    assert "HD2025-001" in issue.message
    accepted = run_import(
        any_db, grouped_workbook(tmp_path / "dup.xlsx", again, total_row=False), accept_probable_duplicates=True
    )
    assert accepted.written and accepted.counts()["create"] == 1


def test_number_repeated_within_the_file(db, tmp_path):
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][1] = "HD2025-001"
    result = run_import(db, grouped_workbook(tmp_path / "r.xlsx", rows))
    assert [(i.row, i.column) for i in result.errors] == [(7, "B")]


def test_money_formats_and_automatic_numbers(db, tmp_path):
    path = simple_workbook(
        tmp_path / "money.xlsx",
        ["项目名称", "承担单位", "负责人", "申请经费", "自筹经费", "起止时间", "所在县区"],
        [
            ["甲项目", "甲公司", "甲", "1,234.5", "12.5万元", "2025年1月至2026年12月", "平安"],
            ["乙项目", "乙大学", "乙", 3.25, "125000元", "2025-2026", "循化县"],
        ],
    )
    result = run_import(db, path, suggest=False)
    assert result.written, [i.text() for i in result.errors]
    assert [(r[0], r[1], r[3], r[6], r[7], r[8], r[9], r[10]) for r in stored(db)] == [
        ("2025-0001", "甲项目", "平安区", dt.date(2025, 1, 1), dt.date(2026, 12, 1), Decimal("1247"),
         Decimal("1234.5"), Decimal("12.5")),
        ("2025-0002", "乙项目", "循化撒拉族自治县", dt.date(2025, 1, 1), dt.date(2026, 12, 1), Decimal("15.75"),
         Decimal("3.25"), Decimal("12.5")),
    ]  # fmt: skip


def test_formula_without_value_is_a_row_error(db, tmp_path):
    path = simple_workbook(
        tmp_path / "f.xlsx",
        ["项目名称", "承担单位", "负责人", "申请经费"],
        [["甲项目", "甲公司", "甲", "=10*2"]],
    )
    result = run_import(db, path)
    assert [(i.row, i.column, i.header) for i in result.errors] == [(2, "D", "申请经费")]
    assert "=10*2" in result.errors[0].message


def test_wrong_file_is_a_user_error_and_nothing_changes(db, tmp_path):
    path = tmp_path / "renamed.xlsx"
    path.write_text("项目名称,承担单位\n", encoding="utf-8")
    before = counts(db)
    with pytest.raises(TableError, match="renamed.xlsx"):
        run_import(db, path)
    assert counts(db) == before


def test_cancel_leaves_the_database_unchanged(db, tmp_path):
    rows = [[f"项目{i}", "某公司", "张三", 10] for i in range(450)]
    path = simple_workbook(tmp_path / "many.xlsx", ["项目名称", "承担单位", "负责人", "申请经费"], rows)
    token = CancelToken()
    seen = []

    def on_progress(done, total, message):
        seen.append(done)
        if "写入" in message or "Writing" in message:
            token.cancel()

    before = counts(db)
    with pytest.raises(Cancelled):
        with db.session() as session:
            import_applications(
                session,
                path,
                ImportOptions(batch=BATCH, suggest=False),
                actor="t",
                progress=Progress(on_progress),
                cancel=token,
            )
    assert counts(db) == before
    assert seen
