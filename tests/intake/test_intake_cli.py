"""``reviewtool-cli import``, ``template`` and ``suggest-areas``."""

from __future__ import annotations

import json

from intake_workbooks import GOOD_ROWS, grouped_workbook
from openpyxl import load_workbook

from reviewtool.cli.main import main

BATCH = "2025年海东市科技计划项目"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_json_counts_and_exit_status(capsys, db, tmp_path):
    path = grouped_workbook(tmp_path / "s.xlsx")
    code, out, _err = run(capsys, "import", path, "--db", db.url, "--batch", BATCH, "--dry-run", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["counts"] == {"create": 3, "update": 0, "unchanged": 0, "reject": 0, "skipped_rows": 2}
    assert data["written"] is False and data["dry_run"] is True
    code, out, _ = run(capsys, "import", path, "--db", db.url, "--batch", BATCH, "--json")
    assert code == 0 and json.loads(out)["written"] is True

    rows = [list(r) for r in GOOD_ROWS]
    rows[0][1] = "HD2025-010"
    rows[0][9] = "很多"
    bad = grouped_workbook(tmp_path / "bad.xlsx", rows[:1], total_row=False)
    code, out, _ = run(capsys, "import", bad, "--db", db.url, "--batch", BATCH, "--json")
    data = json.loads(out)
    assert code == 1 and data["written"] is False
    assert [(e["sheet"], e["row"], e["column"], e["header"]) for e in data["errors"]] == [
        ("汇总表", 4, "J", "经费（万元）/申请经费")
    ]
    code, out, _ = run(capsys, "import", bad, "--db", db.url, "--batch", BATCH)
    assert code == 1 and "“很多”" in out


def test_wrong_file_is_one_line_without_traceback(capsys, db, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    code, out, err = run(capsys, "import", path, "--db", db.url, "--batch", BATCH)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and "x.xlsx" in err and "Traceback" not in err


def test_template_round_trip(capsys, db, tmp_path):
    path = tmp_path / "模板.xlsx"
    code, _out, _ = run(capsys, "template", path, "--db", db.url)
    assert code == 0
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["申报汇总表", "代码表", "填写说明"]
    sheet = workbook["申报汇总表"]
    assert sheet["A1"].value == "海东市科技计划项目申报汇总表"
    assert [c.value for c in sheet[2]][:4] == ["申报编号", "项目名称*", "计划类别", "指南方向"]
    formulas = sorted(v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list")
    assert formulas == [
        "'代码表'!$A$2:$A${}".format(1 + sum(1 for _ in workbook["代码表"]["A"]) - 1),
        "'代码表'!$B$2:$B$9",
        "'代码表'!$C$2:$C$9",
        "'代码表'!$D$2:$D$5",
    ]
    assert workbook["代码表"]["D2"].value == "企业"
    # Fill one row and import it back.
    headers = [c.value.rstrip("*").removesuffix("（万元）") for c in sheet[2]]
    assert "申请经费（万元）*" in [c.value for c in sheet[2]]  # money headers say their unit
    values = {
        "项目名称": "高原春油菜新品种引进与绿色栽培技术示范",
        "承担单位": "海东市农业科学研究所",
        "项目负责人": "李红梅",
        "申请经费": 30,
        "所在县区": "乐都区",
        "所属领域": workbook["代码表"]["A3"].value,
        "起止年限": "2025.01-2026.12",
    }
    for name, value in values.items():
        sheet.cell(row=3, column=headers.index(name) + 1, value=value)
    workbook.save(path)
    code, out, _ = run(capsys, "import", path, "--db", db.url, "--batch", BATCH, "--json")
    data = json.loads(out)
    assert code == 0, data["errors"]
    assert data["counts"]["create"] == 1 and data["rows"][0]["number"] == "2025-0001"


def test_suggest_areas_json(capsys, db):
    code, out, _ = run(
        capsys, "suggest-areas", "--db", db.url, "--title", "慢性高原病早期诊断生物标志物研究", "--json", "--limit", "3"
    )
    data = json.loads(out)
    assert code == 0 and set(data) == {"title", "confidence", "suggestions"}
    assert data["confidence"] in ("high", "medium")
    found = data["suggestions"]
    assert len(found) == 3 and set(found[0]) == {"code", "title", "score", "reasons"}
    assert found[0]["code"] == "HD-I14" and found[0]["score"] > found[1]["score"] and found[0]["reasons"]


def test_suggest_areas_from_a_file_one_answer_per_row_in_order(capsys, db, tmp_path):
    from intake_workbooks import simple_workbook

    path = simple_workbook(
        tmp_path / "t.xlsx",
        ["序号", "项目名称", "主要研究内容"],
        [[1, "犏牛高效养殖技术示范", ""], [2, "渤海湾盆地深层气田勘探", ""], [3, "高原夏菜水肥一体化", "滴灌施肥"]],
    )
    code, out, _ = run(capsys, "suggest-areas", "--db", db.url, "--from", path, "--json")
    data = json.loads(out)
    assert code == 0 and [d["row"] for d in data] == [2, 3, 4]
    assert [d["confidence"] == "low" for d in data] == [False, True, False]
    assert data[0]["suggestions"][0]["code"] == "HD-I05" and "犏牛→牦牛" in data[0]["suggestions"][0]["reasons"]
    code, out, _ = run(capsys, "suggest-areas", "--db", db.url, "--from", path)
    assert code == 0 and "HD-I05" in out and "没有明显适合" in out
    code, _out, err = run(capsys, "suggest-areas", "--db", db.url)
    assert code == 2


def test_import_with_map_and_a_saved_profile_then_read_back(capsys, db, tmp_path):
    from intake_workbooks import simple_workbook

    headers = ["项目名称", "承担单位", "负责人", "省科技计划资助金额（万元）", "备注"]
    first = simple_workbook(tmp_path / "a.xlsx", headers, [["牦牛高效养殖技术示范", "某牧业公司", "张三", 30, "重点"]])
    code, out, _ = run(capsys, "import", first, "--db", db.url, "--batch", BATCH, "--json")
    assert code == 1 and json.loads(out)["missing_columns"] == ["申请经费"]
    code, out, _ = run(
        capsys, "import", first, "--db", db.url, "--batch", BATCH,
        "--map", "省科技计划资助金额（万元）=申请经费", "--map", "备注=附加信息", "--save-profile", "省级表",
    )  # fmt: skip
    assert code == 0 and "省级表" in out
    second = simple_workbook(tmp_path / "b.xlsx", headers, [["藏羊繁育技术示范", "某合作社", "李四", 12, ""]])
    code, out, _ = run(capsys, "import", second, "--db", db.url, "--batch", BATCH, "--profile", "省级表", "--json")
    assert code == 0 and json.loads(out)["profile"] == "省级表"
    code, out, _ = run(capsys, "applications", "list", "--db", db.url, "--batch", BATCH, "--json")
    listed = json.loads(out)
    assert [(a["title"], a["requested_amount"]) for a in listed] == [
        ("牦牛高效养殖技术示范", "30"),
        ("藏羊繁育技术示范", "12"),
    ]
    code, out, _ = run(capsys, "applications", "show", listed[0]["number"], "--db", db.url, "--batch", BATCH, "--json")
    shown = json.loads(out)
    assert code == 0 and shown["extra_fields"] == {"备注": "重点"} and shown["requested_amount"] == "30"
    assert shown["unit"]["name"] == "某牧业公司" and shown["areas"] and shown["areas"][0]["source"] == "suggested"
    code, _out, err = run(capsys, "applications", "show", "NOPE", "--db", db.url, "--batch", BATCH)
    assert code == 1 and "NOPE" in err


def test_formal_review_command(capsys, db, tmp_path):
    run(capsys, "import", grouped_workbook(tmp_path / "s.xlsx"), "--db", db.url, "--batch", BATCH)
    code, out, _ = run(
        capsys, "formal-review", "HD2025-002", "--db", db.url, "--batch", BATCH, "--pass-all",
        "--fail", "on_time", "逾期两天", "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["status"] == "formal_failed"
    assert [(i["code"], i["passed"]) for i in data["items"]][3] == ("on_time", False)
    assert data["status_reason"].endswith("：逾期两天")
    code, _out, err = run(capsys, "formal-review", "HD2025-002", "--db", db.url, "--batch", BATCH, "--fail", "x", "y")
    assert code == 1 and "on_time" in err
    code, _out, err = run(capsys, "formal-review", "NOPE", "--db", db.url, "--batch", BATCH)
    assert code == 1 and "NOPE" in err


def test_suggest_areas_reads_a_sheet_whose_only_known_header_is_the_title(capsys, db, tmp_path):
    from intake_workbooks import simple_workbook

    # 承担单位 and 申请经费 are known headers too, but only 项目名称 is needed: a list of titles also works.
    path = simple_workbook(
        tmp_path / "t.xlsx",
        ["序号", "项目名称", "承担单位", "申请经费（万元）"],
        [[1, "犏牛高效养殖技术示范", "某牧业公司", 30], [2, "高原夏菜水肥一体化", "某合作社", 10]],
    )
    code, out, err = run(capsys, "suggest-areas", "--db", db.url, "--from", path, "--json")
    assert code == 0, err
    assert [(d["row"], d["title"]) for d in json.loads(out)] == [(2, "犏牛高效养殖技术示范"), (3, "高原夏菜水肥一体化")]
    titles_only = simple_workbook(
        tmp_path / "only.xlsx", ["序号", "项目名称", "备注"], [[1, "犏牛高效养殖技术示范", ""]]
    )
    code, out, err = run(capsys, "suggest-areas", "--db", db.url, "--from", titles_only, "--json")
    assert code == 0 and json.loads(out)[0]["suggestions"][0]["code"] == "HD-I05", err
    one_column = simple_workbook(tmp_path / "one.xlsx", ["项目名称"], [["犏牛高效养殖技术示范"]])
    code, out, err = run(capsys, "suggest-areas", "--db", db.url, "--from", one_column)
    assert code == 0 and "HD-I05" in out, err


def test_suggest_areas_from_a_file_reports_errors_as_json_with_json(capsys, db, tmp_path):
    from intake_workbooks import simple_workbook

    no_title = simple_workbook(tmp_path / "n.xlsx", ["承担单位", "申请经费"], [["某公司", 10]])
    code, out, err = run(capsys, "suggest-areas", "--db", db.url, "--from", no_title, "--json")
    data = json.loads(out)
    assert code == 1 and set(data) == {"file", "error"} and err == ""
    assert data["file"].endswith("n.xlsx") and "项目名称" in data["error"]
    code, out, err = run(capsys, "suggest-areas", "--db", db.url, "--from", no_title)
    assert code == 1 and out == "" and "项目名称" in err  # without --json: one line on stderr, as before
    blank_titles = simple_workbook(tmp_path / "b.xlsx", ["项目名称", "承担单位"], [[None, "某公司"]])
    code, out, _err = run(capsys, "suggest-areas", "--db", db.url, "--from", blank_titles, "--json")
    assert code == 1 and "没有任何一行填写了项目名称" in json.loads(out)["error"]
    not_a_workbook = tmp_path / "x.xlsx"
    not_a_workbook.write_text("<html></html>", encoding="utf-8")
    code, out, _err = run(capsys, "suggest-areas", "--db", db.url, "--from", not_a_workbook, "--json")
    assert code == 1 and "x.xlsx" in json.loads(out)["error"]


def test_import_json_says_no_batch_was_created_when_nothing_was_written(capsys, db, tmp_path):
    from intake_workbooks import simple_workbook
    from sqlalchemy import func, select

    from reviewtool.storage.models import Batch

    header_only = simple_workbook(tmp_path / "h.xlsx", ["项目名称", "承担单位", "项目负责人", "申请经费"], [])
    for extra in ((), ("--dry-run",)):
        code, out, _err = run(capsys, "import", header_only, "--db", db.url, "--batch", BATCH, "--json", *extra)
        data = json.loads(out)
        assert code == 1 and data["no_data_rows"] and data["batch_created"] is False and not data["written"]
    rejected = simple_workbook(
        tmp_path / "r.xlsx", ["项目名称", "承担单位", "项目负责人", "申请经费"], [["某项目", "某公司", "张三", "很多"]]
    )
    code, out, _err = run(capsys, "import", rejected, "--db", db.url, "--batch", BATCH, "--json")
    assert code == 1 and json.loads(out)["batch_created"] is False
    with db.session() as session:
        assert session.scalar(select(func.count(Batch.id))) == 0
    good = simple_workbook(
        tmp_path / "g.xlsx", ["项目名称", "承担单位", "项目负责人", "申请经费"], [["某项目", "某公司", "张三", 10]]
    )
    code, out, _err = run(capsys, "import", good, "--db", db.url, "--batch", BATCH, "--json", "--dry-run")
    assert code == 0 and json.loads(out)["batch_created"] is True  # a dry run says what the import would do
    code, out, _err = run(capsys, "import", good, "--db", db.url, "--batch", BATCH, "--json")
    assert code == 0 and json.loads(out)["batch_created"] is True and json.loads(out)["written"] is True
    code, out, _err = run(capsys, "import", good, "--db", db.url, "--batch", BATCH, "--json")
    assert json.loads(out)["batch_created"] is False  # the batch exists now


def test_a_map_naming_a_header_the_file_lacks_is_refused(capsys, db, tmp_path):
    from intake_workbooks import simple_workbook

    headers = ["项目名称", "承担单位", "负责人", "省科技计划资助金额（万元）"]
    path = simple_workbook(tmp_path / "m.xlsx", headers, [["牦牛高效养殖技术示范", "某牧业公司", "张三", 30]])
    code, out, err = run(capsys, "import", path, "--db", db.url, "--batch", BATCH, "--map", "资助金额（万元）=申请经费")
    assert code == 1 and out == ""
    assert "资助金额（万元）" in err and "省科技计划资助金额（万元）" in err and "项目名称" in err  # the headers found
    mapped = ("--map", "省科技计划资助金额（万元）=申请经费")
    code, out, err = run(
        capsys, "import", path, "--db", db.url, "--batch", BATCH, "--dry-run", *mapped, "--map", "备注=忽略"
    )
    assert code == 1 and out == "" and "“备注”" in err  # a header the sheet lacks is no longer passed over silently
    code, out, err = run(
        capsys, "import", path, "--db", db.url, "--batch", BATCH, "--dry-run", "--json",
        "--map", "省科技计划资助金额=申请经费",  # the header as written, without its unit, is the header
    )  # fmt: skip
    assert code == 0 and json.loads(out)["counts"]["create"] == 1, err
