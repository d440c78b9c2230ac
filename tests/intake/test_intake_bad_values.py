"""Bad values found in real-shaped files: each a row error naming its cell, never an internal
error, and nothing written (issue 11's intake parts and issue 12)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from intake_workbooks import simple_workbook
from openpyxl import Workbook
from sqlalchemy import func, select

from reviewtool.core.errors import UserError
from reviewtool.services.intake.import_result import ImportOptions
from reviewtool.services.intake.importer import import_applications
from reviewtool.storage.models import Application, AuditEvent, Batch, Unit

BATCH = "2026年海东市科技计划项目"
HEADER = ["项目名称", "承担单位", "项目负责人", "申请经费", "总预算"]


def run(db, path, **options):
    options.setdefault("batch", BATCH)
    with db.session() as session:
        return import_applications(session, path, ImportOptions(**options), actor="tester")


def nothing_written(db):
    with db.session() as session:
        return [session.scalar(select(func.count(m.id))) for m in (Application, Unit, Batch, AuditEvent)] == [
            0,
            0,
            0,
            0,
        ]


@pytest.mark.parametrize("value", [1e308, "1e15", "1E999", 99999999999, float("inf"), "-1e400", "NaN"])
def test_absurd_amounts_are_row_errors_naming_the_cell(db, tmp_path, value):
    path = simple_workbook(
        tmp_path / "m.xlsx", HEADER, [["某项目", "某公司", "张三", 10, 10], ["另一项目", "某公司", "李四", value, None]]
    )
    result = run(db, path)
    assert not result.written and result.rejected == 1
    (issue,) = result.errors
    assert (issue.row, issue.column, issue.header) == (3, "D", "申请经费")
    assert nothing_written(db)


def test_the_ceiling_is_the_batchs_and_an_amount_in_yuan_is_pointed_out(db, tmp_path):
    path = simple_workbook(tmp_path / "y.xlsx", HEADER, [["某项目", "某公司", "张三", 125000, None]])
    result = run(db, path, dry_run=True)
    (issue,) = result.errors
    assert issue.column == "D" and "100000" in issue.message and "12.5" in issue.message  # 125000 元 = 12.5 万元
    with db.session() as session:
        session.add(Batch(name=BATCH, year=2026, settings={"money_ceiling": "200000"}))
    result = run(db, path, dry_run=True)
    assert result.rejected == 0
    (warning,) = [i for r in result.rows for i in r.issues if i.kind == "warning"]
    assert warning.column == "D" and "12.5" in warning.message


def test_a_hidden_draft_sheet_matching_more_columns_never_wins(db, tmp_path):
    workbook = Workbook()
    visible = workbook.active
    visible.title = "汇总表"
    visible.append(["项目名称", "承担单位", "项目负责人", "申请经费"])
    visible.append(["正式项目", "某公司", "张三", 10])
    draft = workbook.create_sheet("草稿（作废）")
    draft.append(["项目名称", "承担单位", "项目负责人", "申请经费", "总预算", "自筹经费", "所在县区", "起止年限"])
    draft.append(["作废项目", "某公司", "张三", 99, 100, 1, "平安区", "2025.01-2025.12"])
    draft.sheet_state = "hidden"
    path = tmp_path / "h.xlsx"
    workbook.save(path)
    result = run(db, path, dry_run=True)
    assert result.sheet == "汇总表" and [r.title for r in result.rows] == ["正式项目"]
    assert result.hidden_sheets == ["草稿（作废）"] and any("草稿（作废）" in m for m in result.messages)
    named = run(db, path, dry_run=True, sheet="草稿（作废）")
    assert [r.title for r in named.rows] == ["作废项目"]


def test_hidden_rows_are_reported_in_the_preview(db, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["项目名称", "承担单位", "项目负责人", "申请经费"])
    sheet.append(["看得见的项目", "某公司", "张三", 10])
    sheet.append(["藏起来的项目", "某公司", "李四", 20])
    sheet.row_dimensions[3].hidden = True
    path = tmp_path / "r.xlsx"
    workbook.save(path)
    result = run(db, path, dry_run=True)
    assert [r.hidden for r in result.rows] == [False, True]
    (warning,) = result.rows[1].issues
    assert warning.kind == "warning" and "隐藏" in warning.text() and warning.row == 3


def test_headers_without_data_import_nothing_say_so_and_create_no_batch(db, tmp_path):
    path = simple_workbook(tmp_path / "e.xlsx", HEADER, [])
    result = run(db, path)
    assert not result.written and result.counts()["create"] == 0
    assert result.refused and result.as_json()["no_data_rows"]  # the CLI exits 1
    assert any("没有数据行" in m or "no data rows" in m for m in result.messages)
    assert nothing_written(db)


@pytest.mark.parametrize(
    ("column", "header", "value"),
    [
        ("A", "项目名称", "长" * 301),
        ("B", "承担单位", "单位" * 101),
        ("C", "项目负责人", "名" * 65),
        ("E", "负责人电话", "1" * 33),
        ("F", "职称", "高" * 65),
        ("G", "申报编号", "N" * 65),
    ],
)
def test_text_longer_than_its_column_is_a_row_error_on_every_engine(any_db, tmp_path, column, header, value):
    headers = ["项目名称", "承担单位", "项目负责人", "申请经费", "负责人电话", "职称", "申报编号"]
    row = ["某项目", "某公司", "张三", 10, "13800000000", "研究员", "N1"]
    row[headers.index(header)] = value
    result = run(any_db, simple_workbook(tmp_path / "l.xlsx", headers, [row]))
    assert not result.written
    (issue,) = result.errors
    assert (issue.column, issue.header) == (column, header) and "最多" in issue.message
    assert nothing_written(any_db)


def test_an_overlong_batch_name_is_refused_on_every_engine(any_db, tmp_path):
    path = simple_workbook(tmp_path / "b.xlsx", HEADER, [["某项目", "某公司", "张三", 10, 10]])
    with pytest.raises(UserError):
        run(any_db, path, batch="批" * 201)
    assert nothing_written(any_db)


def test_the_batch_length_rule_warns_without_refusing(db, tmp_path):
    with db.session() as session:
        session.add(Batch(name=BATCH, year=2026, settings={"title_length_rule": True}))
    title = "高原牦牛高效养殖与牛肉精深加工全产业链关键技术集成研究与应用示范"
    path = simple_workbook(
        tmp_path / "t.xlsx", HEADER, [[title, "青海省海东市某某高原特色农牧业科技开发有限责任公司", "张三", 10, 10]]
    )
    result = run(db, path, dry_run=True)
    assert result.rejected == 0
    warnings = sorted(i.column for i in result.rows[0].issues if i.kind == "warning")
    assert warnings == ["A", "B"]
    assert result.rows[0].requested == Decimal(10)


def test_checks_set_on_the_batch_apply_and_the_length_rule_counts_hanzi(db, tmp_path):
    from reviewtool.core.intake.rows import count_hanzi
    from reviewtool.services.batches import batch as batches

    with db.session() as session:
        batch_id, _c = batches.create_batch(session, {"name": BATCH}, actor="clerk")
        changes = batches.set_import_checks(
            session, batch_id, money_ceiling="500", title_length_rule="warn", actor="clerk"
        )
        assert changes.batches
    # 32 characters but 25 汉字 (5G, the brackets and the letters are not 汉字): no warning; 32 汉字 warn.
    latin = "5G基站（ABC）覆盖下的高原牦牛高效养殖与牛肉精深加工技术示范"
    hanzi = "高原牦牛高效养殖与牛肉精深加工全产业链关键技术集成研究与示范"
    assert (len(latin), count_hanzi(latin), count_hanzi(hanzi)) == (32, 25, 30)
    rows = [
        [latin, "某公司", "张三", 400, 400],
        [hanzi + "应用", "某公司", "李四", 10, 10],
        ["另一项目", "某公司", "王五", 600, 600],
    ]
    result = run(db, simple_workbook(tmp_path / "c.xlsx", HEADER, rows), dry_run=True)
    first, second, third = result.rows
    assert [i for i in first.issues if i.kind == "warning"] == []
    (warning,) = [i for i in second.issues if i.kind == "warning"]
    assert warning.column == "A" and "32 个汉字" in warning.message and "30 个汉字" in warning.message
    errors = [i for i in third.issues if i.kind == "error"]
    assert third.action == "reject" and {i.column for i in errors} == {"D", "E"}
    assert "500" in errors[0].message  # the batch's ceiling, not the default 100000
    with db.session() as session:
        batches.set_import_checks(session, batch_id, money_ceiling="", title_length_rule="off", actor="clerk")
    result = run(db, simple_workbook(tmp_path / "c.xlsx", HEADER, rows), dry_run=True)
    assert result.rejected == 0 and not [i for r in result.rows for i in r.issues if i.kind == "warning"]
