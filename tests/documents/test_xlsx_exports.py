"""Excel helpers and exports, read back with openpyxl."""

from __future__ import annotations

import zipfile
from decimal import Decimal

import openpyxl
import pytest

from reviewtool.services.exports.workbooks import export_batch_workbook, export_funding_workbook, export_score_matrix
from reviewtool.services.exports.xlsx import (
    MONEY_FORMAT,
    Column,
    TableSheet,
    add_sheet,
    is_formula_like,
    new_workbook,
    save_workbook,
    sheet_title,
)
from reviewtool.services.progress import Cancelled, CancelToken

ATTACKS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=1+1"]


def test_injection_attempts_are_written_as_text(tmp_path):
    wb = new_workbook()
    ws = add_sheet(wb, "测试")
    sheet = TableSheet(ws, [Column("文本"), Column("金额", "money")])
    for text in ATTACKS:
        sheet.append([text, Decimal("1234.5")])
    sheet.append(["普通文字 = 不是公式", None])
    sheet.finish()
    path = save_workbook(wb, tmp_path / "t.xlsx")
    # no formula anywhere in the saved XML
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    back = openpyxl.load_workbook(path)["测试"]
    for row, text in enumerate(ATTACKS, start=2):
        cell = back.cell(row=row, column=1)
        # XML turns a carriage return into a line feed; the text stays text either way
        assert cell.value.replace("\n", "\r") == text.replace("\n", "\r") and cell.data_type == "s"
        assert cell.quotePrefix  # shown literally and kept as text when edited
    plain = back.cell(row=len(ATTACKS) + 2, column=1)
    assert plain.value == "普通文字 = 不是公式" and not plain.quotePrefix
    money = back.cell(row=2, column=2)
    assert money.value == 1234.5 and money.number_format == MONEY_FORMAT


def test_header_bold_frozen_and_widths(tmp_path):
    wb = new_workbook()
    ws = add_sheet(wb, "表")
    sheet = TableSheet(ws, [Column("编号"), Column("很长的项目名称")], title="标题")
    sheet.append(["A-1", "名称" * 10])
    sheet.finish()
    back = openpyxl.load_workbook(save_workbook(wb, tmp_path / "w.xlsx"))["表"]
    assert back.freeze_panes == "A3"
    assert back.cell(row=2, column=1).font.b and back.cell(row=1, column=1).value == "标题"
    assert "A1:B1" in {str(r) for r in back.merged_cells.ranges}
    assert back.column_dimensions["B"].width == 42  # 40 display columns + 2
    assert back.auto_filter.ref == "A2:B3"


def test_helpers():
    assert is_formula_like("=x") and is_formula_like("-1") and not is_formula_like("x=1") and not is_formula_like("")
    assert sheet_title("a/b:c*?[x]") == "a_b_c___x_"
    assert sheet_title("表", ["表"]) == "表 (2)"
    assert len(sheet_title("长" * 40)) == 31


def test_funding_workbook_values_and_formats(scored_db, tmp_path):
    with scored_db.session() as s:
        path = export_funding_workbook(s, scored_db.info.batch_id, tmp_path / "funding.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:4] == ["拟立项项目清单", "评审排序", "立项线", "规划统计"]
    ws = wb["拟立项项目清单"]
    header = [c.value for c in ws[2]]
    assert header[:3] == ["排名", "申报编号", "项目名称"] and ws.freeze_panes == "A3"
    assert all(c.font.b for c in ws[2])
    first = {h: c for h, c in zip(header, ws[3], strict=True)}
    assert first["申报编号"].value == "HD2026-001"
    assert first["项目名称"].value == scored_db.info.tricky_title and first["项目名称"].data_type == "s"
    assert first["申请经费（万元）"].value == 80 and first["申请经费（万元）"].number_format == "#,##0.00"
    assert first["建议经费（万元）"].value == 50
    assert first["评分"].value == pytest.approx(89.33) and first["评分"].number_format == "0.00"
    assert first["结论"].value == "拟立项" and first["敏感性"].value == "稳定入选"
    # the same rows and totals as the PDF list: the three within the line, then 合计 as formulas
    assert [ws.cell(row=r, column=2).value for r in range(3, 6)] == ["HD2026-001", "HD2026-002", "HD2026-003"]
    total = [c.value for c in ws[6]]
    assert total[0] == "合计" and total[11] == "=SUM(L3:L5)" and total[12] == "=SUM(M3:M5)"
    assert [ws.cell(row=r, column=14).value for r in range(3, 6)] == ["=M3", "=N3+M4", "=N4+M5"]
    ranking = wb["评审排序"]
    assert [c.value for c in ranking[7]][11:13] == [215, 145]
    line = {r[0].value: r[1].value for r in wb["立项线"].iter_rows(min_row=2)}
    assert line["剩余经费（万元）"] == 5 and line["立项线所在名次"] == 3
    plan = {r[0].value: r for r in wb["规划统计"].iter_rows(min_row=3)}
    assert plan["HD-D2"][3].value == 2 and plan["HD-D2"][5].number_format == "0.0%"


def test_injection_in_an_application_title_is_escaped(scored_db, tmp_path):
    from reviewtool.storage.models import Application

    with scored_db.session() as s:
        s.get(Application, scored_db.info.app_ids["HD2026-002"]).title = '=HYPERLINK("http://evil","点我")'
    with scored_db.session() as s:
        path = export_funding_workbook(s, scored_db.info.batch_id, tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(path)["拟立项项目清单"]
    cell = ws.cell(row=4, column=3)
    assert cell.value == '=HYPERLINK("http://evil","点我")' and cell.data_type == "s" and cell.quotePrefix


def test_score_matrix_application_expert_criterion(scored_db, tmp_path):
    with scored_db.session() as s:
        path = export_score_matrix(s, scored_db.info.batch_id, tmp_path / "m.xlsx")
    ws = openpyxl.load_workbook(path).active
    header = [c.value for c in ws[2]]
    assert header[:5] == ["评审阶段", "申报编号", "项目名称", "专家", "评分标准"]  # one stage: the current one
    assert header[5].startswith("C1 ") and header[12].startswith("C8 ")
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 12 and {r[0] for r in rows} == {"网络评审"}
    first = rows[0]
    assert first[1] == "HD2026-001" and first[3] == "王专家"
    assert first[5:13] == (14, 14, 14, 14, 9, 14, 9, 4) and first[13] == 92
    with scored_db.session() as s:
        anon = export_score_matrix(s, scored_db.info.batch_id, tmp_path / "a.xlsx", anonymous=True)
    names = {r[3] for r in openpyxl.load_workbook(anon).active.iter_rows(min_row=3, values_only=True)}
    assert names == {"专家1", "专家2", "专家3"}


def test_batch_workbook_has_every_part_and_can_be_cancelled(scored_db, tmp_path):
    with scored_db.session() as s:
        path = export_batch_workbook(s, scored_db.info.batch_id, tmp_path / "batch.xlsx")
    wb = openpyxl.load_workbook(path)
    assert {"申报项目", "专家组评审结果", "评分矩阵", "拟立项项目清单", "规划统计"} <= set(wb.sheetnames)
    apps = wb["申报项目"]
    assert apps.cell(row=3, column=1).value == "HD2026-001"
    text = " ".join(str(c.value) for row in wb["评分矩阵"].iter_rows() for c in row if c.value)
    assert "13900000000" not in text and "example.cn" not in text
    token = CancelToken()
    token.cancel()
    target = tmp_path / "cancelled.xlsx"
    with scored_db.session() as s, pytest.raises(Cancelled):
        export_batch_workbook(s, scored_db.info.batch_id, target, cancel=token)
    assert not target.exists() and list(tmp_path.glob(".~*")) == []
