"""The bureau's blank import template (申报汇总表模板).

A data sheet with a merged title row and Chinese headers, drop-down lists
(data validation) for priority areas, counties, categories and unit types fed
from a hidden lists sheet, and an instructions sheet. Importing the template
back, filled in, needs no column mapping.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.core.intake.fields import CATEGORIES, COUNTIES, FIELDS
from reviewtool.core.intake.suggest import SUGGEST_KINDS
from reviewtool.i18n import _
from reviewtool.services import files
from reviewtool.services.taxonomy import list_areas

DATA_SHEET = "申报汇总表"
LISTS_SHEET = "代码表"
HELP_SHEET = "填写说明"
UNIT_TYPES = ("企业", "高校", "科研院所", "其他")
TEMPLATE_ROWS = 500


def template_fields():
    return [f for f in FIELDS if f.template]


def write_template(session: Session, path: str | Path, *, title: str = "") -> Path:
    """Write the blank template to ``path`` (.xlsx)."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UserError(_("{file}: the template must be saved as .xlsx.").format(file=path.name))
    if not path.parent.exists():
        raise UserError(_("The folder {folder} does not exist.").format(folder=path.parent))
    areas = [a for a in list_areas(session) if a.kind in (*SUGGEST_KINDS, "direction", "special")]
    fields = template_fields()

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    last = get_column_letter(len(fields))
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = title or "海东市科技计划项目申报汇总表"
    sheet["A1"].font = Font(name="SimHei", size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    thin = Side(style="thin", color="999999")
    sheet.cell(row=2, column=1)
    for index, spec in enumerate(fields, start=1):
        # Money headers say their unit (issue 12: an amount in 元 is the commonest mistake).
        unit = "（万元）" if spec.kind in ("money", "budget") else ""
        cell = sheet.cell(row=2, column=index, value=spec.header + unit + ("*" if spec.required else ""))
        cell.font = Font(bold=True, color="C00000" if spec.required else "000000")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
        sheet.column_dimensions[get_column_letter(index)].width = spec.width
    sheet.row_dimensions[2].height = 32
    sheet.freeze_panes = "C3"

    lists = workbook.create_sheet(LISTS_SHEET)
    columns = {
        "area": [f"{a.code} {a.title}" for a in areas],
        "county": list(COUNTIES),
        "category": list(CATEGORIES),
        "unit_type": list(UNIT_TYPES),
    }
    headers = {"area": "所属领域", "county": "所在县区", "category": "计划类别", "unit_type": "单位类型"}
    for col, (key, values) in enumerate(columns.items(), start=1):
        lists.cell(row=1, column=col, value=headers[key]).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=col, value=value)
        lists.column_dimensions[get_column_letter(col)].width = 40 if key == "area" else 20
    lists.sheet_state = "hidden"

    positions = {spec.key: index for index, spec in enumerate(fields, start=1)}
    for col, (key, values) in enumerate(columns.items(), start=1):
        if key not in positions:
            continue
        letter = get_column_letter(col)
        validation = DataValidation(
            type="list",
            formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=key in ("county", "unit_type", "area"),
            errorTitle="输入有误",
            error="请从下拉列表中选择。",
        )
        if key == "category":
            validation.showErrorMessage = False  # other categories may be typed
        target = get_column_letter(positions[key])
        validation.add(f"{target}3:{target}{TEMPLATE_ROWS + 2}")
        sheet.add_data_validation(validation)
    for key in ("requested_amount", "self_funding", "total_budget"):
        if key in positions:
            target = get_column_letter(positions[key])
            money = DataValidation(
                type="decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="输入有误",
                error="请填写不小于 0 的数字（单位：万元）。",
            )
            money.add(f"{target}3:{target}{TEMPLATE_ROWS + 2}")
            sheet.add_data_validation(money)
            for row in range(3, TEMPLATE_ROWS + 3):
                sheet.cell(row=row, column=positions[key]).number_format = "0.00####"

    help_sheet = workbook.create_sheet(HELP_SHEET)
    help_sheet["A1"] = "填写说明"
    help_sheet["A1"].font = Font(size=14, bold=True)
    notes = [
        "1. 在“申报汇总表”第3行起逐行填写，每行一个项目；标题行和表头请勿修改。",
        "2. 带 * 的列必须填写：项目名称、承担单位、项目负责人、申请经费。",
        "3. 金额单位均为万元，可填写 12.5、1,234.5 或“12.5万元”；不得为负数。",
        "4. 起止年限填写如 2025.01-2026.12 或 2025年1月至2026年12月，结束不得早于开始。",
        "5. 所属领域、所在县区、单位类型请从下拉列表选择；所属领域留空时系统按标题和研究内容给出建议领域。",
        "6. 申报编号留空时导入自动编号；同一批次中已存在的编号将按导入时的选择更新或报告。",
        "7. 同一单位名称相近的项目会被标记为疑似重复，需确认后才能导入。",
        "8. 表中其他列（如备注）会作为附加信息保留。",
    ]
    for row, text in enumerate(notes, start=3):
        help_sheet.cell(row=row, column=1, value=text)
    row = len(notes) + 4
    help_sheet.cell(row=row, column=1, value="各列说明").font = Font(bold=True)
    help_sheet.cell(row=row + 1, column=1, value="列名").font = Font(bold=True)
    help_sheet.cell(row=row + 1, column=2, value="说明").font = Font(bold=True)
    help_sheet.cell(row=row + 1, column=3, value="也可识别的列名").font = Font(bold=True)
    for offset, spec in enumerate(fields, start=row + 2):
        help_sheet.cell(row=offset, column=1, value=spec.header + ("*" if spec.required else ""))
        help_sheet.cell(row=offset, column=2, value=spec.hint)
        help_sheet.cell(row=offset, column=3, value="、".join(spec.aliases[1:]))
    help_sheet.column_dimensions["A"].width = 20
    help_sheet.column_dimensions["B"].width = 70
    help_sheet.column_dimensions["C"].width = 50
    try:
        files.write_with(path, workbook.save)  # atomic: a temporary name, then a rename
    except OSError as exc:
        raise UserError(_("Cannot write {file}: {error}").format(file=path, error=exc.strerror or exc)) from exc
    return path
