"""Rubric specifications (评分标准): the immutable ``RubricSpec`` with its
criteria, bands, comment rules, veto items and rounding, and the number
formatting every layer shares. Validation and parsing are ``rubric_check``.

Plain Python: no Qt, no database. Thread-safe (immutable values).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from reviewtool.core.errors import UserError
from reviewtool.i18n import N_, _

#: Rounding modes a rubric may name, with their labels.
ROUNDING_MODES: dict[str, tuple[str, str]] = {
    "half_up": (ROUND_HALF_UP, N_("round half up (四舍五入)")),
    "half_even": (ROUND_HALF_EVEN, N_("round half to even (银行家舍入)")),
    "down": (ROUND_DOWN, N_("truncate (截尾)")),
}


#: What a plan-fit criterion may suggest a band for.
PLAN_MATCH_KINDS: dict[str, str] = {
    "key_industry": N_("a key industry (重点产业)"),
    "column_task": N_("a 专栏 task"),
    "direction": N_("a direction only"),
    "provincial": N_("a provincial 专项 item"),
    "none": N_("no match"),
}
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Rounding:
    """Exact decimal rounding: ``places`` decimals with ``mode``."""

    places: int = 2
    mode: str = "half_up"

    def apply(self, value: Decimal) -> Decimal:
        quantum = Decimal(1).scaleb(-self.places)
        return value.quantize(quantum, rounding=ROUNDING_MODES[self.mode][0])

    def describe(self) -> str:
        return _("{places} decimal places, {mode}").format(places=self.places, mode=_(ROUNDING_MODES[self.mode][1]))

    def as_storage(self) -> str:
        """The ``rubric_version.rounding`` column form, e.g. ``ROUND_HALF_UP:2``."""
        return f"{ROUNDING_MODES[self.mode][0]}:{self.places}"

    def as_dict(self) -> dict[str, Any]:
        return {"places": self.places, "mode": self.mode}


@dataclass(frozen=True)
class Band:
    label: str
    low: Decimal
    high: Decimal
    descriptor: str = ""

    def contains(self, points: Decimal) -> bool:
        return self.low <= points <= self.high

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "low": plain_number(self.low),
            "high": plain_number(self.high),
            "descriptor": self.descriptor,
        }


@dataclass(frozen=True)
class CommentRule:
    """When a criterion needs a written comment."""

    always: bool = False
    lowest_band: bool = False
    full_score: bool = False
    below: Decimal | None = None
    bands: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.always or self.lowest_band or self.full_score or self.below is not None or self.bands)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.always:
            out["always"] = True
        if self.lowest_band:
            out["lowest_band"] = True
        if self.full_score:
            out["full_score"] = True
        if self.below is not None:
            out["below"] = plain_number(self.below)
        if self.bands:
            out["bands"] = list(self.bands)
        return out


@dataclass(frozen=True)
class Criterion:
    key: str
    title: str
    max_points: Decimal
    description: str = ""
    group: str | None = None
    weight: Decimal | None = None
    bands: tuple[Band, ...] = ()
    comment_rule: CommentRule = field(default_factory=CommentRule)
    plan_fit: bool = False
    suggested_bands: Mapping[str, str] = field(default_factory=dict)

    @property
    def effective_weight(self) -> Decimal:
        return self.weight if self.weight is not None else Decimal(1)

    @property
    def weighted_max(self) -> Decimal:
        return self.max_points * self.effective_weight

    def band_for(self, points: Decimal) -> Band | None:
        for band in self.bands:
            if band.contains(points):
                return band
        return None

    def band_named(self, label: str) -> Band | None:
        return next((b for b in self.bands if b.label == label), None)

    def lowest_band(self) -> Band | None:
        return min(self.bands, key=lambda b: b.low) if self.bands else None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.key, "title": self.title}
        if self.group:
            out["group"] = self.group
        if self.description:
            out["description"] = self.description
        out["max_points"] = plain_number(self.max_points)
        if self.weight is not None:
            out["weight"] = plain_number(self.weight)
        if self.plan_fit:
            out["plan_fit"] = True
        if self.suggested_bands:
            out["suggested_bands"] = dict(self.suggested_bands)
        if not self.comment_rule.is_empty():
            out["comment_required"] = self.comment_rule.as_dict()
        out["bands"] = [b.as_dict() for b in self.bands]
        return out


@dataclass(frozen=True)
class VetoItem:
    key: str
    question: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.key, "question": self.question}


@dataclass(frozen=True)
class RubricSpec:
    """A validated rubric. ``as_dict()`` gives the canonical document."""

    code: str
    name: str
    criteria: tuple[Criterion, ...]
    description: str = ""
    total_points: Decimal = Decimal(100)
    step: Decimal = Decimal(1)
    rounding: Rounding = field(default_factory=Rounding)
    veto_items: tuple[VetoItem, ...] = ()
    scope_categories: tuple[str, ...] = ()
    scope_area_codes: tuple[str, ...] = ()

    @property
    def weighted(self) -> bool:
        return any(c.weight is not None for c in self.criteria)

    def criterion(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise KeyError(key)

    def groups(self) -> list[tuple[str | None, list[Criterion]]]:
        """Criteria in order, gathered into runs of the same group."""
        out: list[tuple[str | None, list[Criterion]]] = []
        for c in self.criteria:
            if out and out[-1][0] == c.group:
                out[-1][1].append(c)
            else:
                out.append((c.group, [c]))
        return out

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "code": self.code,
            "name": self.name,
        }
        if self.description:
            out["description"] = self.description
        out["total_points"] = plain_number(self.total_points)
        out["step"] = plain_number(self.step)
        out["rounding"] = self.rounding.as_dict()
        if self.scope_categories or self.scope_area_codes:
            out["scope"] = {"categories": list(self.scope_categories), "area_codes": list(self.scope_area_codes)}
        out["veto_items"] = [v.as_dict() for v in self.veto_items]
        out["criteria"] = [c.as_dict() for c in self.criteria]
        return out

    def content_hash(self) -> str:
        """A hash of the scoring content (ignores nothing: any change is a new version)."""
        payload = json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Problem:
    """One validation problem; ``where`` names the criterion / veto item / key."""

    where: str
    message: str

    def __str__(self) -> str:
        return _("{where}: {message}").format(where=self.where, message=self.message) if self.where else self.message


class RubricInvalid(UserError):
    """A rubric document failed validation; nothing was changed."""

    def __init__(self, problems: list[Problem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        first = str(problems[0]) if problems else ""
        if len(problems) > 1:
            first = _("{problem} (and {count} more problems)").format(problem=first, count=len(problems) - 1)
        text = _("{source}: {problem}").format(source=source, problem=first) if source else first
        super().__init__(_("Rubric not valid: {detail}").format(detail=text))


def plain_number(value: Decimal) -> int | str:
    """Decimals as YAML-friendly values: whole numbers as int, others as strings."""
    normalized = value.normalize()
    if normalized == normalized.to_integral_value():
        return int(normalized)
    return format(normalized, "f")


def points_text(value: Decimal | None) -> str:
    """Points for people and JSON: ``15``, ``12.5`` (no exponent, no trailing zeros)."""
    return "" if value is None else str(plain_number(value))


def figure_text(value: Decimal | None, places: int = 2) -> str | None:
    """A computed figure with ``places`` decimals when that is exact (``78.30``), else in full."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    if value == value.quantize(quantum):
        return format(value.quantize(quantum), "f")
    return format(value.normalize(), "f")


def to_decimal(value: Any) -> Decimal | None:
    """Read a number from YAML/Excel/text without going through float error."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None  # .inf / .nan are not numbers
    text = str(value).strip()
    if len(text) > 64:
        return None
    if not text:
        return None
    try:
        result = Decimal(text)
    except InvalidOperation:
        return None
    return result if result.is_finite() else None


def plan_fit_criteria_count(spec: RubricSpec) -> int:
    return sum(1 for c in spec.criteria if c.plan_fit)
