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
    headers = [c.value.rstrip("*") for c in sheet[2]]
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
    assert code == 0 and len(data) == 3
    assert set(data[0]) == {"code", "title", "score", "terms"}
    assert data[0]["code"] == "HD-I14" and data[0]["score"] > data[1]["score"]


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
