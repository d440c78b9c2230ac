"""The 评审专家承诺 / 回避声明 of the offline scoring workbook: the guide
carries the commitment, each application row a 需回避 answer, and a 是 comes
back on import as a declared late conflict (the assignment marked, no sheet
stored); the 评分 sheet prints on one page width."""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hardening.workbooks import export_panel, fill, key_payload
from reviewtool.core.enums import AssignmentStatus
from reviewtool.services.panels import workbook_import
from reviewtool.storage.models import Assignment, ScoreSheet


def test_a_workbook_carries_the_commitment_and_a_withdrawal_is_imported_as_a_conflict(db, tmp_path):
    _world, panel_id, files, _names = export_panel(db, tmp_path / "out")
    path = files[0].path
    wb = load_workbook(path)
    guide = " ".join(str(c.value) for c in wb.worksheets[0]["A"] if c.value)
    assert "评审专家承诺" in guide and "回避" in guide and "严格保密" in guide and "签名" in guide
    payload = key_payload(path)
    meta = payload["sheets"][0]
    letter = next(letter for letter, what in meta["columns"].items() if what == "avoid")
    ws = wb[meta["title"]]
    assert "需回避" in ws[f"{letter}3"].value
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows

    rows = sorted(int(r) for r in meta["rows"])
    fill(path, cells={"avoid": "否"})
    wb = load_workbook(path)
    ws = wb[meta["title"]]
    ws[f"{letter}{rows[0]}"].value = "是"  # a conflict on the first application (its scores are ignored)
    wb.save(path)
    withdrawn = meta["rows"][str(rows[0])]
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [path], actor="clerk")
    (file_report,) = report.files
    assert file_report.ok, file_report.errors
    actions = {r.application_id: r.action for r in file_report.rows}
    assert actions[withdrawn] == "conflict" and list(actions.values()).count("new") == len(rows) - 1
    with db.session() as s:
        item = s.scalar(
            select(Assignment).where(
                Assignment.application_id == withdrawn, Assignment.expert_id == payload["expert"]["id"]
            )
        )
        assert item.status is AssignmentStatus.CONFLICT_DECLARED and "需回避" in item.conflict_reason
        assert s.scalar(select(ScoreSheet).where(ScoreSheet.application_id == withdrawn,
                                                 ScoreSheet.reviewer_id == payload["expert"]["id"])) is None  # fmt: skip

    bad = files[1].path
    fill(bad, cells={"avoid": "也许"})
    with db.session() as s:
        report = workbook_import.import_workbooks(s, [bad], actor="clerk")
    assert not report.files[0].ok and "需回避" in report.files[0].errors[0] and "也许" in report.files[0].errors[0]


def test_every_sheet_of_a_workbook_prints_and_its_rows_fit_their_wrapped_text(db, tmp_path):
    """A4, fit to one page width, landscape where wide, the header row repeated and the page
    number in the footer on every sheet; every row as tall as its wrapped text needs."""
    from openpyxl.utils import get_column_letter

    from reviewtool.services.documents.text import commitment_text
    from reviewtool.services.exports.xlsx import LINE_HEIGHT, MAX_ROW_HEIGHT, lines_needed

    _world, _panel_id, files, _names = export_panel(db, tmp_path / "out", n_apps=3, experts=3)
    wb = load_workbook(files[0].path)
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert [ws.title for ws in visible] == ["填表说明", "项目概要", "评分标准", "评分"]
    for ws in visible:
        setup = ws.page_setup
        assert int(setup.paperSize) == 9, ws.title  # A4
        assert setup.fitToWidth == 1 and setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert "&P" in ws.oddFooter.center.text, ws.title
        width = sum(ws.column_dimensions[get_column_letter(c)].width or 8.43 for c in range(1, ws.max_column + 1))
        assert setup.orientation == ("landscape" if width > 110 else "portrait"), (ws.title, width)
        merged = {(r.min_row, r.min_col): r.max_col for r in ws.merged_cells.ranges}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or not cell.alignment.wrap_text:
                    continue
                last = merged.get((cell.row, cell.column), cell.column)
                room = sum(ws.column_dimensions[get_column_letter(c)].width for c in range(cell.column, last + 1))
                lines = lines_needed(cell.value, room)
                if lines > 1:
                    height = ws.row_dimensions[cell.row].height
                    assert height and height >= min(MAX_ROW_HEIGHT, LINE_HEIGHT * lines), (ws.title, cell.coordinate)
    titles = {ws.title: ws.print_title_rows for ws in visible}
    assert titles == {"填表说明": None, "项目概要": "$1:$1", "评分标准": "$3:$3", "评分": "$3:$3"}
    assert [ws.page_setup.orientation for ws in visible] == ["portrait", "landscape", "landscape", "landscape"]
    guide = visible[0]
    commitment = next(c for c in guide["A"] if c.value == commitment_text())
    assert guide.row_dimensions[commitment.row].height >= 3 * LINE_HEIGHT  # the commitment wraps on 3 lines
