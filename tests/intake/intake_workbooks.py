"""Realistic messy summary workbooks, built by the tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

TITLE = "2025年海东市科技计划项目申报汇总表"

GROUPED_HEADER_TOP = [
    "序号", "申报编号", "项目名称", "承担单位", "所在县区", "项目负责人", None, "起止年限",
    "经费（万元）", None, None, "所属领域", "主要研究内容", "备注",
]  # fmt: skip
GROUPED_HEADER_SUB = [
    None, None, None, None, None, "姓名", "联系电话", None, "总经费", "申请经费", "自筹经费", None, None, None,
]  # fmt: skip

GOOD_ROWS = [
    [1, "HD2025-001", "高原牦牛高效养殖与牛肉精深加工技术研发", "青海高原牦牛乳业有限公司", "互助县", "张立新",
     "13897000001", "2025.01-2026.12", 100, 60, 40, "HD-I05", "研究牦牛舍饲育肥和牛肉精深加工。", "重点推荐"],
    [2, "HD2025-002", "湟水河海东段农业面源污染防控技术示范", "海东市农业科学研究所", "乐都区", "李红梅",
     "13897000002", "2025年3月至2027年2月", "80.5", "50.5万元", "30", "HD-I02 加强水生态修复技术创新与示范",
     "构建生态沟渠和人工湿地，削减氮磷入河。", None],
    [3, "HD2025-003", "碳化硅单晶衬底生长工艺优化", "青海碳化硅科技有限公司", "海东工业园区", "王强",
     "13897000003", "2025.06-2026.06", "1,200", "200", "1,000", None,
     "优化碳化硅单晶生长温场，降低缺陷密度，推动碳化硅产业技术转型升级。", None],
]  # fmt: skip


def grouped_workbook(path: Path, rows=None, *, total_row: bool = True, spacer: bool = True) -> Path:
    """A merged title row, two header rows with merged groups, 序号, a spacer and a 合计 row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "汇总表"
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(GROUPED_HEADER_TOP))
    sheet.append(GROUPED_HEADER_TOP)
    sheet.append(GROUPED_HEADER_SUB)
    sheet.merge_cells("F2:G2")
    sheet.merge_cells("I2:K2")
    for column in ("A", "B", "C", "D", "E", "H", "L", "M", "N"):
        sheet.merge_cells(f"{column}2:{column}3")
    data = GOOD_ROWS if rows is None else rows
    for index, row in enumerate(data):
        sheet.append(row)
        if spacer and index == 0:
            sheet.append([None] * len(GROUPED_HEADER_TOP))
    if total_row:
        sheet.append([None, "合计", None, None, None, None, None, None, "=SUM(I4:I8)", "=SUM(J4:J8)", None])
        sheet.append(["注：金额单位为万元。"])
    workbook.save(path)
    return path


def simple_workbook(path: Path, header: list, rows: list, *, sheet_title: str = "Sheet1") -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def dated_row() -> list:
    return [4, "HD2025-004", "马铃薯脱毒种薯繁育技术集成", "互助县农技推广中心", "互助土族自治县", "赵敏",
            "13897000004", dt.datetime(2025, 4, 1), 20, 20, 0, "HD-I04", "建立脱毒种薯三级繁育体系。", None]  # fmt: skip
