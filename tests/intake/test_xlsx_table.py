"""The safe table reader on real-world messy and wrong files."""

from __future__ import annotations

import io
import zipfile

import pytest
from intake_workbooks import GOOD_ROWS, grouped_workbook, simple_workbook
from openpyxl import Workbook

from reviewtool.core.tables.read import read_table
from reviewtool.core.tables.sniff import sniff
from reviewtool.core.tables.text import normalise_header
from reviewtool.core.tables.types import ColumnSpec, TableError

SPECS = [
    ColumnSpec("number", ("申报编号", "编号")),
    ColumnSpec("title", ("项目名称", "名称", "Project title"), required=True),
    ColumnSpec("unit", ("承担单位", "申报单位"), required=True),
    ColumnSpec("pi_name", ("项目负责人", "负责人", "项目负责人姓名")),
    ColumnSpec("pi_phone", ("联系电话", "项目负责人电话")),
    ColumnSpec("total", ("总经费",)),
    ColumnSpec("requested", ("申请经费",)),
    ColumnSpec("own", ("自筹经费",)),
]


def test_normalise_header_ignores_spaces_marks_brackets_and_width():
    assert normalise_header(" 项目 名称* ") == "项目名称"
    assert normalise_header("申请经费（万元）") == "申请经费"
    assert normalise_header("Project\nTitle：") == "projecttitle"
    assert normalise_header("ＡＢＣ") == "abc"


def test_grouped_two_row_header_with_title_sequence_spacer_and_total(tmp_path):
    path = grouped_workbook(tmp_path / "summary.xlsx")
    table = read_table(path, SPECS)
    assert table.sheet == "汇总表"
    assert table.header_rows == (2, 3)
    assert {k: c.letter for k, c in table.columns.items()} == {
        "number": "B",
        "title": "C",
        "unit": "D",
        "pi_name": "F",
        "pi_phone": "G",
        "total": "I",
        "requested": "J",
        "own": "K",
    }
    assert table.columns["pi_name"].group == "项目负责人"
    assert table.columns["requested"].group == "经费（万元）"
    # Data rows 4, 6, 7 (5 is the spacer); 合计 and the note are skipped, not data.
    assert [row.row for row in table.rows] == [4, 6, 7]
    assert [(s.row, s.reason) for s in table.skipped] == [(8, "total"), (9, "note")]
    first = table.rows[0]
    assert first.get("title") == GOOD_ROWS[0][2]
    assert first.get("pi_name") == "张立新"
    assert str(first.ref("requested")) == "汇总表!J4"
    assert sorted(c.full_label for c in table.unknown_columns) == [
        "主要研究内容",
        "备注",
        "所在县区",
        "所属领域",
        "起止年限",
    ]
    assert first.extra["备注"].value == "重点推荐"


def test_header_found_on_the_best_sheet_in_any_order(tmp_path):
    workbook = Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["请按要求填写"])
    data = workbook.create_sheet("数据")
    data.append(["负责人", "Project title", "申报单位"])
    data.append(["李四", "测试项目", "某公司"])
    workbook.save(tmp_path / "order.xlsx")
    table = read_table(tmp_path / "order.xlsx", SPECS)
    assert table.sheet == "数据"
    assert table.rows[0].get("title") == "测试项目"
    assert table.rows[0].get("pi_name") == "李四"


def test_missing_required_column_names_it(tmp_path):
    path = simple_workbook(tmp_path / "m.xlsx", ["项目名称", "负责人", "联系电话"], [["x", "y", "z"]])
    with pytest.raises(TableError) as error:
        read_table(path, SPECS)
    assert "m.xlsx" in str(error.value) and "承担单位" in str(error.value) and "Sheet1" in str(error.value)


def test_no_header_at_all(tmp_path):
    path = simple_workbook(tmp_path / "n.xlsx", ["a", "b"], [[1, 2]])
    with pytest.raises(TableError) as error:
        read_table(path, SPECS)
    assert "n.xlsx" in str(error.value) and "项目名称" in str(error.value)


def test_csv_renamed_xlsx_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "applications.xlsx"
    path.write_text("项目名称,承担单位\n测试,某公司\n", encoding="utf-8")
    with pytest.raises(TableError) as error:
        sniff(path)
    message = str(error.value)
    assert "applications.xlsx" in message and "CSV" in message


def test_real_csv_in_gb18030_is_read(tmp_path):
    path = tmp_path / "applications.csv"
    path.write_bytes("项目名称,承担单位,负责人\n测试项目,某公司,王五\n".encode("gb18030"))
    table = read_table(path, SPECS)
    assert table.kind == "csv"
    assert [(r.row, r.get("title"), r.get("pi_name")) for r in table.rows] == [(2, "测试项目", "王五")]


def test_html_renamed_xls_is_refused(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>项目名称</td></tr></table></body></html>", encoding="utf-8")
    with pytest.raises(TableError) as error:
        sniff(path)
    assert "export.xls" in str(error.value) and "HTML" in str(error.value)


def test_old_binary_xls_is_refused(tmp_path):
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("Sheet1").write(0, 0, "项目名称")
    path = tmp_path / "old.xls"
    book.save(str(path))
    with pytest.raises(TableError) as error:
        read_table(path, SPECS)
    assert "old.xls" in str(error.value) and "97-2003" in str(error.value)


def test_password_protected_workbook_is_refused(tmp_path):
    import msoffcrypto.format.ooxml

    plain = simple_workbook(tmp_path / "plain.xlsx", ["项目名称", "承担单位"], [["a", "b"]])
    encrypted = tmp_path / "secret.xlsx"
    with plain.open("rb") as source, encrypted.open("wb") as target:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("123456", target)
    with pytest.raises(TableError) as error:
        read_table(encrypted, SPECS)
    assert "secret.xlsx" in str(error.value)
    assert "密码" in str(error.value) or "password" in str(error.value)


def test_truncated_zip_is_refused(tmp_path):
    good = simple_workbook(tmp_path / "good.xlsx", ["项目名称", "承担单位"], [["a", "b"]])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(TableError) as error:
        read_table(broken, SPECS)
    assert "broken.xlsx" in str(error.value)


def test_word_document_and_empty_file_are_refused(tmp_path):
    docx = tmp_path / "letter.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    docx.write_bytes(buffer.getvalue())
    with pytest.raises(TableError, match="letter.xlsx"):
        sniff(docx)
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(TableError, match="empty.xlsx"):
        sniff(empty)


def test_formulas_without_cached_values_are_reported_per_cell(tmp_path):
    path = simple_workbook(
        tmp_path / "f.xlsx",
        ["项目名称", "承担单位", "申请经费", "自筹经费", "总经费"],
        [["甲", "某公司", 10, 5, "=C2+D2"], ["乙", "某公司", 3, 2, "=C3+D3"]],
    )
    table = read_table(path, SPECS)
    assert table.uncached_formulas == 2
    cell = table.rows[0].cells["total"]
    assert cell.value is None and cell.formula == "=C2+D2"


def test_formula_only_sheet_is_refused(tmp_path):
    path = simple_workbook(tmp_path / "only.xlsx", ["项目名称", "承担单位"], [["=Z1", "=Z2"], ["=Z3", "=Z4"]])
    with pytest.raises(TableError) as error:
        read_table(path, SPECS)
    assert "only.xlsx" in str(error.value) and "Sheet1" in str(error.value)


def test_cached_formula_values_are_read(tmp_path):
    """A workbook saved by Excel keeps formula results; they are what we read."""
    path = simple_workbook(tmp_path / "c.xlsx", ["项目名称", "承担单位", "总经费"], [["甲", "某公司", "=1+1"]])
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    assert "<f>1+1</f><v></v>" in sheet or "<f>1+1</f><v />" in sheet or "<f>1+1</f>" in sheet
    sheet = sheet.replace("<f>1+1</f><v></v>", "<f>1+1</f><v>2</v>").replace("<f>1+1</f><v />", "<f>1+1</f><v>2</v>")
    if "<v>2</v>" not in sheet:
        sheet = sheet.replace("<f>1+1</f>", "<f>1+1</f><v>2</v>")
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    cached = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(cached, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    table = read_table(cached, SPECS)
    assert table.rows[0].get("total") == 2
    assert table.uncached_formulas == 0


def test_row_limit_and_trailing_blank_rows(tmp_path):
    rows = [[f"项目{i}", "某公司"] for i in range(30)]
    path = simple_workbook(tmp_path / "big.xlsx", ["项目名称", "承担单位"], rows)
    with pytest.raises(TableError) as error:
        read_table(path, SPECS, max_rows=20)
    assert "big.xlsx" in str(error.value) and "20" in str(error.value)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["项目名称", "承担单位"])
    sheet.append(["甲", "某公司"])
    sheet.cell(row=5000, column=1).number_format = "0.00"  # formatted far below, no value
    sheet.cell(row=5001, column=1, value="孤立的值")
    workbook.save(tmp_path / "tail.xlsx")
    table = read_table(tmp_path / "tail.xlsx", SPECS, max_blank_run=100)
    assert [r.row for r in table.rows] == [2]
