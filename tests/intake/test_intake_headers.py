"""Real header families, summed budget lines, column mapping and saved mappings."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from intake_workbooks import simple_workbook
from sqlalchemy import func, select

from reviewtool.core.errors import UserError
from reviewtool.core.intake.fields import EXTRA, IGNORE
from reviewtool.services.intake import mapping
from reviewtool.services.intake.import_result import ImportOptions
from reviewtool.services.intake.importer import import_applications
from reviewtool.storage.models import Application, Batch, MappingProfile, Unit

BATCH = "2026年海东市科技计划项目"
HEADERS = yaml.safe_load((Path(__file__).resolve().parents[1] / "data" / "real_headers.yaml").read_text("utf-8"))[
    "families"
]


def run(db, path, **options):
    options.setdefault("batch", BATCH)
    with db.session() as session:
        return import_applications(session, path, ImportOptions(**options), actor="tester")


def stored(db, *columns):
    with db.session() as session:
        return [tuple(r) for r in session.execute(select(*columns).join(Unit).order_by(Application.number))]


def test_city_call_headers_are_recognised_without_mapping(db, tmp_path):
    headers = HEADERS["city_call"]["headers"]
    rows = [
        ["富硒马铃薯绿色栽培技术示范", "海东市农业科学研究所", "平安区", "李红梅", "80", "50", "30"],
        ["高原夏菜水肥一体化示范", "乐都区农技中心", "乐都区", "王强", 20, 20, 0],
    ]
    result = run(db, simple_workbook(tmp_path / "call.xlsx", headers, rows))
    assert result.written and result.counts()["create"] == 2 and result.unknown_columns == []
    assert stored(
        db, Application.title, Unit.name, Unit.county, Application.total_budget, Application.requested_amount
    ) == [
        ("富硒马铃薯绿色栽培技术示范", "海东市农业科学研究所", "平安区", Decimal(80), Decimal(50)),
        ("高原夏菜水肥一体化示范", "乐都区农技中心", "乐都区", Decimal(20), Decimal(20)),
    ]


def test_a_county_outside_haidong_is_refused_naming_the_cell(db, tmp_path):
    headers = HEADERS["city_call"]["headers"]
    path = simple_workbook(tmp_path / "c.xlsx", headers, [["某项目", "西宁某公司", "西宁市城东区", "张三", 10, 10, 0]])
    result = run(db, path)
    assert not result.written and result.rejected == 1
    (issue,) = result.errors
    assert (issue.row, issue.column, issue.header) == (2, "C", "所在县（区）")
    assert "西宁市城东区" in issue.message


@pytest.mark.parametrize("family", ["public_notice", "anyang_acceptance", "contract_form", "showdoc_declaration_api"])
def test_real_header_families(db, tmp_path, family):
    headers = HEADERS[family]["headers"]
    values = {
        "序号": 1, "项目名称": "牦牛高效养殖技术示范", "承担单位": "青海某牧业有限公司", "项目负责人": "张三",
        "项目类别": "重点研发与转化计划", "资助金额（万元）": 30, "资助金额": 30, "协作单位": "青海大学",
        "起止时间": "2025.01-2026.12", "项目第一承担单位": "青海某牧业有限公司", "职称/职务": "高级畜牧师",
        "单位自筹（含工程配套）": 20, "申报单位": "青海某牧业有限公司", "联系人": "李四",
    }  # fmt: skip
    row = [values.get(h) for h in headers]
    options = {} if "资助金额" in "".join(headers) else {"mapping": {}}
    result = run(db, simple_workbook(tmp_path / f"{family}.xlsx", headers, [row]), **options)
    if not any("资助" in h for h in headers):
        # No amount column: the import says which columns are missing and how to map them, writing nothing.
        assert not result.written and "申请经费" in result.missing_columns
        assert any("--map" in m for m in result.messages)
        assert [h.header for h in result.headers] == [h for h in headers if h != "序号"]
        return
    assert result.written, [i.text() for i in result.errors]
    assert stored(db, Application.title, Unit.name, Application.requested_amount)[0][1] == "青海某牧业有限公司"


def test_budget_lines_of_the_post_2021_forms_and_travel_plus_meetings_summed(db, tmp_path):
    lines = HEADERS["budget_lines_post_2021"]["headers"]
    headers = ["项目名称", "承担单位", "项目负责人", "申请经费", *lines]
    amounts = [10, 5, 2, 1, 3, 4, 1.5, 0.5, 6, 1, 0.25, 2, 1]
    simple = simple_workbook(tmp_path / "b.xlsx", headers, [["某项目", "某公司", "张三", 40, *amounts]])
    result = run(db, simple)
    assert result.written and result.unknown_columns == []
    (budget,) = [b for (b,) in stored(db, Application.budget_lines)]
    assert budget == {
        "设备": "10", "材料": "5", "测试": "2", "燃料动力": "1", "差旅会议": "7", "国际合作交流": "1.5",
        "出版知识产权": "0.5", "人员": "6", "专家咨询": "1", "其他": "0.25", "管理费": "2", "绩效支出": "1",
    }  # fmt: skip


def test_a_bad_second_travel_column_is_named_by_its_own_cell(db, tmp_path):
    headers = ["项目名称", "承担单位", "项目负责人", "申请经费", "差旅费", "会议费"]
    result = run(db, simple_workbook(tmp_path / "b.xlsx", headers, [["某项目", "某公司", "张三", 40, 3, "四万"]]))
    assert not result.written
    (issue,) = result.errors
    assert (issue.column, issue.header) == ("F", "会议费")


def test_an_ambiguous_area_header_is_asked_about_not_guessed(db, tmp_path):
    headers = ["项目名称", "承担单位", "项目负责人", "申请经费", "所属领域（学科）"]
    path = simple_workbook(tmp_path / "a.xlsx", headers, [["某项目", "某公司", "张三", 40, "畜牧学"]])
    result = run(db, path, dry_run=True)
    assert result.ambiguous_columns == ["所属领域（学科）"] and result.rejected == 0
    assert any("所属领域（学科）" in m and "--map" in m for m in result.messages)
    assert [h.key for h in result.headers if h.ambiguous] == [EXTRA]
    mapped = run(db, path, dry_run=True, mapping={"所属领域（学科）": "area"})
    assert mapped.rejected == 1 and "畜牧学" in mapped.errors[0].message  # now read as the plan's area


def test_several_units_in_one_cell_are_lead_unit_and_partners(db, tmp_path):
    headers = ["项目名称", "承担单位", "项目负责人", "申请经费", "合作单位"]
    row = ["某项目", "青海某牧业有限公司、青海大学；海东市农科院", "张三", 40, "青海省畜牧兽医科学院"]
    result = run(db, simple_workbook(tmp_path / "u.xlsx", headers, [row]))
    assert result.written
    assert stored(db, Unit.name, Application.partner_units) == [
        ("青海某牧业有限公司", "青海大学、海东市农科院、青海省畜牧兽医科学院")
    ]
    assert any("青海大学" in i.message for i in result.rows[0].issues if i.kind == "warning")


GUANGDONG_ROW = ["牦牛高效养殖技术示范", "GD-2024-01", "青海某牧业有限公司", "青海大学", 30, "2024.01-2025.12"]


def test_cli_style_mapping_with_the_template_label_or_the_key(db, tmp_path):
    headers = HEADERS["guangdong_acceptance"]["headers"] + ["负责人"]
    path = simple_workbook(tmp_path / "gd.xlsx", headers, [[*GUANGDONG_ROW, "张三"]])
    refused = run(db, path, dry_run=True)
    assert refused.missing_columns == ["申请经费"] and refused.refused
    assert mapping.parse_map_options(["省科技计划资助金额（万元）=申请经费"]) == {
        "省科技计划资助金额（万元）": "requested_amount"
    }
    for target in ("申请经费", "requested_amount"):
        parsed = mapping.parse_map_options([f"省科技计划资助金额（万元）={target}", "项目编号=忽略"])
        result = run(db, path, dry_run=True, mapping=parsed)
        assert result.rejected == 0 and result.rows[0].requested == Decimal(30)
        uses = {h.header: (h.key, h.mapped) for h in result.headers}
        assert uses["省科技计划资助金额（万元）"] == ("requested_amount", True)
        assert uses["项目编号"] == (IGNORE, True)
    with pytest.raises(UserError):
        mapping.parse_map_options(["省科技计划资助金额=金额"])
    with pytest.raises(UserError):
        mapping.parse_map_options(["没有等号"])


def test_a_saved_mapping_is_reused_on_a_second_sheet_and_nothing_written_on_a_dry_run(db, tmp_path):
    headers = HEADERS["guangdong_acceptance"]["headers"] + ["负责人"]
    first = simple_workbook(tmp_path / "gd1.xlsx", headers, [[*GUANGDONG_ROW, "张三"]])
    result = run(db, first, mapping={"省科技计划资助金额（万元）": "requested_amount"}, save_profile="广东验收表")
    assert result.written and result.profile_saved == "广东验收表"
    with db.session() as session:
        (profile,) = session.scalars(select(MappingProfile)).all()
        assert profile.mapping == {"省科技计划资助金额（万元）": "requested_amount"}
    second_row = ["藏羊繁育技术示范", "GD-2024-02", "海东某合作社", "", 12, "2024.03-2025.02", "李四"]
    second = simple_workbook(tmp_path / "gd2.xlsx", headers, [second_row])
    by_name = run(db, second, dry_run=True, profile="广东验收表", use_matching_profile=False)
    assert by_name.profile == "广东验收表" and by_name.rejected == 0
    automatic = run(db, second)  # same headers: the saved mapping is used without asking
    assert automatic.written and automatic.profile == "广东验收表"
    assert sorted(a for (a,) in stored(db, Application.requested_amount)) == [Decimal(12), Decimal(30)]
    with pytest.raises(UserError):
        run(db, second, dry_run=True, profile="没有这个")


def test_a_mapping_saved_only_when_the_import_writes(db, tmp_path):
    headers = HEADERS["guangdong_acceptance"]["headers"] + ["负责人"]
    path = simple_workbook(tmp_path / "gd.xlsx", headers, [[*GUANGDONG_ROW, "张三"]])
    run(db, path, dry_run=True, mapping={"省科技计划资助金额（万元）": "requested_amount"}, save_profile="x")
    with db.session() as session:
        assert session.scalar(select(func.count(MappingProfile.id))) == 0
        assert session.scalar(select(func.count(Batch.id))) == 0


def test_two_columns_of_one_amount_are_summed_and_said_so(db, tmp_path):
    headers = ["项目名称", "承担单位", "项目负责人", "市级财政补助", "申请财政补助", "单位自筹", "配套经费"]
    row = ["富硒马铃薯绿色栽培技术示范", "海东市农业科学研究所", "李红梅", 20, 10, 5, 5]
    result = run(db, simple_workbook(tmp_path / "s.xlsx", headers, [row]))
    assert result.written, [i.text() for i in result.errors]
    assert stored(db, Application.requested_amount, Application.self_funding, Application.total_budget) == [
        (Decimal(30), Decimal(10), Decimal(40))
    ]
    assert stored(db, Application.extra_fields) == [({},)]
    summed = [m for m in result.messages if "自筹经费" in m]
    assert len(summed) == 1 and "F" in summed[0] and "G" in summed[0] and "相加" in summed[0]
    assert any("D" in m and "E" in m and "申请经费" in m and "相加" in m for m in result.messages)
    assert not any("附加信息" in m for m in result.messages)  # nothing is said to be kept that is not
    assert [h.key for h in result.headers] == [
        "title", "unit", "pi_name", "requested_amount", "requested_amount", "self_funding", "self_funding",
    ]  # fmt: skip


def test_a_bad_second_amount_column_is_named_by_its_own_cell(db, tmp_path):
    headers = ["项目名称", "承担单位", "项目负责人", "申请经费", "单位自筹", "配套经费"]
    result = run(db, simple_workbook(tmp_path / "b.xlsx", headers, [["某项目", "某公司", "张三", 40, 5, "五万"]]))
    assert not result.written
    (issue,) = result.errors
    assert (issue.column, issue.header) == ("F", "配套经费") and "五万" in issue.message


def test_a_text_field_found_twice_and_two_unknown_columns_of_one_header_are_all_kept(db, tmp_path):
    headers = ["项目名称", "承担单位", "项目负责人", "申请经费", "负责人", "备注", "备注"]
    row = ["某项目", "某公司", "张三", 40, "李四", "重点推荐", "材料齐全"]
    result = run(db, simple_workbook(tmp_path / "d.xlsx", headers, [row]))
    assert result.written, [i.text() for i in result.errors]
    assert stored(db, Application.pi_name, Application.extra_fields) == [
        ("张三", {"负责人": "李四", "备注 (F)": "重点推荐", "备注 (G)": "材料齐全"})
    ]
    (twice,) = [m for m in result.messages if "负责人" in m]
    assert "E" in twice and "C" in twice and "附加信息" in twice and "“负责人”" in twice
    assert any("备注 (F)" in m and "备注 (G)" in m for m in result.messages)
    assert [(h.letter, h.key) for h in result.headers][4:] == [("E", EXTRA), ("F", EXTRA), ("G", EXTRA)]
