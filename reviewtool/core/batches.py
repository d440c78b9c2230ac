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
- ``money_ceiling`` and ``title_length_rule`` (in ``batch.settings``): what an
  import of the batch checks: the ceiling on one amount (default 100,000 万元)
  and the optional warning on titles over 30 and unit names over 20 汉字.

Plain Python: no database, no Qt. Every parser raises ``UserError`` naming
the field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from reviewtool.core.errors import UserError
from reviewtool.core.intake.values import DEFAULT_CEILING
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
    "money_ceiling": N_("Ceiling on one amount (10k yuan)"),
    "title_length_rule": N_("Name length rule"),
}

CATEGORY_LIMIT = 100  # batch.category VARCHAR(100)

#: What an import checks, kept in ``batch.settings`` (read by ``services.intake``): the ceiling on one
#: amount, 万元 (more is refused), and whether titles over 30 and unit names over 20 汉字 are warned about.
MONEY_CEILING_KEY = "money_ceiling"
LENGTH_RULE_KEY = "title_length_rule"
LENGTH_RULE_OFF, LENGTH_RULE_WARN = "off", "warn"
LENGTH_RULES = (LENGTH_RULE_OFF, LENGTH_RULE_WARN)


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


def parse_category(value: object) -> str | None:
    """计划类别: optional, at most 100 characters (refused beyond, never cut)."""
    text = _text(value)
    if len(text) > CATEGORY_LIMIT:
        raise UserError(
            _("{field}: at most {limit} characters ({count} given).").format(
                field=label("category"), limit=CATEGORY_LIMIT, count=len(text)
            )
        )
    return text or None


def money_ceiling_of(settings: dict | None) -> Decimal:
    """The batch's ceiling on one imported amount (万元): its setting, else 100,000 万元."""
    value = (settings or {}).get(MONEY_CEILING_KEY)
    try:
        ceiling = Decimal(str(value)) if value not in (None, "") else DEFAULT_CEILING
    except InvalidOperation:
        return DEFAULT_CEILING
    return ceiling if ceiling.is_finite() and ceiling > 0 else DEFAULT_CEILING


def length_rule_of(settings: dict | None) -> str:
    """``"warn"`` when the batch warns about titles over 30 and unit names over 20 汉字, else ``"off"``."""
    value = (settings or {}).get(LENGTH_RULE_KEY)
    return LENGTH_RULE_WARN if value is True or value == LENGTH_RULE_WARN else LENGTH_RULE_OFF


def parse_money_ceiling(value: object) -> Decimal:
    """The ceiling on one amount: more than 0 万元, to the fen; empty means the default (100,000 万元)."""
    ceiling = parse_money("money_ceiling", value)
    if ceiling is None:
        return DEFAULT_CEILING
    if ceiling <= 0:
        raise UserError(_("{field}: must be more than 0.").format(field=label("money_ceiling")))
    return ceiling


def parse_length_rule(value: object) -> str:
    """``off`` or ``warn`` (a bool: warn or not)."""
    if isinstance(value, bool):
        return LENGTH_RULE_WARN if value else LENGTH_RULE_OFF
    text = _text(value).lower()
    if text in LENGTH_RULES:
        return text
    raise UserError(
        _("{field}: “{text}” is not one of {choices}.").format(
            field=label("title_length_rule"), text=text, choices=" / ".join(LENGTH_RULES)
        )
    )


def check_rules(rules: BatchRules) -> BatchRules:
    """Refuse combinations that cannot work (trimming needs at least 3 sheets)."""
    if rules.trimmed_min_sheets < 3:
        raise UserError(
            _("{field}: trimming drops two sheets, so it needs at least 3.").format(field=label("trimmed_min_sheets"))
        )
    if rules.min_sheets < 1:
        raise UserError(_("{field}: at least 1.").format(field=label("min_sheets")))
    return rules
