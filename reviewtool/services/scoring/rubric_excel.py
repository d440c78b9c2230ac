"""A rubric as an Excel workbook and back: a 评分标准 sheet of criteria and
bands and a 一票否决 sheet, in the bureau's words.
"""

from __future__ import annotations

import io
from typing import Any

from reviewtool.core.errors import UserError
from reviewtool.core.scoring.rubric import RubricSpec, plain_number
from reviewtool.i18n import _

META_FIELDS = [
    ("code", "编码"),
    ("name", "名称"),
    ("description", "说明"),
    ("total_points", "总分"),
    ("step", "最小分值单位"),
    ("rounding.places", "保留小数位数"),
    ("rounding.mode", "舍入方式"),
    ("scope.categories", "适用计划类别"),
    ("scope.area_codes", "适用重点领域"),
]
COLUMNS = [
    ("id", "编号"),
    ("group", "分组"),
    ("title", "评审指标"),
    ("description", "指标说明"),
    ("max_points", "满分"),
    ("weight", "权重"),
    ("plan_fit", "契合度指标"),
    ("suggested_bands", "建议档次"),
    ("comment_required", "需填写评语"),
    ("band", "档次"),
    ("low", "下限"),
    ("high", "上限"),
    ("descriptor", "档次说明"),
]
MATCH_CN = {
    "column_task": "专栏任务",
    "key_industry": "重点产业",
    "direction": "重点方向",
    "provincial": "省级专项",
    "none": "不契合",
}
COMMENT_CN = {"always": "始终", "lowest_band": "最低档", "full_score": "满分", "below": "低于", "bands": "档次"}
MODE_CN = {"half_up": "四舍五入", "half_even": "银行家舍入", "down": "截尾"}
SHEET_CRITERIA = "评分标准"
SHEET_VETO = "一票否决"


def _comment_text(rule: dict) -> str:
    parts = []
    for key, value in rule.items():
        if key == "below":
            parts.append(f"低于:{value}")
        elif key == "bands":
            parts.append("档次:" + ",".join(value))
        elif value:
            parts.append(COMMENT_CN[key])
    return "；".join(parts)


def _split(text: Any) -> list[str]:
    if text is None:
        return []
    return [
        p.strip() for p in str(text).replace("；", ";").replace("，", ",").replace(",", ";").split(";") if p.strip()
    ]


def document_to_excel(spec: RubricSpec) -> bytes:
    """An Excel workbook a panel secretary can edit and import again.

    Every text goes through ``write_cell``: a name or descriptor such as
    ``=HYPERLINK(…)`` stays text (quote prefix), never a formula, and the
    file imports back unchanged."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    doc = spec.as_dict()
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_CRITERIA
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    rows = _Rows(ws)
    rows.add([f"{spec.name}（可编辑后导入；每个档次一行，指标信息写在其第一行）"])
    rows.add([])
    values = {
        "code": spec.code,
        "name": spec.name,
        "description": spec.description,
        "total_points": plain_number(spec.total_points),
        "step": plain_number(spec.step),
        "rounding.places": spec.rounding.places,
        "rounding.mode": MODE_CN[spec.rounding.mode],
        "scope.categories": "；".join(spec.scope_categories),
        "scope.area_codes": "；".join(spec.scope_area_codes),
    }
    for key, label in META_FIELDS:
        row = rows.add([label, values[key]])
        ws.cell(row, 1).font = bold
    rows.add([])
    header_row = rows.add([label for _key, label in COLUMNS])
    for cell in ws[header_row]:
        cell.font = bold
        cell.fill = head_fill
    for c in doc["criteria"]:
        bands = c.get("bands") or [{}]
        for index, band in enumerate(bands):
            first = index == 0
            suggested = "；".join(f"{MATCH_CN[k]}={v}" for k, v in (c.get("suggested_bands") or {}).items())
            rows.add(
                [
                    c["id"] if first else None,
                    c.get("group") if first else None,
                    c["title"] if first else None,
                    c.get("description") if first else None,
                    c["max_points"] if first else None,
                    c.get("weight") if first else None,
                    ("是" if c.get("plan_fit") else None) if first else None,
                    (suggested or None) if first else None,
                    (_comment_text(c.get("comment_required") or {}) or None) if first else None,
                    band.get("label"),
                    band.get("low"),
                    band.get("high"),
                    band.get("descriptor"),
                ]
            )
    dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="1000", allow_blank=True)
    dv.error = "请输入 0–1000 之间的数字"
    ws.add_data_validation(dv)
    dv.add(f"E{header_row + 1}:E{rows.last + 200}")
    dv.add(f"K{header_row + 1}:L{rows.last + 200}")
    for letter, width in zip("ABCDEFGHIJKLM", (8, 14, 30, 40, 7, 7, 10, 36, 20, 8, 7, 7, 40), strict=False):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    vs = wb.create_sheet(SHEET_VETO)
    veto_rows = _Rows(vs)
    veto_rows.add(["编号", "问题"])
    for cell in vs[1]:
        cell.font = bold
        cell.fill = head_fill
    for v in doc["veto_items"]:
        veto_rows.add([v["id"], v["question"]])
    vs.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


class _Rows:
    """Appends rows through ``write_cell`` (``ws.append`` would make "=…" a formula)."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.last = 0

    def add(self, values: list) -> int:
        from reviewtool.services.exports.xlsx import write_cell

        self.last += 1
        for column, value in enumerate(values, start=1):
            if value is not None:
                write_cell(self.ws, self.last, column, value)
        return self.last


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, float):
        return repr(value)
    return value


def excel_to_document(data: bytes, *, source: str) -> dict[str, Any]:
    """Read the workbook written by ``document_to_excel`` (possibly edited)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True, read_only=True)
    except Exception as exc:
        raise UserError(_("{file} is not a readable Excel workbook: {reason}").format(file=source, reason=exc)) from exc
    if SHEET_CRITERIA not in wb.sheetnames:
        raise UserError(
            _("{file} has no sheet named “{sheet}”; export a rubric to see the expected layout.").format(
                file=source, sheet=SHEET_CRITERIA
            )
        )
    rows = [[_cell(v) for v in row] for row in wb[SHEET_CRITERIA].iter_rows(values_only=True)]
    meta_labels = {label: key for key, label in META_FIELDS}
    header_labels = [label for _key, label in COLUMNS]
    doc: dict[str, Any] = {"criteria": [], "veto_items": []}
    rounding: dict[str, Any] = {}
    scope: dict[str, Any] = {}
    header_index = None
    for index, row in enumerate(rows):
        if row and row[0] == header_labels[0] and len(row) > 2 and row[2] == header_labels[2]:
            header_index = index
            break
        if row and row[0] in meta_labels:
            key = meta_labels[row[0]]
            value = row[1] if len(row) > 1 else None
            if key == "rounding.places":
                rounding["places"] = value
            elif key == "rounding.mode":
                rounding["mode"] = {v: k for k, v in MODE_CN.items()}.get(value, value)
            elif key.startswith("scope."):
                scope[key.split(".")[1]] = _split(value)
            elif value is not None:
                doc[key] = value
    if header_index is None:
        raise UserError(
            _("{file}: sheet “{sheet}” has no header row starting with “{label}”.").format(
                file=source, sheet=SHEET_CRITERIA, label=header_labels[0]
            )
        )
    if rounding:
        doc["rounding"] = rounding
    if any(scope.values()):
        doc["scope"] = scope
    header = [str(h) if h is not None else "" for h in rows[header_index]]
    positions = {}
    for key, label in COLUMNS:
        if label not in header:
            raise UserError(
                _("{file}: sheet “{sheet}” lacks the column “{label}”.").format(
                    file=source, sheet=SHEET_CRITERIA, label=label
                )
            )
        positions[key] = header.index(label)
    match_keys = {v: k for k, v in MATCH_CN.items()}
    comment_keys = {v: k for k, v in COMMENT_CN.items()}
    current: dict[str, Any] | None = None
    for offset, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        row = list(row) + [None] * (len(COLUMNS) - len(row))

        def get(key: str, row=row) -> Any:
            return row[positions[key]]

        if all(v is None for v in row):
            continue
        if get("id") is not None or get("title") is not None:
            current = {"id": str(get("id") or ""), "title": get("title")}
            for key in ("group", "description", "max_points", "weight"):
                if get(key) is not None:
                    current[key] = get(key)
            if get("plan_fit") in ("是", "yes", "true", True, 1):
                current["plan_fit"] = True
            suggested = {}
            for part in _split(get("suggested_bands")):
                name, _sep, label = part.partition("=")
                suggested[match_keys.get(name.strip(), name.strip())] = label.strip()
            if suggested:
                current["suggested_bands"] = suggested
            rule: dict[str, Any] = {}
            for part in _split(get("comment_required")):
                name, sep, value = part.replace("：", ":").partition(":")
                key = comment_keys.get(name.strip(), name.strip())
                if key == "below":
                    rule["below"] = value.strip()
                elif key == "bands":
                    rule["bands"] = [v for v in value.replace("、", " ").split() if v]
                else:
                    rule[key] = True
            if rule:
                current["comment_required"] = rule
            current["bands"] = []
            doc["criteria"].append(current)
        if current is None:
            raise UserError(
                _("{file}: row {row} has a band but no criterion above it (column “{label}” is empty).").format(
                    file=source, row=offset, label=COLUMNS[0][1]
                )
            )
        if get("band") is not None or get("low") is not None or get("high") is not None:
            current["bands"].append(
                {
                    "label": get("band"),
                    "low": get("low"),
                    "high": get("high"),
                    "descriptor": get("descriptor") or "",
                }
            )
    if SHEET_VETO in wb.sheetnames:
        for row in list(wb[SHEET_VETO].iter_rows(values_only=True))[1:]:
            row = [_cell(v) for v in row] + [None, None]
            if row[0] is None and row[1] is None:
                continue
            doc["veto_items"].append({"id": str(row[0] or ""), "question": row[1]})
    return doc
