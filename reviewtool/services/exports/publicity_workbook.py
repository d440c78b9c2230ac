"""The 公示名单 as an Excel workbook: the notice text above the list, the
list below it (序号, 项目名称, 承担单位, 项目负责人, 项目类别, 所在县区, and the
amount when the batch shows it), the bureau and the date at the foot.

Built from ``PublicityDoc`` alone, which holds no score, rank or internal
mark. Prints on A4, one page wide, the list's header repeated.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reviewtool.i18n import _
from reviewtool.services.documents.model_notices import PublicityDoc
from reviewtool.services.documents.render_lists import publicity_columns
from reviewtool.services.documents.text import fmt_date
from reviewtool.services.exports.xlsx import (
    LINE_HEIGHT,
    MONEY_FORMAT,
    TITLE_FONT,
    Column,
    TableSheet,
    add_sheet,
    lines_needed,
    new_workbook,
    save_workbook,
    write_cell,
    write_formula,
)

WIDTHS = (6, 40, 30, 12, 14, 16, 14)


def write_publicity_workbook(doc: PublicityDoc, path: str | Path) -> Path:
    wb = new_workbook()
    ws = add_sheet(wb, _("Public notice"))
    columns = publicity_columns(doc)
    count = len(columns)
    width = sum(WIDTHS[:count])
    row = 1
    write_cell(ws, row, 1, doc.title).font = TITLE_FONT
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=count)
    ws.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[row].height = 30
    for paragraph in doc.paragraphs:
        row += 1
        cell = write_cell(ws, row, 1, "　　" + paragraph)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=count)
        ws.row_dimensions[row].height = LINE_HEIGHT * lines_needed("　　" + paragraph, width)
    row += 2
    kinds = ["int", "text", "text", "text", "text", "text", "money"]
    table_columns = [
        Column(title, kinds[i], width=WIDTHS[i], wrap=i in (1, 2)) for i, (title, _share) in enumerate(columns)
    ]
    sheet = TableSheet(ws, table_columns, start_row=row)
    for r in doc.rows:
        values = [r.seq, r.title, r.unit, r.pi_name, r.category, r.county]
        if doc.show_amount:
            values.append(r.amount)
        sheet.append(values)
    last = sheet.row - 1
    if doc.show_amount and doc.rows:
        total = sheet.append([_("Total"), None, None, None, None, None, None], bold=True)
        letter = get_column_letter(count)
        write_formula(ws, total, count, f"=SUM({letter}{sheet.first_data_row}:{letter}{last})", MONEY_FORMAT)
        ws.cell(row=total, column=count).font = Font(bold=True)
    sheet.finish(autofilter=False, landscape=False, freeze=False)
    foot = sheet.row + 2
    for offset, text in enumerate((doc.bureau, fmt_date(doc.issued))):
        cell = write_cell(ws, foot + offset, 1, text)
        ws.merge_cells(start_row=foot + offset, start_column=1, end_row=foot + offset, end_column=count)
        cell.alignment = Alignment(horizontal="right")
    return save_workbook(wb, path)
