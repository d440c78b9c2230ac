#!/usr/bin/env python3
"""Write the sample import workbook ``resources/samples/申报汇总表示例.xlsx``.

    python scripts/make_sample_workbook.py            # (re)write the sample
    python scripts/make_sample_workbook.py --out X.xlsx

The sheet is shaped like the summary sheets the bureau receives (DOMAIN.md): a
merged title row, two header rows with merged groups (项目负责人 over 姓名 / 联系电话,
经费（万元） over 总经费 / 申请经费 / 自筹经费), a 序号 column, a 合计 row and a note.
Every header is one the importer recognises (reviewtool/core/intake/fields.py).
Where the titles come from is in resources/samples/SOURCES.md; units marked there
as illustrative, the people, the telephone numbers (0972-0000xxx is not a real
number range) and the amounts are made up. The result is committed; rerun this
script after changing it.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "resources" / "samples" / "申报汇总表示例.xlsx"
TITLE = "2025年海东市科技计划项目申报汇总表"
SHEET = "汇总表"

#: (top header, sub-header, width); a top header with sub-headers spans them.
COLUMNS = [
    ("序号", None, 6),
    ("申报编号", None, 12),
    ("项目名称", None, 40),
    ("计划类别", None, 16),
    ("承担单位", None, 28),
    ("所在县区", None, 16),
    ("项目负责人", "姓名", 9),
    ("项目负责人", "联系电话", 14),
    ("起止年限", None, 17),
    ("经费（万元）", "总经费", 10),
    ("经费（万元）", "申请经费", 10),
    ("经费（万元）", "自筹经费", 10),
    ("所属领域", None, 10),
    ("主要研究内容", None, 46),
    ("备注", None, 12),
]

# 申报编号, 项目名称, 计划类别, 承担单位, 所在县区, 姓名, 电话, 起止年限, 申请, 自筹, 所属领域, 主要研究内容, 备注
ROWS = [
    ("HD2025-001", "马铃薯种薯微型化及标准化生产技术研究与示范", "科技成果转化专项", "青海大学农林科学院", "互助土族自治县",
     "李文华", "0972-0000101", "2025.01-2026.12", "60", "40", "HD-I04",
     "以青薯2号、青薯9号为主栽品种，研究种薯微型化和标准化生产技术，降低每亩用种量，建立种薯微型化示范基地。", ""),
    ("HD2025-002", "食用百合繁殖及高产栽培技术示范", "科技服务与合作", "海东市乐都区农业技术推广中心", "乐都区",
     "王秀兰", "0972-0000102", "2025年3月至2026年12月", "15", "5", "HD-C2-1",
     "引进食用百合优良种球，示范鳞片扦插繁殖和高产栽培技术，建立示范基地并培训种植户。", "科技特派员"),
    ("HD2025-003", "线辣椒太空育种及种植产业化建设项目", "农业科技创新", "循化撒拉族自治县农业技术推广中心", "循化县",
     "马建国", "0972-0000103", "2025.04-2027.03", "80", "120", "HD-C2-1",
     "利用太空诱变创制线辣椒新种质，筛选适应黄河谷地的优质高产品种，配套标准化种植和产后加工。", "东西部协作"),
    ("HD2025-004", "航空发动机高品质粉末高温合金涡轮盘成形工艺与示范", "重点研发与转化计划", "青海中钛青锻装备制造有限公司",
     "海东工业园区", "张志强", "0972-0000104", "2025.01-2027.12", "100", "900", "HD-C3-1",
     "依托大型多功能模锻压机，研究粉末高温合金涡轮盘的等温锻造成形工艺，开展工程化示范。", "重点推荐"),
    ("HD2025-005", "食用菌高原设施及仿生栽培技术推广示范", "农业科技创新", "青海大学", "平安区",
     "赵丽", "0972-0000105", "2025.05-2026.10", "30", "10", "",
     "选育适合高原设施栽培的羊肚菌品种，示范仿生栽培和标准化种植技术，带动农户增收。", ""),
    ("HD2025-006", "青藏高原现代牧场技术研发与模式示范", "重点研发与转化计划", "青海大学畜牧兽医科学院", "化隆回族自治县",
     "韩明德", "0972-0000106", "2025.01-2027.12", "90", "60", "HD-I06",
     "在湟水流域建设智慧牧场示范点，集成牦牛藏羊暖棚舍饲、饲草高效生产和养殖信息化管理技术。", ""),
    ("HD2025-007", "大果樱桃示范项目", "农业科技创新", "海东市乐都区林业和草原局", "乐都",
     "刘晓燕", "0972-0000107", "2025.03-2027.12", "30", "20", "HD-C2-1",
     "引进大果樱桃优良品种，示范日光温室和露地栽培、整形修剪与病虫害防治技术，建立大樱桃示范园。", ""),
    ("HD2025-008", "高庙灌区科技推广示范项目", "科技服务与合作", "海东市乐都区农业技术推广中心", "乐都区",
     "祁永福", "0972-0000108", "2025.04-2026.10", "25", "10", "HD-I04",
     "在高庙灌区推广设施果蔬高效栽培、节水灌溉和测土配方施肥技术，建立科技示范户并开展农民培训。", ""),
    ("HD2025-009", "青海省油菜高质高效技术研发及“三全高效”模式创建与示范", "重点研发与转化计划",
     "中国农业科学院油料作物研究所", "互助县", "孙海林", "0972-0000109", "2025.01-2027.12", "80", "40", "HD-I04",
     "挖掘高原油菜优异营养素，选育高产优质短生育期新品种，研发特色功能型菜籽油产品，在互助县创建“三全高效”示范。",
     "帅才科学家项目"),
    ("HD2025-010", "民和县设施蔬菜化肥农药减量增效技术集成与示范", "农业科技创新", "民和回族土族自治县蔬菜技术服务中心",
     "民和回族土族自治县", "何玉梅", "0972-0000110", "2025.03-2026.10", "25", "5", "HD-I07",
     "集成测土配方施肥、水肥一体化和病虫害绿色防控技术，在日光温室示范化肥农药减量。", ""),
    ("HD2025-011", "慢性高原病早期筛查与综合干预技术研究", "社会发展科技计划", "海东市高原医学研究所", "海东市本级",
     "陈志远", "0972-0000111", "2025.01-2026.12", "35", "10", "HD-I14",
     "建立海东地区慢性高原病筛查队列，评估早期干预方案的效果，形成适宜基层推广的诊疗规范。", ""),
    ("HD2025-012", "碳化硅冶炼余热回收与低碳工艺技术研究", "重点研发与转化计划", "青海海东碳化硅材料有限公司", "工业园区",
     "周国栋", "0972-0000112", "2025.07-2027.06", "70", "210", "",
     "研究碳化硅冶炼炉余热梯级回收和配料优化工艺，降低单位产品能耗，推动碳化硅产业绿色低碳转型。", ""),
]  # fmt: skip

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
MONEY = "0.00"


def money(text: str) -> Decimal:
    return Decimal(text).quantize(Decimal("0.01"))


def build(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    width = len(COLUMNS)

    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(name="宋体", size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 32

    sheet.append([top for top, _sub, _w in COLUMNS])
    sheet.append([sub for _top, sub, _w in COLUMNS])
    column = 1
    while column <= width:
        top, sub, _w = COLUMNS[column - 1]
        span = 1
        while column - 1 + span < width and COLUMNS[column - 1 + span][0] == top and sub is not None:
            span += 1
        if sub is None:
            sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
        elif span > 1:
            sheet.merge_cells(start_row=2, start_column=column, end_row=2, end_column=column + span - 1)
        column += span
    for row in (2, 3):
        for index in range(1, width + 1):
            cell = sheet.cell(row=row, column=index)
            cell.font = Font(name="宋体", bold=True)
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    totals = {"total": Decimal(0), "requested": Decimal(0), "own": Decimal(0)}
    for number, row in enumerate(ROWS, start=1):
        code, title, category, unit, county, name, phone, period, requested, own, area, abstract, remark = row
        requested_amount, own_amount = money(requested), money(own)
        total = requested_amount + own_amount
        totals["total"] += total
        totals["requested"] += requested_amount
        totals["own"] += own_amount
        values = [number, code, title, category, unit, county, name, phone, period,
                  total, requested_amount, own_amount, area or None, abstract, remark or None]  # fmt: skip
        sheet.append(values)
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(row=sheet.max_row, column=index)
            cell.border = BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=index in (3, 5, 14))
            if isinstance(value, Decimal):
                cell.number_format = MONEY

    total_row = [None] * width
    total_row[1] = "合计"
    total_row[9], total_row[10], total_row[11] = totals["total"], totals["requested"], totals["own"]
    sheet.append(total_row)
    for index in range(1, width + 1):
        cell = sheet.cell(row=sheet.max_row, column=index)
        cell.font = Font(bold=True)
        cell.border = BORDER
        if 10 <= index <= 12:
            cell.number_format = MONEY
    sheet.append(["注：金额单位为万元。本表为示例：项目名称的来源见 SOURCES.md，负责人、电话和金额均为示意。"])
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)

    for index, (_top, _sub, column_width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width
    sheet.freeze_panes = "D4"
    sheet.print_title_rows = "2:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    workbook.properties.title = TITLE
    workbook.properties.creator = "reviewtool"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the workbook")
    args = parser.parse_args(argv)
    print(build(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
