"""Turning one sheet row into an application draft, or into row-level errors.

Plain Python: what the database knows (areas, counties, existing units) is
passed in as an :class:`IntakeContext`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from reviewtool.core.enums import UnitType
from reviewtool.core.intake.fields import (
    COUNTIES,
    COUNTY_ALIASES,
    FIELDS,
    FIELDS_BY_KEY,
    IMPORTED_ATTRIBUTES,
    SUMMED_KINDS,
    TEXT_LIMITS,
    TITLE_RULE_LENGTH,
    UNIT_RULE_LENGTH,
    UNIT_TYPE_WORDS,
)
from reviewtool.core.intake.values import (
    DEFAULT_CEILING,
    area_code_prefix,
    format_money,
    parse_int,
    parse_money,
    parse_month,
    parse_period,
    split_codes,
)
from reviewtool.core.tables.text import cell_text, normalise_header
from reviewtool.core.tables.types import Cell, CellRef, TableRow
from reviewtool.i18n import _

__all__ = ["TEXT_LIMITS", "ApplicationDraft", "IntakeContext", "RowIssue", "parse_row"]


@dataclass(frozen=True)
class RowIssue:
    """A problem with one cell (or row): enough to find it in the workbook."""

    sheet: str
    row: int
    column: str  # letter, "" for the whole row
    header: str  # the column's header text, "" for the whole row
    message: str
    kind: str = "error"  # error, duplicate, warning

    def text(self) -> str:
        if self.column:
            return _("Sheet {sheet}, row {row}, column {column} ({header}): {message}").format(
                sheet=self.sheet, row=self.row, column=self.column, header=self.header, message=self.message
            )
        return _("Sheet {sheet}, row {row}: {message}").format(sheet=self.sheet, row=self.row, message=self.message)

    def short_text(self) -> str:
        """Without the sheet and row, for a list that already shows them."""
        if self.column:
            return _("Column {column} ({header}): {message}").format(
                column=self.column, header=self.header, message=self.message
            )
        return self.message

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "kind": self.kind,
            "message": self.message,
            "text": self.text(),
        }


@dataclass
class IntakeContext:
    """What validation needs to know from the database."""

    area_titles: dict[str, str]  # code → title (active editions)
    unit_counties: dict[str, str | None] = field(default_factory=dict)  # existing unit name → county
    counties: tuple[str, ...] = COUNTIES
    money_ceiling: Decimal = DEFAULT_CEILING  # 万元; more is refused (the batch's setting)
    length_rule: bool = False  # warn on titles over 30 and units over 20 汉字 (the batch's setting)

    def __post_init__(self) -> None:
        self._by_title = {normalise_header(t): c for c, t in self.area_titles.items()}
        self._codes_upper = {c.upper(): c for c in self.area_titles}

    def resolve_area(self, text: str) -> str | None:
        code = area_code_prefix(text)
        if code and code in self._codes_upper:
            return self._codes_upper[code]
        return self._by_title.get(normalise_header(text))

    def resolve_county(self, text: str) -> str | None:
        text = text.strip()
        if text in self.counties:
            return text
        for prefix in ("海东市", "青海省海东市"):
            if text.startswith(prefix) and text[len(prefix) :] in self.counties:
                return text[len(prefix) :]
            if text.startswith(prefix) and text[len(prefix) :] in COUNTY_ALIASES:
                return COUNTY_ALIASES[text[len(prefix) :]]
        return COUNTY_ALIASES.get(text)


@dataclass
class ApplicationDraft:
    """The values of one valid row, ready for the service to store."""

    sheet: str
    row: int
    number: str | None
    values: dict[str, Any]  # Application attributes
    unit_name: str
    unit_type: UnitType | None
    county: str | None
    credit_code: str | None
    primary_area: str | None
    secondary_areas: list[str]
    extra_fields: dict[str, str]


#: CJK ideographs (汉字): the unified blocks, extension A and B onwards, and the compatibility ideographs.
_HANZI = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def count_hanzi(text: str) -> int:
    """How many 汉字 a text has: what the national rule counts (项目名称 ≤ 30 汉字), not letters, digits or
    punctuation (“5G基站”, 3 汉字)."""
    return len(_HANZI.findall(text))


#: From this many 万元 (1 亿元) an amount is flagged as probably written in 元.
UNIT_MISTAKE_FROM = Decimal(10_000)


def _issue_at(row: TableRow, cell, headers: dict[str, str], key: str, message: str) -> RowIssue:
    """An issue on one particular cell (a repeatable field's second column, say)."""
    column = next((k for k, c in row.cells.items() if c is cell), key)
    return RowIssue(row.sheet, row.row, cell.ref.letter, headers.get(column, FIELDS_BY_KEY[key].header), message)


def _issue(row: TableRow, key: str, headers: dict[str, str], message: str, kind: str = "error") -> RowIssue:
    ref: CellRef | None = row.ref(key)
    if ref is None:
        return RowIssue(row.sheet, row.row, "", "", message, kind)
    return RowIssue(row.sheet, row.row, ref.letter, headers.get(key, FIELDS_BY_KEY[key].header), message, kind)


def guess_unit_type(name: str) -> UnitType:
    for member in (UnitType.INSTITUTE, UnitType.UNIVERSITY, UnitType.ENTERPRISE):
        if any(word in name for word in UNIT_TYPE_WORDS[member.value] if len(word) > 1 or name.endswith(word)):
            return member
    return UnitType.OTHER


def parse_unit_type(text: str) -> UnitType:
    text = text.strip()
    try:
        return UnitType.from_label(text)
    except ValueError:
        pass
    for value, words in UNIT_TYPE_WORDS.items():
        if text in words:
            return UnitType(value)
    raise ValueError(_("“{value}” is not a unit type (企业, 高校, 科研院所 or 其他)").format(value=text))


def parse_row(
    row: TableRow, context: IntakeContext, headers: dict[str, str]
) -> tuple[ApplicationDraft | None, list[RowIssue]]:
    """Validate one row; returns the draft (None when there are errors) and the issues found."""
    issues: list[RowIssue] = []
    values: dict[str, Any] = {}
    budget: dict[str, str] = {}
    outputs: dict[str, str] = {}

    failed: set[str] = set()

    def fail(key: str, message: str) -> None:
        failed.add(key)
        issues.append(_issue(row, key, headers, message))

    def money(raw: Any, key: str, cell: Cell | None = None) -> Decimal | None:
        amount = parse_money(raw)
        if amount is not None and amount > context.money_ceiling:
            hint = ""
            if amount / 10000 <= context.money_ceiling:
                hint = _("; if it was written in yuan, it is {wan} (10k yuan)").format(wan=format_money(amount / 10000))
            raise ValueError(
                _("{amount} (10k yuan) is more than the ceiling of {ceiling} for one amount{hint}").format(
                    amount=format_money(amount), ceiling=format_money(context.money_ceiling), hint=hint
                )
            )
        if amount is not None and amount >= UNIT_MISTAKE_FROM:
            message = _(
                "{amount} (10k yuan) is {yi} hundred million yuan: probably written in yuan ({wan} (10k yuan))"
            ).format(amount=format_money(amount), yi=format_money(amount / 10000), wan=format_money(amount / 10000))
            issue = _issue(row, key, headers, message, kind="warning")
            if cell is not None:
                issue = replace(_issue_at(row, cell, headers, key, message), kind="warning")
            issues.append(issue)
        return amount

    # Money fields and budget lines fed by several columns (差旅费 and 会议费 both feed 差旅会议, 单位自筹 and
    # 配套经费 both feed 自筹经费): every cell is checked on its own, and the amounts are summed.
    summed_cells: dict[str, list] = {}
    for key, cell in row.cells.items():
        base = key.split("#", 1)[0]
        if base in FIELDS_BY_KEY and FIELDS_BY_KEY[base].kind in SUMMED_KINDS:
            summed_cells.setdefault(base, []).append(cell)

    def summed(key: str, formula_message: str) -> Decimal | None:
        total: Decimal | None = None
        for cell in summed_cells.get(key, ()):
            if cell.value is None and cell.formula:
                issues.append(_issue_at(row, cell, headers, key, formula_message.format(formula=cell.formula)))
                failed.add(key)
                continue
            try:
                amount = money(cell.value, key, cell)
            except ValueError as exc:
                issues.append(_issue_at(row, cell, headers, key, str(exc)))
                failed.add(key)
                continue
            if amount is not None:
                total = amount if total is None else total + amount
        return total

    for spec in FIELDS:
        if spec.kind == "budget":
            total_line = summed(spec.key, _("the formula {formula} has no saved result"))
            if total_line is not None and spec.key not in failed:
                budget[spec.key.split(":", 1)[1]] = str(total_line)
            continue
        if spec.kind == "money":
            if spec.key not in summed_cells:
                continue
            amount = summed(
                spec.key,
                _("the formula {formula} has no saved result; open and save the workbook in Excel or WPS"),
            )
            if amount is not None:
                values[spec.key] = amount
            elif spec.required and spec.key not in failed:
                fail(spec.key, _("required, but empty"))
            continue
        cell = row.cells.get(spec.key)
        if cell is None:
            continue
        raw = cell.value
        if raw is None and cell.formula:
            fail(
                spec.key,
                _("the formula {formula} has no saved result; open and save the workbook in Excel or WPS").format(
                    formula=cell.formula
                ),
            )
            continue
        if raw is None:
            if spec.required:
                fail(spec.key, _("required, but empty"))
            continue
        try:
            if spec.kind == "int":
                values[spec.key] = parse_int(raw)
            elif spec.kind == "date":
                values[spec.key] = parse_month(raw, end=spec.key == "end_date")
            elif spec.kind == "period":
                values["start_date"], values["end_date"] = parse_period(raw)
            elif spec.kind == "output":
                text = cell_text(raw)
                if text:
                    outputs[spec.key.split(":", 1)[1]] = text
            else:
                text = cell_text(raw)
                limit = TEXT_LIMITS.get(spec.key)
                if limit and len(text) > limit:
                    raise ValueError(
                        _("too long ({length} characters; at most {limit})").format(length=len(text), limit=limit)
                    )
                values[spec.key] = text or None
        except ValueError as exc:
            fail(spec.key, str(exc))
    if "requested_amount" in row.cells and values.get("requested_amount") is None and "requested_amount" not in failed:
        fail("requested_amount", _("required, but empty"))

    for key in ("title", "unit", "pi_name"):
        if key in values and not values[key]:
            fail(key, _("required, but empty"))

    start, end = values.get("start_date"), values.get("end_date")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        key = "period" if "period" in row.cells else "end_date"
        fail(
            key,
            _("the end ({end}) is before the start ({start})").format(
                end=f"{end.year}.{end.month:02d}", start=f"{start.year}.{start.month:02d}"
            ),
        )

    total, requested, own = values.get("total_budget"), values.get("requested_amount"), values.get("self_funding")
    if isinstance(total, Decimal) and isinstance(requested, Decimal) and isinstance(own, Decimal):
        if requested + own != total:
            issues.append(
                _issue(
                    row,
                    "total_budget",
                    headers,
                    _("the total {total} is not requested {requested} + self-funding {own}").format(
                        total=total, requested=requested, own=own
                    ),
                    kind="warning",
                )
            )
    elif isinstance(requested, Decimal) and isinstance(own, Decimal) and total is None:
        values["total_budget"] = requested + own

    county = None
    if values.get("county"):
        county = context.resolve_county(values["county"])
        if county is None:
            fail(
                "county",
                _("unknown county “{value}” (one of: {counties})").format(
                    value=values["county"], counties="、".join(context.counties)
                ),
            )
    unit_type = None
    if values.get("unit_type"):
        try:
            unit_type = parse_unit_type(values["unit_type"])
        except ValueError as exc:
            fail("unit_type", str(exc))

    primary = None
    if values.get("area"):
        primary = context.resolve_area(values["area"])
        if primary is None:
            fail("area", _("the priority area “{value}” does not exist in the plan").format(value=values["area"]))
    secondary: list[str] = []
    for text in split_codes(values.get("secondary_areas")):
        code = context.resolve_area(text)
        if code is None:
            fail("secondary_areas", _("the priority area “{value}” does not exist in the plan").format(value=text))
        elif code != primary and code not in secondary:
            secondary.append(code)

    if values.get("unit"):
        lead, *partners = [p.strip() for p in re.split(r"[、；;]+", values["unit"]) if p.strip()]
        values["unit"] = lead
        if partners:
            values["partner_units"] = "、".join(
                [*partners, *([values["partner_units"]] if values.get("partner_units") else [])]
            )
            issues.append(
                _issue(
                    row,
                    "unit",
                    headers,
                    _("several units in one cell: {lead} is the applicant unit, {partners} partner units").format(
                        lead=lead, partners="、".join(partners)
                    ),
                    kind="warning",
                )
            )
    if context.length_rule:
        for key, limit, wording in (
            (
                "title",
                TITLE_RULE_LENGTH,
                _("the title has {length} Chinese characters (汉字), more than the {limit} the batch's rule allows"),
            ),
            (
                "unit",
                UNIT_RULE_LENGTH,
                _(
                    "the unit name has {length} Chinese characters (汉字), more than the {limit} "
                    "the batch's rule allows"
                ),
            ),
        ):
            length = count_hanzi(values.get(key) or "")
            if length > limit:
                issues.append(_issue(row, key, headers, wording.format(length=length, limit=limit), kind="warning"))
    if row.hidden:
        issues.append(RowIssue(row.sheet, row.row, "", "", _("this row is hidden in the workbook"), "warning"))

    if values.get("pi_email") and "@" not in values["pi_email"]:
        fail("pi_email", _("“{value}” is not an e-mail address").format(value=values["pi_email"]))

    extra = {label: cell_text(cell.value) for label, cell in row.extra.items()}
    issues.sort(key=lambda issue: (len(issue.column), issue.column))
    errors = [i for i in issues if i.kind == "error"]
    if errors:
        return None, issues
    unit_name = values.pop("unit")
    draft = ApplicationDraft(
        sheet=row.sheet,
        row=row.row,
        number=values.pop("number", None),
        values={key: values.get(key) for key in IMPORTED_ATTRIBUTES if key in values}
        | ({"budget_lines": budget} if budget else {})
        | ({"outputs": outputs} if outputs else {}),
        unit_name=unit_name,
        unit_type=unit_type,
        county=county,
        credit_code=values.get("credit_code"),
        primary_area=primary,
        secondary_areas=secondary,
        extra_fields=extra,
    )
    return draft, issues
