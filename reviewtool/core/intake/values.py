"""Parsing the values clerks type: money in 万元, months and periods, counts.

Every parser raises ``ValueError`` whose text is a translated sentence a
clerk understands (the caller adds sheet, row and column).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from reviewtool.i18n import _

FEN = Decimal("0.000001")  # 0.01 元 in 万元
#: Far beyond any application (10¹² 万元): refused by the parser itself, whatever the batch's ceiling.
ABSURD = Decimal(10) ** 12
#: The default ceiling on one amount, 万元 (a batch may set its own: ``settings["money_ceiling"]``).
DEFAULT_CEILING = Decimal(100_000)


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


_MONEY_NOISE = re.compile(r"[\s,，¥￥]|人民币|RMB", re.I)


def parse_money(value: Any) -> Decimal | None:
    """万元 from a number, numeric text, ``"1,234.5"``, ``"12.5万元"``, ``"12.5万"``; ``"125000元"`` is converted."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("“{value}” is not an amount of money").format(value=value))
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(_("“{value}” is not an amount of money").format(value=value))
        amount = Decimal(repr(value))
    elif isinstance(value, Decimal):
        amount = value
    else:
        text = _MONEY_NOISE.sub("", _clean(str(value)))
        if not text or text in ("-", "/", "—", "无"):
            return None
        scale = Decimal(1)
        if text.endswith("万元"):
            text = text[:-2]
        elif text.endswith("万"):
            text = text[:-1]
        elif text.endswith("元"):
            text = text[:-1]
            scale = Decimal("0.0001")
        try:
            amount = Decimal(text) * scale
        except InvalidOperation:
            raise ValueError(
                _("“{value}” is not an amount in 10k yuan (write a number such as 12.5)").format(value=value)
            ) from None
        if not amount.is_finite():
            raise ValueError(_("“{value}” is not an amount of money").format(value=value))
    if not amount.is_finite():
        raise ValueError(_("“{value}” is not an amount of money").format(value=value))
    if amount < 0:
        raise ValueError(_("the amount {value} is negative").format(value=value))
    if amount > ABSURD:
        raise ValueError(_("“{value}” is far too large to be an amount in 10k yuan").format(value=value))
    amount = amount.quantize(FEN, rounding=ROUND_HALF_UP)
    if amount == amount.to_integral_value():
        return amount.quantize(Decimal(1))
    return amount.normalize()


def format_money(amount: Decimal | None) -> str:
    if amount is None:
        return ""
    text = f"{amount:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def parse_int(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_("“{value}” is not a whole number").format(value=value))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = _clean(str(value)).rstrip("人名个")
        if not text:
            return None
        if not re.fullmatch(r"\d+", text):
            raise ValueError(_("“{value}” is not a whole number").format(value=value))
        number = int(text)
    if number < 0:
        raise ValueError(_("the number {value} is negative").format(value=value))
    return number


_MONTH = r"(\d{4})\s*(?:年|[.\-/])?\s*(\d{1,2})?\s*(?:月|[.\-/]\s*\d{1,2}\s*日?)?"
_MONTH_RE = re.compile(rf"^{_MONTH}$")
_RANGE_RE = re.compile(rf"^{_MONTH}\s*(?:至|到|~|～|-|—|–|－|——)\s*{_MONTH}$")


def _month(year: str, month: str | None, *, end: bool) -> dt.date:
    y = int(year)
    m = int(month) if month else (12 if end else 1)
    if not 1900 <= y <= 2200 or not 1 <= m <= 12:
        raise ValueError
    return dt.date(y, m, 1)


def parse_month(value: Any, *, end: bool = False) -> dt.date | None:
    """A month (stored as its first day) from a date cell or ``2025.01``, ``2025-1``, ``2025年1月``, ``2025/1/15``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, float):
        # 2025.01 typed into a number cell reads back as 2025.01, but 2025.10 as 2025.1.
        if repr(value).endswith(".1"):
            raise ValueError(
                _("“{value}” is ambiguous (January or October?); format the cell as text").format(value=value)
            )
        value = repr(value)
    text = _clean(str(value))
    if not text:
        return None
    match = _MONTH_RE.match(text)
    if match:
        year, month = match.group(1), match.group(2)
        try:
            return _month(year, month, end=end)
        except ValueError:
            pass
    raise ValueError(_("“{value}” is not a month (write 2025.01 or 2025年1月)").format(value=value))


def parse_period(value: Any) -> tuple[dt.date | None, dt.date | None]:
    """起止年限: ``2025.01-2026.12``, ``2025年1月至2026年12月``, ``2025-2026``, ``2025/1～2026/12``."""
    if value is None:
        return None, None
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueError(_("“{value}” is a single date, not a period (write 2025.01-2026.12)").format(value=value))
    text = _clean(str(value)).replace(" ", "")
    if not text:
        return None, None
    match = _RANGE_RE.match(text)
    if match:
        try:
            start = _month(match.group(1), match.group(2), end=False)
            finish = _month(match.group(3), match.group(4), end=True)
        except ValueError:
            pass
        else:
            return start, finish
    raise ValueError(
        _("“{value}” is not a period (write 2025.01-2026.12 or 2025年1月至2026年12月)").format(value=value)
    )


def format_month(day: dt.date | None) -> str:
    return "" if day is None else f"{day.year}.{day.month:02d}"


def format_period(start: dt.date | None, end: dt.date | None) -> str:
    if start is None and end is None:
        return ""
    return f"{format_month(start)}-{format_month(end)}"


_CODE_RE = re.compile(r"^([A-Za-z]{2}-[A-Za-z0-9]+(?:-\d+)?)")


def split_codes(value: Any) -> list[str]:
    """Several areas in one cell, separated by commas, 、, semicolons or line breaks."""
    if value is None:
        return []
    text = _clean(str(value))
    parts = re.split(r"[,，、;；\n/]+", text)
    return [p.strip() for p in parts if p.strip()]


def area_code_prefix(text: str) -> str | None:
    """``"HD-I05 特色养殖业…"`` → ``"HD-I05"``."""
    match = _CODE_RE.match(_clean(text))
    return match.group(1).upper() if match else None
