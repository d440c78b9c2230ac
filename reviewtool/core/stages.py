"""The final score of an application reviewed in several stages (评审阶段).

A batch states one rule for its final score:

- ``last`` (default): the result of the last expert stage the application
  reached (an application not promoted keeps the result of the stage where
  it stopped);
- ``weighted``: a weighted combination of named stages, e.g. 网络评审 40 % +
  会议评审 60 % (the weights add up to 100). An application that did not reach
  every weighted stage keeps the result of the last stage it reached.

Either way an application that went further ranks above one that stopped
earlier: the ranking groups by the stage reached. Plain Python: no database,
no Qt; ``Decimal`` throughout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from reviewtool.core.errors import UserError
from reviewtool.i18n import _

LAST = "last"
WEIGHTED = "weighted"
KINDS = (LAST, WEIGHTED)
HUNDRED = Decimal(100)
PLACES = Decimal("0.01")


@dataclass(frozen=True)
class FinalRule:
    kind: str = LAST
    weights: tuple[tuple[str, Decimal], ...] = ()  # (stage name, percent), in stage order

    @property
    def weighted(self) -> bool:
        return self.kind == WEIGHTED and bool(self.weights)

    def text(self, stage_names: Sequence[str] = ()) -> str:
        """The rule in words, as printed beside every final score."""
        if self.weighted:
            parts = " + ".join(f"{name} × {_percent(weight)}%" for name, weight in self.weights)
            return _(
                "Final score = {parts}; an application that did not reach all of these stages keeps the score of "
                "the last stage it reached, and ranks below those that went further."
            ).format(parts=parts)
        if len(stage_names) > 1:
            return _(
                "Final score: the score of the last review stage each application reached ({stages}); those that "
                "went further rank above those that stopped earlier."
            ).format(stages=" → ".join(stage_names))
        if stage_names:
            return _("Final score: the score of the {stage} stage.").format(stage=stage_names[0])
        return _("Final score: the score of the last review stage.")

    def as_json(self) -> dict:
        return {"kind": self.kind, "weights": {name: _percent(weight) for name, weight in self.weights}}

    def as_setting(self) -> dict:
        return self.as_json()


def _percent(value: Decimal) -> str:
    return format(value.normalize(), "f")


def parse_weight(text: object, *, stage: str) -> Decimal:
    try:
        value = Decimal(str(text).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise UserError(_("Weight of {stage}: “{text}” is not a number.").format(stage=stage, text=text)) from None
    if not value.is_finite() or value <= 0 or value > HUNDRED or value != value.quantize(PLACES):
        raise UserError(
            _("Weight of {stage}: {value} must be more than 0 and at most 100, with at most two decimals.").format(
                stage=stage, value=text
            )
        )
    return value


def make_rule(kind: str, weights: Mapping[str, object] | None, stage_names: Sequence[str]) -> FinalRule:
    """Check a rule against the batch's expert stages (names in order); ``UserError`` names what is wrong."""
    if kind not in KINDS:
        raise UserError(_("Unknown final-score rule “{rule}” (allowed: {allowed}).").format(
            rule=kind, allowed=", ".join(KINDS)))  # fmt: skip
    if kind == LAST:
        if weights:
            raise UserError(_("The rule “last” takes no weights."))
        return FinalRule()
    weights = dict(weights or {})
    unknown = [name for name in weights if name not in stage_names]
    if unknown:
        raise UserError(
            _("Weights name stages the batch does not have: {names} (its expert stages: {stages}).").format(
                names="、".join(unknown), stages="、".join(stage_names)
            )
        )
    if len(weights) < 2:
        raise UserError(_("A weighted final score combines at least two stages."))
    parsed = tuple((name, parse_weight(weights[name], stage=name)) for name in stage_names if name in weights)
    total = sum(weight for _name, weight in parsed)
    if total != HUNDRED:
        raise UserError(_("The weights add up to {total}, not 100.").format(total=_percent(total)))
    return FinalRule(WEIGHTED, parsed)


def rule_from_setting(value: object) -> FinalRule:
    """The rule as stored in ``batch.settings`` (anything unreadable: the default)."""
    if not isinstance(value, Mapping) or value.get("kind") != WEIGHTED:
        return FinalRule()
    weights = value.get("weights") or {}
    try:
        return FinalRule(WEIGHTED, tuple((str(k), Decimal(str(v))) for k, v in weights.items()))
    except (InvalidOperation, ValueError):
        return FinalRule()


def combine(rule: FinalRule, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """The weighted figure from each weighted stage's figure; ``None`` when one is missing."""
    total = Decimal(0)
    for name, weight in rule.weights:
        value = values.get(name)
        if value is None:
            return None
        total += value * weight
    return (total / HUNDRED).quantize(PLACES, rounding=ROUND_HALF_UP)


def covers(rule: FinalRule, reached: Sequence[str]) -> bool:
    """Whether an application reached every stage the weighted rule combines."""
    return rule.weighted and all(name in reached for name, _w in rule.weights)
