"""Numbers people type (score cells, amounts, CLI options, rubric fields):
exact, finite, and within bounds, or refused with the field named.

``to_number`` turns a cell or text into a ``Decimal`` without float error;
``parse_number`` adds the bounds and the places, and raises ``NumberRefused``
(a ``UserError``) naming the field: never an ``OverflowError`` or a
``decimal.InvalidOperation`` from ``1e308``, ``"1E999"``, ``inf`` or ``NaN``.
``display_number`` shows a refused value short (``1E+308``, not 309 digits).

Plain Python; thread-safe.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from reviewtool.core.errors import UserError
from reviewtool.i18n import _

#: Larger than any amount, score or count the app handles; storage holds up to ~9.2e12 万元.
ABSURD = Decimal(10) ** 12
#: Longer texts are not numbers a person typed.
MAX_TEXT = 64


class NumberRefused(UserError):
    """A typed number that is not a number, not finite, or out of bounds."""


class _NotNumber(ValueError):
    pass


class _NotFinite(ValueError):
    pass


def to_number(value: Any) -> Decimal | None:
    """A ``Decimal`` from an int, float, ``Decimal`` or text; ``None`` for blank.

    Raises ``ValueError`` for text that is not a number and for infinities
    and NaN (floats or text). Thousands separators (``1,234.5``) are accepted."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _NotNumber(str(value))
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _NotFinite(repr(value))
        number = Decimal(repr(value))
    else:
        text = str(value).strip().replace(",", "").replace("，", "")
        if not text:
            return None
        if len(text) > MAX_TEXT:
            raise _NotNumber(text[:20])
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _NotNumber(text) from None
    if not number.is_finite():
        raise _NotFinite(str(value))
    return number


def more_places_than(number: Decimal, places: int) -> bool:
    """Whether ``number`` has non-zero digits beyond ``places`` decimals (exact:
    no rounding to the context's 28 digits, which ``normalize`` would do)."""
    _sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= -places:
        return False
    digits = list(digits)
    while exponent < -places and digits and digits[-1] == 0:
        digits.pop()
        exponent += 1
    return exponent < -places and any(digits)


def display_number(value: Decimal) -> str:
    """Short text for a number in a message: plain when reasonable, else ``1.5E+15``."""
    if not value.is_finite():
        return str(value)
    if value != 0 and (value.adjusted() > 12 or value.adjusted() < -8):
        return f"{value:.4E}".replace(".0000E", "E")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def parse_number(
    value: Any,
    *,
    field: str,
    minimum: Decimal | int | None = 0,
    maximum: Decimal | int | None = ABSURD,
    places: int | None = None,
    integer: bool = False,
) -> Decimal | None:
    """``to_number`` within ``minimum``–``maximum`` and at most ``places``
    decimals (``integer``: none); ``None`` for blank. ``field`` names the cell
    or option in the message (e.g. "评分!D5" or "--budget")."""
    try:
        number = to_number(value)
    except _NotFinite:
        raise NumberRefused(_("{field}: “{value}” is not a finite number.").format(field=field, value=value)) from None
    except ValueError:
        shown = str(value) if len(str(value)) <= MAX_TEXT else str(value)[:MAX_TEXT] + "…"
        raise NumberRefused(_("{field}: “{value}” is not a number.").format(field=field, value=shown)) from None
    if number is None:
        return None
    if maximum is not None and number > Decimal(maximum):
        raise NumberRefused(
            _("{field}: {value} is more than the largest allowed, {maximum}.").format(
                field=field, value=display_number(number), maximum=display_number(Decimal(maximum))
            )
        )
    if minimum is not None and number < Decimal(minimum):
        raise NumberRefused(
            _("{field}: {value} is less than the smallest allowed, {minimum}.").format(
                field=field, value=display_number(number), minimum=display_number(Decimal(minimum))
            )
        )
    if integer:
        places = 0
    if places is not None and more_places_than(number, places):
        if places == 0:
            raise NumberRefused(
                _("{field}: {value} is not a whole number.").format(field=field, value=display_number(number))
            )
        raise NumberRefused(
            _("{field}: {value} has more than {places} decimal places.").format(
                field=field, value=display_number(number), places=places
            )
        )
    return number
