"""Column types that keep decimals exact on every engine.

SQLite has no exact decimal type (NUMERIC columns come back as floats), so
money and points are stored as integers of a fixed smallest unit and come
back as ``Decimal``. The stored integers sort and sum correctly in SQL.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator):
    """A ``Decimal`` stored as an integer count of ``10**-scale`` units.

    Refuses values with more precision than the column holds instead of
    rounding them silently.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int, places: int = 2) -> None:
        super().__init__()
        self.scale = scale
        # Values come back with at least ``places`` decimals and no needless
        # trailing zeros beyond them (50 万元 reads "50.00", not "50.000000").
        self.places = places

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            if isinstance(value, float):
                raise TypeError("pass Decimal, not float, to an exact decimal column")
            value = Decimal(value)
        scaled = value.scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        exact = Decimal(int(value)).scaleb(-self.scale)
        shortest = exact.normalize()
        if -shortest.as_tuple().exponent <= self.places:
            return exact.quantize(Decimal(1).scaleb(-self.places))
        return shortest


def WanYuan() -> ScaledDecimal:  # noqa: N802 - reads like a column type
    """Money in 万元, exact to the fen (0.000001 万元 = 0.01 元)."""
    return ScaledDecimal(6)


def Points() -> ScaledDecimal:  # noqa: N802
    """Score points, exact to 1/10000 of a point (weighted scores need more than cents)."""
    return ScaledDecimal(4)
