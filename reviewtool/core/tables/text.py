"""Cell and header text as the reader compares it: NFKC-normalised, without
spaces, line breaks, ``*`` markers and bracketed units.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

_BRACKETS = re.compile(r"[\(\[【〔][^\)\]】〕]*[\)\]】〕]")
_STRIP = re.compile(r"[\s\*＊:：·•_\-—]+")


def normalise_header(text: Any) -> str:
    """Header text reduced for comparison: NFKC, no brackets, spaces, ``*`` or colons, lower case."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    value = _BRACKETS.sub("", value)
    value = _STRIP.sub("", value)
    return value.lower()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def plain_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_text(value: Any) -> str:
    """A cell value as clean text (integers written as floats lose their ``.0``; dates as ISO)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return plain_text(value)
