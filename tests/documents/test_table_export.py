"""``services.exports.table_export``: any list as shown, written to Excel
(no Qt). Numbers stay numbers, look-alike numbers stay text, nothing is
ever a formula, and the export is in the audit trail."""

from __future__ import annotations

from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from reviewtool.services.exports.table_export import column_kinds, export_table
from reviewtool.storage.models import AuditEvent

HEADERS = ["排名", "申报编号", "项目名称", "评分", "申请经费（万元）", "联系电话", "区号", "备注"]
ROWS = [
    [
        "1",
        "HDKJ2025-011",
        "马铃薯脱毒种薯三级繁育体系优化",
        "91.67",
        "1,234.50",
        "13897000001",
        "0972",
        '=HYPERLINK("x")',
    ],
    ["—", "HDKJ2025-030", "浓香菜籽油低温压榨品质提升", "", "80.00", "0972-8611234", "0972", "+1"],
    ["3", "HDKJ2025-013", "高海拔脑山地区青稞—蚕豆轮作", "88", "50", "", "0971", "@备注"],
]


def test_amount_columns_become_numbers_and_look_alikes_stay_text():
    kinds = column_kinds(ROWS, len(HEADERS))
    assert kinds[0] == "0"  # rank, with "—" for none
    assert kinds[3] == "0.00" and kinds[4] == "#,##0.00"
    assert kinds[1] is kinds[2] is kinds[5] is kinds[6] is kinds[7] is None  # numbers, titles, phones, area codes


def test_the_workbook_holds_the_rows_as_given(any_db, tmp_path):
    db = any_db
    with db.session() as session:
        changes = export_table(
            session,
            tmp_path / "排序",
            title="评审排序 — 2025年（含“马铃薯”）",
            headers=HEADERS,
            rows=ROWS,
            actor="张三",
        )
    path = tmp_path / "排序.xlsx"
    assert changes.details == {"path": str(path), "rows": 3}
    assert "3" in changes.message and str(path) in changes.message
    ws = load_workbook(path).active
    assert ws["A1"].value == "评审排序 — 2025年（含“马铃薯”）"
    assert [c.value for c in ws[2]] == HEADERS
    assert [ws.cell(row=r, column=2).value for r in (3, 4, 5)] == ["HDKJ2025-011", "HDKJ2025-030", "HDKJ2025-013"]
    assert ws["A3"].value == 1 and ws["A4"].value == "—"
    assert Decimal(str(ws["D3"].value)) == Decimal("91.67") and ws["D3"].number_format == "0.00"
    assert ws["D4"].value is None
    assert Decimal(str(ws["E3"].value)) == Decimal("1234.50") and ws["E3"].number_format == "#,##0.00"
    assert ws["F3"].value == "13897000001" and ws["G3"].value == "0972"  # not numbers
    for ref in ("H3", "H4", "H5"):
        cell = ws[ref]
        assert cell.data_type == "s" and cell.quotePrefix  # shown literally, never evaluated
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == "A2:H5"
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "list.export"))
        assert event.actor == "张三" and event.details["rows"] == 3 and event.details["file"] == "排序.xlsx"


def test_an_empty_list_still_writes_its_headers(db, tmp_path):
    with db.session() as session:
        export_table(session, tmp_path / "空.xlsx", title="专家库", headers=HEADERS, rows=[], actor="t")
    ws = load_workbook(tmp_path / "空.xlsx").active
    assert [c.value for c in ws[2]] == HEADERS and ws.max_row == 2
