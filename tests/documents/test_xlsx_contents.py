"""What the Excel exports carry and how they print, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import openpyxl

from reviewtool.core.intake.fields import FIELDS
from reviewtool.services.exports.workbooks import export_batch_workbook, export_score_matrix
from reviewtool.services.exports.xlsx import LINE_HEIGHT
from reviewtool.services.scoring import sheet_edits, sheets
from reviewtool.storage.models import Application, ScoreSheet


def _opinion_that_looks_like_a_formula(db):
    with db.session() as s:
        sheet = s.query(ScoreSheet).filter_by(application_id=db.info.app_ids["HD2026-003"]).first()
        view = sheets.sheet_view(s, sheet).data
        comments = dict(view.comments)
        comments["C3"] = "-技术路线需细化"
        data = sheets.sheet_input_from_mapping(
            points=view.points, comments=comments, vetoes=view.vetoes, opinion=view.opinion,
            written_opinion='=HYPERLINK("http://evil","点我")',
        )  # fmt: skip
        sheet_edits.save_sheet(s, application_id=sheet.application_id, reviewer_id=sheet.reviewer_id, data=data,
                               actor="t", submit=True)  # fmt: skip


def test_the_matrix_carries_written_opinions_and_criterion_comments(scored_db, tmp_path):
    _opinion_that_looks_like_a_formula(scored_db)
    with scored_db.session() as s:
        path = export_score_matrix(s, scored_db.info.batch_id, tmp_path / "m.xlsx")
    ws = openpyxl.load_workbook(path).active
    header = [c.value for c in ws[2]]
    opinion = header.index("评审意见")
    comment_c2 = header.index("C2 评语")
    rows = list(ws.iter_rows(min_row=3))
    first = rows[0]
    assert first[opinion].value == "第1位专家意见：研究基础较好。"
    assert first[comment_c2].value == "创新性<突出> & 有特色"
    number = header.index("申报编号")
    typed = next(r for r in rows if r[number].value == "HD2026-003" and r[opinion].value.startswith("="))
    cell = typed[opinion]
    # text an expert typed that begins with = stays text when the workbook is edited again
    assert cell.data_type == "s" and cell.quotePrefix and cell.value == '=HYPERLINK("http://evil","点我")'
    assert typed[header.index("C3 评语")].quotePrefix
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$2"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text


def test_the_batch_workbook_carries_every_field_and_rows_fit_their_text(scored_db, tmp_path):
    with scored_db.session() as s:
        app = s.get(Application, scored_db.info.app_ids["HD2026-002"])
        app.guide_direction, app.pi_title, app.pi_phone, app.contact_name = "智慧农牧", "研究员", "13800000000", "赵六"
        app.team_size, app.total_budget, app.self_funding = 12, Decimal("90"), Decimal("45")
        app.start_date, app.end_date = dt.date(2026, 1, 1), dt.date(2027, 12, 1)
        app.budget_lines = {"设备": "20.5", "自定义费用": "3"}
        app.outputs = {"发明专利": "2"}
        app.extra_fields = {"备注列": "导入时保留"}
        app.title = "智慧农牧业物联网平台研发" * 6  # long: the row must grow
    with scored_db.session() as s:
        path = export_batch_workbook(s, scored_db.info.batch_id, tmp_path / "b.xlsx")
    ws = openpyxl.load_workbook(path)["申报项目"]
    header = [c.value for c in ws[2]]
    for field in FIELDS:
        if field.key not in ("start_date", "end_date"):
            assert field.header in header, field.header
    assert {"自定义费用", "备注列", "专家组得分", "状态"} <= set(header)
    assert len(header) > 50  # was 14
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "HD2026-002")
    value = {h: c.value for h, c in zip(header, row, strict=True)}
    assert value["指南方向"] == "智慧农牧" and value["职称"] == "研究员" and value["负责人电话"] == "13800000000"
    assert value["团队人数"] == 12 and value["起止年限"] == "2026.01-2027.12" and value["设备费"] == 20.5
    assert value["发明专利"] == "2" and value["自定义费用"] == 3 and value["备注列"] == "导入时保留"
    height = ws.row_dimensions[row[0].row].height
    assert height and height >= 3 * LINE_HEIGHT  # the long title wraps over several lines
    assert row[header.index("项目名称")].alignment.wrap_text
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$2"


def _budget_item(header: str) -> str | None:
    """The field a header names, read as the import reads a header (aliases, units in brackets ignored)."""
    from reviewtool.core.intake.fields import column_specs
    from reviewtool.core.tables.header import alias_index
    from reviewtool.core.tables.text import normalise_header

    return alias_index(column_specs()).get(normalise_header(header))


def test_the_batch_workbook_names_each_item_once(scored_db, tmp_path):
    """No header twice, and no budget line or output in two columns under two names: a line stored
    under another name (设备费, 劳务费, 示范推广面积（亩）, as older databases and the demo data hold
    them) is counted in its own column; an import-kept column named like another is marked."""
    with scored_db.session() as s:
        one = s.get(Application, scored_db.info.app_ids["HD2026-001"])
        one.budget_lines = {"设备": "10", "设备费": "5.5", "劳务费": "3", "自定义费用": "2"}
        one.outputs = {"示范推广面积（亩）": 1200, "技术合同交易额（万元）": 30}
        one.extra_fields = {"项目名称": "第二个项目名称列", "状态": "导入时的状态"}
        two = s.get(Application, scored_db.info.app_ids["HD2026-002"])
        two.budget_lines = {"人员": "4"}
        two.outputs = {"论文": "2", "发表论文": "3"}  # one application, two names: both kept
    with scored_db.session() as s:
        path = export_batch_workbook(s, scored_db.info.batch_id, tmp_path / "b.xlsx")
    ws = openpyxl.load_workbook(path)["申报项目"]
    header = [c.value for c in ws[2]]
    assert len(header) == len(set(header)), sorted(h for h in header if header.count(h) > 1)
    items = [_budget_item(h) for h in header]
    budget = [i for i in items if i and i.startswith("budget:")]
    assert len(budget) == len(set(budget)), header  # each budget line in one column
    assert "设备费" in header and "劳务费" not in header and "示范推广面积（亩）" not in header
    assert "项目名称（导入时保留的列）" in header and "状态（导入时保留的列）" in header
    rows = {r[0].value: {h: c.value for h, c in zip(header, r, strict=True)} for r in ws.iter_rows(min_row=3)}
    first, second = rows["HD2026-001"], rows["HD2026-002"]
    assert first["设备费"] == 15.5 and first["人员费"] == 3 and first["自定义费用"] == 2
    assert first["示范推广面积"] == 1200 and first["技术合同交易额"] == 30
    assert first["项目名称"] != "第二个项目名称列" and first["项目名称（导入时保留的列）"] == "第二个项目名称列"
    assert second["人员费"] == 4 and second["论文"] == "2" and second["发表论文"] == "3"


def test_the_demo_batch_workbook_names_each_item_once(demo_db, tmp_path):
    from sqlalchemy import select

    from reviewtool.storage.models import Batch

    with demo_db.session() as s:
        batch_id = s.scalar(select(Batch.id))
        path = export_batch_workbook(s, batch_id, tmp_path / "b.xlsx")
    for ws in openpyxl.load_workbook(path).worksheets:
        header_row = next(r for r in ws.iter_rows(max_row=5) if sum(c.value is not None for c in r) >= 2)
        header = [c.value for c in header_row if c.value is not None]
        assert len(header) == len(set(header)), (ws.title, header)
        if ws.title == "申报项目":
            items = [i for i in map(_budget_item, header) if i and i.startswith(("budget:", "output:"))]
            assert len(items) == len(set(items)), header
