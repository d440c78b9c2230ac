"""How the documents write numbers, dates and choices — shared by the PDF,
Word and Excel writers so every form says the same thing the same way.

Thread-safety: pure functions.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from reviewtool.core.enums import Opinion
from reviewtool.i18n import _

CHECKED = "☑"
UNCHECKED = "☐"


def fmt_money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def fmt_points(value: Decimal | None) -> str:
    """Points without needless zeros: 18, 18.5, 86.25."""
    if value is None:
        return ""
    q = value.quantize(Decimal("0.01"))
    text = f"{q:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_total(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(Decimal('0.01')):f}"


def fmt_date(value: dt.date | None) -> str:
    """2026年12月1日; a blank to fill in by hand when there is no date."""
    if value is None:
        return _("____ year __ month __ day")
    return _("{year} year {month} month {day} day").format(year=value.year, month=value.month, day=value.day)


def opinion_boxes(chosen: Opinion | None) -> str:
    return "    ".join(f"{CHECKED if chosen is o else UNCHECKED} {o.label()}" for o in Opinion)


def opinion_tally(opinions: dict[str, int]) -> str:
    parts = []
    for o in Opinion:
        count = opinions.get(o.value, 0)
        parts.append(_("{opinion} {count}").format(opinion=o.label(), count=count))
    return _(", ").join(parts)


def commitment_text() -> str:
    return _(
        "I know the rules on withdrawing from a review. I do not work for the applicant unit and have no "
        "relationship with the applicant unit or the project leader that could affect a fair review (any such "
        "relationship is declared below). I will review independently, objectively and fairly, keep the "
        "application and my opinion confidential, and not copy or pass them on."
    )


def conflict_boxes() -> str:
    return _(
        "{box} No conflict of interest: I need not withdraw    {box} Conflict: I withdraw (reason: {line})"
    ).format(box=UNCHECKED, line="_" * 14)


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def _four(number: int) -> str:
    """0 < number < 10000 in capital numerals, zeros collapsed."""
    out = ""
    zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += _DIGITS[digit] + _SMALL_UNITS[position]
    return out


def rmb_upper(amount: Decimal) -> str:
    """An amount in 元 in the capital numerals of a receipt: 贰仟肆佰元整, 壹佰元零伍分.

    The form money is written in on Chinese financial papers (会计基础工作规范 第五十二条)."""
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        return "负" + rmb_upper(-amount)
    fen_total = int(amount * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    text = ""
    if yuan:
        groups = []
        while yuan:
            yuan, group = divmod(yuan, 10000)
            groups.append(group)
        pending_zero = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                pending_zero = bool(text)
                continue
            if text and (pending_zero or group < 1000):
                text += "零"
            pending_zero = False
            text += _four(group) + _BIG_UNITS[index]
        text += "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += _DIGITS[fen] + "分"
    return text
