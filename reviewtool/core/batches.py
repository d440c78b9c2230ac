"""The rules a call for applications (申报批次) runs by, and checking what a
clerk types for them.

- ``threshold`` (及格线): the pass mark; below it an application is not
  recommended and never funded.
- ``min_sheets``: the fewest valid sheets (submitted, not excluded) an
  application needs before its score counts; with fewer its review is
  incomplete (评审未完成): never recommended, never funded. DOMAIN.md: at
  least 3 valid reviews per application.
- ``trimmed_min_sheets``: from this many sheets on the highest and the lowest
  total are dropped (去掉一个最高分和一个最低分); below it the mean is used.
- ``spread_threshold``: a spread (highest − lowest total) above it puts the
  application on the discussion queue.

Plain Python: no database, no Qt. Every parser raises ``UserError`` naming
the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from reviewtool.core.errors import UserError
from reviewtool.i18n import N_, _

DEFAULT_THRESHOLD = Decimal("70")
DEFAULT_MIN_SHEETS = 3
DEFAULT_TRIMMED_MIN_SHEETS = 5
DEFAULT_SPREAD_THRESHOLD = Decimal("20")

NAME_LIMIT = 200
POINTS_LIMIT = Decimal("1000")
SHEETS_LIMIT = 99
MONEY_STEP = Decimal("0.000001")  # 万元 to the fen
POINTS_STEP = Decimal("0.0001")
MONEY_LIMIT = Decimal("100000000")  # 1 万亿元: beyond any city's budget

#: Field key → its label (for messages and the batch form).
FIELD_LABELS = {
    "name": N_("Batch name"),
    "year": N_("Year"),
    "deadline": N_("Deadline"),
    "budget": N_("Budget (10k yuan)"),
    "threshold": N_("Pass mark"),
    "min_sheets": N_("Minimum valid sheets"),
    "trimmed_min_sheets": N_("Drop highest and lowest from"),
    "spread_threshold": N_("Spread threshold"),
    "category": N_("Programme"),
    "description": N_("Description"),
}


@dataclass(frozen=True)
class BatchRules:
    """The review rules of one batch, as every stage reads them."""

    threshold: Decimal = DEFAULT_THRESHOLD
    min_sheets: int = DEFAULT_MIN_SHEETS
    trimmed_min_sheets: int = DEFAULT_TRIMMED_MIN_SHEETS
    spread_threshold: Decimal = DEFAULT_SPREAD_THRESHOLD

    def review_complete(self, valid_sheets: int) -> bool:
        """Enough valid sheets for the score to count."""
        return valid_sheets >= self.min_sheets


def label(field: str) -> str:
    return _(FIELD_LABELS.get(field, field))


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def parse_name(value: object) -> str:
    name = re.sub(r"\s+", " ", _text(value))
    if not name:
        raise UserError(_("{field}: a name is required.").format(field=label("name")))
    if len(name) > NAME_LIMIT:
        raise UserError(
            _("{field}: at most {limit} characters ({count} given).").format(
                field=label("name"), limit=NAME_LIMIT, count=len(name)
            )
        )
    return name


def year_of(name: str) -> int | None:
    """The year a batch's name mentions (“2026年海东市科技计划项目” → 2026)."""
    match = re.search(r"(20\d{2})", name)
    return int(match.group(1)) if match else None


def parse_year(value: object) -> int | None:
    text = _text(value)
    if not text:
        return None
    if not re.fullmatch(r"\d{4}", text) or not 2000 <= int(text) <= 2100:
        raise UserError(_("{field}: “{text}” is not a year (2000–2100).").format(field=label("year"), text=text))
    return int(text)


def parse_deadline(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise UserError(
            _("{field}: “{text}” is not a date (YYYY-MM-DD).").format(field=label("deadline"), text=text)
        ) from None


def _decimal(field: str, value: object, step: Decimal, limit: Decimal, unit: str) -> Decimal | None:
    if isinstance(value, Decimal):
        number = value
    else:
        text = _text(value).replace(",", "").replace("，", "")
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise UserError(
                _("{field}: “{text}” is not a number of {unit}.").format(field=label(field), text=text, unit=unit)
            ) from None
    if not number.is_finite() or number < 0 or number > limit:
        raise UserError(
            _("{field}: must be between 0 and {limit} {unit}.").format(
                field=label(field), limit=format(limit.normalize(), "f"), unit=unit
            )
        )
    if number != number.quantize(step):
        raise UserError(
            _("{field}: at most {places} decimal places.").format(field=label(field), places=-step.as_tuple().exponent)
        )
    return number


def parse_money(field: str, value: object) -> Decimal | None:
    """万元, exact to the fen; empty means no budget."""
    return _decimal(field, value, MONEY_STEP, MONEY_LIMIT, _("10k yuan"))


def parse_points(field: str, value: object) -> Decimal:
    number = _decimal(field, value, POINTS_STEP, POINTS_LIMIT, _("points"))
    if number is None:
        raise UserError(_("{field}: a number is required.").format(field=label(field)))
    return number


def parse_count(field: str, value: object, *, low: int) -> int:
    text = _text(value)
    if not re.fullmatch(r"\d{1,3}", text) or not low <= int(text) <= SHEETS_LIMIT:
        raise UserError(
            _("{field}: “{text}” must be a whole number from {low} to {high}.").format(
                field=label(field), text=text, low=low, high=SHEETS_LIMIT
            )
        )
    return int(text)


def check_rules(rules: BatchRules) -> BatchRules:
    """Refuse combinations that cannot work (trimming needs at least 3 sheets)."""
    if rules.trimmed_min_sheets < 3:
        raise UserError(
            _("{field}: trimming drops two sheets, so it needs at least 3.").format(field=label("trimmed_min_sheets"))
        )
    if rules.min_sheets < 1:
        raise UserError(_("{field}: at least 1.").format(field=label("min_sheets")))
    return rules
