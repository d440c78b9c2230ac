"""A folder of bad files of every kind the app reads (issue 11's "done when"):
expert pool workbooks, returned scoring workbooks, rubric files and
application summary sheets — each with the command that reads it and the
place its refusal must name (a cell, a row, a line, a field, a sheet).

``make_bad_files(folder, base)`` writes them and returns the cases; ``base``
holds the valid files the mutations start from (a filled scoring workbook,
an older copy of another, the shipped rubric). Run by
tests/hardening/test_bad_files.py, which builds the database they are read
against; set ``REVIEWTOOL_BAD_FILES=DIR`` to keep the folder for a look.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook

APP_BATCH = "坏文件测试批次"
POOL_HEADER = ["姓名", "工作单位", "职称", "专业领域代码", "手机", "电子邮箱", "身份证后四位", "状态", "暂停原因",
               "回避人员", "局内人员"]  # fmt: skip
POOL_ROW = ["测试专家", "测试大学", "教授", "HD-I01", "13900000001", "t@example.cn", "1234", "在用", None, None, "否"]
APP_HEADER = ["项目名称", "承担单位", "项目负责人", "申请经费", "总预算"]


@dataclass
class Base:
    """Valid files the bad ones are made from."""

    workbook: Path  # a filled scoring workbook that imports cleanly
    older: Path  # a filled scoring workbook older than what is stored for its expert
    rubric_yaml: Path
    rubric_xlsx: Path


@dataclass(frozen=True)
class BadFile:
    name: str
    kind: str  # experts | workbooks | rubric | applications
    place: str  # a regular expression the refusal must match besides the file name
    intake: bool = False  # the application import: helper "intake"'s part of issue 11

    def command(self, path: Path) -> list[str]:
        if self.kind == "experts":
            return ["experts", "import", str(path)]
        if self.kind == "workbooks":
            return ["workbooks", "import", str(path)]
        if self.kind == "rubric":
            return ["rubric", "import", str(path)]
        return ["import", str(path), "--batch", APP_BATCH]


# -- expert pool ---------------------------------------------------------------


def _pool(path: Path, rows: list[list], header: list[str] = POOL_HEADER, merges: tuple[str, ...] = ()) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "专家库"
    ws.append(["专家库（坏文件）"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)


def _pool_with(column: str, value) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        row = list(POOL_ROW)
        row[POOL_HEADER.index(column)] = value
        _pool(path, [row])

    return make


def _pool_hidden_draft(path: Path) -> None:
    """A shown expert, a hidden row under it with a unit the 回避 rules cannot use (hidden rows are
    read and checked like the others), and a hidden sheet 草稿（作废） (not read)."""
    _pool(path, [POOL_ROW, ["另一专家", -5, *POOL_ROW[2:4], "13900000002", "u@example.cn", "4321", *POOL_ROW[7:]]])
    wb = load_workbook(path)
    wb["专家库"].row_dimensions[4].hidden = True
    draft = wb.create_sheet("草稿（作废）")
    draft.append(POOL_HEADER)
    draft.append(["草稿专家", "-1", *POOL_ROW[2:]])
    draft.sheet_state = "hidden"
    wb.save(path)


POOL_CASES: list[tuple[str, str, Callable[[Path], None]]] = [
    ("pool-negative-phone.xlsx", r"E3", _pool_with("手机", -13800000000)),
    ("pool-negative-phone-text.xlsx", r"E3", _pool_with("手机", "-13800000000")),
    ("pool-phone-words.xlsx", r"E3", _pool_with("手机", "电话未知")),
    ("pool-phone-exponent.xlsx", r"E3", _pool_with("手机", "1.38E+10")),
    ("pool-phone-formula.xlsx", r"E3", _pool_with("手机", "=13800000000+1")),
    ("pool-phone-short.xlsx", r"E3", _pool_with("手机", "12345")),
    ("pool-email.xlsx", r"F3", _pool_with("电子邮箱", "zhang@localhost")),
    ("pool-id-tail-18.xlsx", r"G3", _pool_with("身份证后四位", "63210219800101123X")),
    ("pool-id-tail-negative.xlsx", r"G3", _pool_with("身份证后四位", -123)),
    ("pool-name-10000.xlsx", r"A3", _pool_with("姓名", "甲" * 10_000)),
    ("pool-name-number.xlsx", r"A3", _pool_with("姓名", -1)),
    ("pool-unit-300.xlsx", r"B3", _pool_with("工作单位", "单位" * 150)),
    ("pool-unit-number.xlsx", r"B3", _pool_with("工作单位", "-5")),
    ("pool-unit-spaces.xlsx", r"B3", _pool_with("工作单位", "   ")),
    (
        "pool-avoid-unit-number.xlsx",
        r"L3",
        lambda p: _pool(p, [[*POOL_ROW, "-1"]], header=[*POOL_HEADER, "回避单位"]),
    ),
    ("pool-hidden-row-and-draft.xlsx", r"B4", _pool_hidden_draft),
    ("pool-title-65.xlsx", r"C3", _pool_with("职称", "职" * 65)),
    ("pool-unknown-area.xlsx", r"D3", _pool_with("专业领域代码", "HD-Z99")),
    ("pool-status.xlsx", r"H3", _pool_with("状态", "退休了")),
    ("pool-suspended-no-reason.xlsx", r"I3", _pool_with("状态", "暂停")),
    ("pool-avoid-person-long.xlsx", r"J3", _pool_with("回避人员", "某" * 100)),
    ("pool-staff-answer.xlsx", r"K3", _pool_with("局内人员", "也许")),
    ("pool-duplicate.xlsx", r"A4", lambda p: _pool(p, [POOL_ROW, POOL_ROW])),
    ("pool-merged-name.xlsx", r"A3:A4", lambda p: _pool(p, [POOL_ROW, [None, *POOL_ROW[1:]]], merges=("A3:A4",))),
    (
        "pool-merged-block.xlsx",
        r"B3:C4",
        lambda p: _pool(p, [POOL_ROW, ["另一专家", None, None, *POOL_ROW[3:]]], merges=("B3:C4",)),
    ),
    ("pool-no-name-column.xlsx", r"姓名", lambda p: _pool(p, [POOL_ROW[1:]], header=POOL_HEADER[1:])),
    ("pool-header-only.xlsx", r"pool-header-only", lambda p: _pool(p, [])),
]


# -- returned scoring workbooks --------------------------------------------------


def _payload(path: Path) -> dict:
    wb = load_workbook(path)
    ws = wb["_key"]
    chunks, row = [], 3
    while ws.cell(row, 1).value not in (None, ""):
        chunks.append(str(ws.cell(row, 1).value))
        row += 1
    return json.loads("".join(chunks))


def input_cell(path: Path, what: str) -> tuple[str, str]:
    """(sheet, coordinate) of the first row's input cell of a column kind such as ``points:C1``."""
    meta = _payload(path)["sheets"][0]
    letter = next(letter for letter, kind in meta["columns"].items() if kind == what)
    return meta["title"], f"{letter}{min(int(r) for r in meta['rows'])}"


def _cell_value(base: Base, what: str, value) -> tuple[Callable[[Path], None], str]:
    sheet, coord = input_cell(base.workbook, what)

    def make(path: Path) -> None:
        wb = load_workbook(base.workbook)
        wb[sheet][coord].value = value
        wb.save(path)

    return make, coord


def _edited(base: Base, edit: Callable) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        wb = load_workbook(base.workbook)
        edit(wb)
        wb.save(path)

    return make


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _truncated(source: Path) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(source.read_bytes()[: source.stat().st_size // 2])


def _zip_bomb(source: Path) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        shutil.copyfile(source, path)
        with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open("xl/media/zeros.bin", "w") as member:
                block = b"\0" * (1 << 20)
                for _ in range(260):
                    member.write(block)

    return make


def _tampered_key(base: Base) -> Callable[[Path], None]:
    def edit(wb) -> None:
        ws = wb["_key"]
        ws["A3"].value = str(ws["A3"].value).replace('"format"', '"formats"', 1)

    return _edited(base, edit)


def workbook_cases(base: Base) -> list[tuple[str, str, Callable[[Path], None]]]:
    cases = []
    for name, what, value in [
        ("wb-points-1e308.xlsx", "points:C1", 1e308),
        ("wb-points-1e15-text.xlsx", "points:C1", "1e15"),
        ("wb-points-1E999-text.xlsx", "points:C1", "1E999"),
        ("wb-points-inf.xlsx", "points:C1", "inf"),
        ("wb-points-nan.xlsx", "points:C1", "NaN"),
        ("wb-points-negative.xlsx", "points:C2", -1),
        ("wb-points-33-digits.xlsx", "points:C1", "12.00000000000000000000000000000001"),
        ("wb-points-formula.xlsx", "points:C1", "=10+2"),
        ("wb-points-words.xlsx", "points:C1", "十二分"),
        ("wb-points-bool.xlsx", "points:C1", True),
        ("wb-points-date.xlsx", "points:C1", dt.datetime(2026, 1, 1)),
        ("wb-points-huge-int.xlsx", "points:C1", 10**30),
        ("wb-veto-answer.xlsx", "veto:V1", "可能"),
        ("wb-opinion.xlsx", "opinion", "很好很好"),
    ]:
        make, coord = _cell_value(base, what, value)
        cases.append((name, coord, make))
    sheet, title_cell = input_cell(base.workbook, "points:C1")
    first_row = re.sub(r"\D", "", title_cell)
    cases += [
        ("wb-missing-comment.xlsx", rf"第 {first_row} 行", _cell_value(base, "points:C3", 2)[0]),
        ("wb-locked-title.xlsx", rf"B{first_row}", _edited(base, lambda wb: wb[sheet].cell(int(first_row), 2, "改名"))),
        ("wb-key-tampered.xlsx", r"wb-key-tampered", _tampered_key(base)),
        ("wb-key-deleted.xlsx", r"wb-key-deleted", _edited(base, lambda wb: wb.remove(wb["_key"]))),
        ("wb-extra-sheet.xlsx", r"草稿", _edited(base, lambda wb: wb.create_sheet("草稿"))),
        ("wb-sheet-renamed.xlsx", re.escape(sheet), _edited(base, lambda wb: setattr(wb[sheet], "title", "我的评分"))),
        ("wb-not-a-zip.xlsx", r"wb-not-a-zip", _bytes(b"This is not a workbook at all.\n" * 10)),
        ("wb-csv-named-xlsx.xlsx", r"wb-csv-named-xlsx", _bytes("编号,得分\nHD2026-001,88\n".encode())),
        ("wb-truncated.xlsx", r"wb-truncated", _truncated(base.workbook)),
        ("wb-empty.xlsx", r"wb-empty", _bytes(b"")),
        ("wb-zip-bomb.xlsx", r"wb-zip-bomb", _zip_bomb(base.workbook)),
        ("wb-older-replay.xlsx", r"第 \d+ 行", lambda p: shutil.copyfile(base.older, p)),
    ]
    return cases


# -- rubric files ---------------------------------------------------------------


def _billion_laughs() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghi":
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    return text + "code: bomb\nname: bomb\ncriteria: *i\n"


def _yaml(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _rubric_replaced(base: Base, old: str, new: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        text = base.rubric_yaml.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return make


def _rubric_xlsx(base: Base, edit: Callable) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        wb = load_workbook(base.rubric_xlsx)
        edit(wb)
        wb.save(path)

    return make


def _criterion_row(ws, key: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)


def _huge_file(path: Path) -> None:
    with open(path, "wb") as handle:
        handle.write(b"code: x\n# ")
        handle.seek(6_000_000)
        handle.write(b"\n")


def rubric_cases(base: Base) -> list[tuple[str, str, Callable[[Path], None]]]:
    return [
        ("rubric-billion-laughs.yaml", r"rubric-billion-laughs", _yaml(_billion_laughs())),
        ("rubric-self-alias.yaml", r"rubric-self-alias", _yaml("code: x\nname: x\ncriteria: &c [*c]\n")),
        ("rubric-deep-flow.yaml", r"第 1 行", _yaml("criteria: " + "[" * 50_000 + "]" * 50_000 + "\n")),
        (
            "rubric-deep-block.yaml",
            r"第 \d+ 行",
            _yaml("".join(" " * i + f"k{i}:\n" for i in range(120)) + " " * 120 + "x: 1\n"),
        ),
        ("rubric-huge-int.yaml", r"第 \d+ 行", _yaml("code: x\nname: x\ntotal_points: " + "9" * 5000 + "\n")),
        ("rubric-broken.yaml", r"第 \d+ 行", _yaml("code: x\nname: [unclosed\n")),
        ("rubric-binary.yaml", r"rubric-binary", _bytes(bytes(range(256)) * 4)),
        ("rubric-huge-file.yaml", r"rubric-huge-file", _huge_file),
        ("rubric-total-inf.yaml", r"total_points", _rubric_replaced(base, "total_points: 100", "total_points: .inf")),
        ("rubric-total-nan.yaml", r"total_points", _rubric_replaced(base, "total_points: 100", "total_points: .nan")),
        (
            "rubric-total-1e308.yaml",
            r"total_points",
            _rubric_replaced(base, "total_points: 100", "total_points: 1.0e+308"),
        ),
        (
            "rubric-step-tiny.yaml",
            r"step",
            _rubric_replaced(base, "total_points: 100", "total_points: 100\nstep: 1.0e-300"),
        ),
        ("rubric-max-inf.yaml", r"C1", _rubric_replaced(base, "max_points: 15", "max_points: .inf")),
        ("rubric-max-1e15.yaml", r"C1", _rubric_replaced(base, "max_points: 15", "max_points: 1.0e+15")),
        ("rubric-name-long.yaml", r"评分标准名称", _rubric_replaced(base, "name: ", "name: " + "长" * 300 + "")),
        (
            "rubric-title-long.yaml",
            r"C1",
            _rubric_replaced(
                base,
                "title: ",
                "title: " + "题" * 400,
            ),
        ),
        ("rubric-unknown-key.yaml", r"totl_points", _rubric_replaced(base, "total_points: 100", "totl_points: 100")),
        ("rubric-duplicate-key.yaml", r"第 \d+ 行", _rubric_replaced(base, "step: 1", "step: 1\nstep: 5")),
        (
            "rubric-excel-max-1e308.xlsx",
            r"C1",
            _rubric_xlsx(base, lambda wb: wb["评分标准"].cell(_criterion_row(wb["评分标准"], "C1"), 5, 1e308)),
        ),
        (
            "rubric-excel-title-formula.xlsx",
            r"C1",
            _rubric_xlsx(base, lambda wb: wb["评分标准"].cell(_criterion_row(wb["评分标准"], "C1"), 3, "=A1&B1")),
        ),
        (
            "rubric-excel-no-sheet.xlsx",
            r"评分标准",
            _rubric_xlsx(base, lambda wb: setattr(wb["评分标准"], "title", "标准")),
        ),
        ("rubric-excel-truncated.xlsx", r"rubric-excel-truncated", _truncated(base.rubric_xlsx)),
    ]


# -- application summary sheets (the intake helper's part) --------------------------


def _apps(rows: list[list], *, header: list[str] = APP_HEADER) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "汇总表"
        ws.append(header)
        for row in rows:
            ws.append(row)
        wb.save(path)

    return make


def _apps_hidden_draft(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "汇总表"
    ws.append(APP_HEADER)
    ws.append(["某项目", "某公司", "张三", 1e308, None])
    draft = wb.create_sheet("草稿（作废）")
    draft.append([*APP_HEADER, "项目编号", "所属领域"])
    draft.append(["草稿项目", "某公司", "张三", 10, 10, "X-1", "HD-I01"])
    draft.sheet_state = "hidden"
    wb.save(path)


APP_CASES: list[tuple[str, str, Callable[[Path], None]]] = [
    (
        "apps-amount-1e308.xlsx",
        r"D3|第 3 行 D 列",
        _apps([["某项目", "某公司", "张三", 10, 10], ["另一项目", "某公司", "李四", 1e308, None]]),
    ),
    ("apps-amount-1e15-text.xlsx", r"D2|第 2 行 D 列", _apps([["某项目", "某公司", "张三", "1e15", None]])),
    ("apps-amount-1E999.xlsx", r"D2|第 2 行 D 列", _apps([["某项目", "某公司", "张三", "1E999", None]])),
    ("apps-amount-inf.xlsx", r"D2|第 2 行 D 列", _apps([["某项目", "某公司", "张三", float("inf"), None]])),
    ("apps-header-only.xlsx", r"汇总表", _apps([])),
    ("apps-title-10000.xlsx", r"A2|第 2 行 A 列", _apps([["题" * 10_000, "某公司", "张三", 10, 10]])),
    ("apps-unit-long.xlsx", r"B2|第 2 行 B 列", _apps([["某项目", "单位" * 200, "张三", 10, 10]])),
    ("apps-hidden-draft.xlsx", r"D2|第 2 行 D 列", _apps_hidden_draft),
    ("apps-binary.xlsx", r"apps-binary", _bytes(b"\x00\x01garbage" * 100)),
]


def make_bad_files(folder: Path, base: Base) -> list[BadFile]:
    """Write every bad file into ``folder`` (one subfolder per kind); return the cases."""
    out: list[BadFile] = []
    groups = [
        ("experts", POOL_CASES, False),
        ("workbooks", workbook_cases(base), False),
        ("rubric", rubric_cases(base), False),
        ("applications", APP_CASES, True),
    ]
    for kind, cases, intake in groups:
        (folder / kind).mkdir(parents=True, exist_ok=True)
        for name, place, make in cases:
            make(folder / kind / name)
            out.append(BadFile(name, kind, place, intake))
    return out
