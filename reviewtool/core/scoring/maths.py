"""The scoring maths: sheet totals, bands, vetoes, comment rules, panel
statistics and ranking. Plain Python on ``Decimal``; no Qt, no database.

Stated rules (also in the README):

- **Points** must lie in ``0 … max_points`` and be a multiple of the rubric's
  ``step``; anything else is refused with the reason.
- **Sheet total** = Σ points × weight (weight 1 when the rubric has none),
  summed exactly, then rounded once with the rubric's rounding
  (default 2 places, half up).
- **Veto.** Any veto answered "yes" marks the sheet vetoed whatever the
  points. A vetoed sheet may be submitted without points; its total counts
  in the panel figures only when every criterion was scored.
- **Panel figures** use submitted, not excluded sheets that have a total:
  mean; median (mean of the two middle values for an even count);
  trimmed mean = mean after dropping one highest and one lowest score,
  used when there are at least ``min_trimmed`` sheets (default 5, never
  fewer than 3); spread = max − min; standard deviation = population
  standard deviation. Each figure is computed exactly and rounded once.
  The final score is the trimmed mean when it applies, else the mean; the
  rule in force is reported with it.
- **Ranking.** Vetoed applications (any veto on a counted sheet) come after
  all others and are never recommended. Otherwise: final score, high to
  low; ties broken by (1) more 推荐 opinions, (2) higher median, (3) smaller
  spread, (4) 申报编号 in ascending order. An application is recommended
  when its final score is at least the threshold (default 70).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

from reviewtool.core.enums import Opinion
from reviewtool.core.errors import UserError
from reviewtool.core.numbers import display_number, more_places_than
from reviewtool.core.scoring.rubric import Band, Criterion, Rounding, RubricSpec, plain_number, to_decimal
from reviewtool.i18n import N_, _

#: Points are stored to 1/10000 of a point (``storage.types.Points``).
POINT_PLACES = 4

DEFAULT_MIN_TRIMMED = 5
DEFAULT_THRESHOLD = Decimal(70)
DEFAULT_SPREAD_THRESHOLD = Decimal(20)

RULE_MEAN = "mean"
RULE_TRIMMED = "trimmed_mean"
RULE_NONE = "none"
RULE_LABELS = {
    RULE_MEAN: N_("mean of all sheets"),
    RULE_TRIMMED: N_("mean after dropping the highest and the lowest"),
    RULE_NONE: N_("no submitted sheets"),
    "normalised": N_("z-score normalised"),
    "median": N_("median"),
    "weighted": N_("weighted across the review stages"),
}

FLAG_SPREAD = "spread"
FLAG_VETO = "veto"
FLAG_FEW = "few_sheets"
FLAG_INCOMPLETE = "review_incomplete"
FLAG_LABELS = {
    FLAG_SPREAD: N_("scores far apart"),
    FLAG_VETO: N_("vetoed"),
    FLAG_FEW: N_("fewer than 3 sheets"),
    FLAG_INCOMPLETE: N_("review incomplete"),
}

TIE_BREAK_TEXT = N_(
    "Equal final scores are ordered by: more 推荐 opinions, then higher median, then smaller spread, then 申报编号."
)


def rule_label(rule: str) -> str:
    return _(RULE_LABELS.get(rule, rule))


def flag_label(flag: str) -> str:
    return _(FLAG_LABELS.get(flag, flag))


def flags_for_batch(stored: tuple[str, ...] | list[str] | None, sheet_count: int, min_sheets: int) -> tuple[str, ...]:
    """A result's stored flags as a batch shows them: the fixed "fewer than 3" gives way to
    the batch's own minimum of valid sheets, below which the review is 评审未完成."""
    flags = tuple(f for f in (stored or ()) if f != FLAG_FEW)
    return flags + (FLAG_INCOMPLETE,) if sheet_count < min_sheets else flags


class ScoreRefused(UserError):
    """Points that a criterion does not accept; the message gives the reason."""


# --------------------------------------------------------------------------- one criterion


def check_points(criterion: Criterion, value: object, step: Decimal = Decimal(1)) -> Decimal | None:
    """Parse and check points typed for a criterion; ``None`` for blank.

    Raises ``ScoreRefused`` naming the criterion and the reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    points = to_decimal(value)
    in_range = points is not None and 0 <= points <= criterion.max_points
    if in_range and not more_places_than(points, POINT_PLACES) and (points / step) % 1 == 0:
        return points
    name = _("{key} “{title}”").format(key=criterion.key, title=criterion.title)
    if points is None:
        shown = str(value) if len(str(value)) <= 64 else str(value)[:64] + "…"
        raise ScoreRefused(_("{criterion}: “{value}” is not a number").format(criterion=name, value=shown))
    if points < 0 or points > criterion.max_points:
        raise ScoreRefused(
            _("{criterion}: {value} is outside 0–{max}").format(
                criterion=name, value=display_number(points), max=plain_number(criterion.max_points)
            )
        )
    if more_places_than(points, POINT_PLACES):
        raise ScoreRefused(
            _("{criterion}: {value} has more than {places} decimal places.").format(
                criterion=name, value=display_number(points), places=POINT_PLACES
            )
        )
    if (points / step) != (points / step).to_integral_value():
        raise ScoreRefused(
            _("{criterion}: {value} is not a multiple of {step}").format(
                criterion=name, value=plain_number(points), step=plain_number(step)
            )
        )
    return points


def band_for(criterion: Criterion, points: Decimal | None) -> Band | None:
    return None if points is None else criterion.band_for(points)


def comment_reason(criterion: Criterion, points: Decimal | None) -> str | None:
    """Why a comment is required for these points, or ``None`` when it is not."""
    rule = criterion.comment_rule
    if rule.always:
        return _("a comment is always required")
    if points is None:
        return None
    band = criterion.band_for(points)
    if rule.full_score and points == criterion.max_points:
        return _("a full score needs a comment")
    lowest = criterion.lowest_band()
    if rule.lowest_band and lowest is not None and band == lowest:
        return _("a score in the lowest band “{band}” needs a comment").format(band=lowest.label)
    if rule.below is not None and points < rule.below:
        return _("a score below {value} needs a comment").format(value=plain_number(rule.below))
    if band is not None and band.label in rule.bands:
        return _("a score in band “{band}” needs a comment").format(band=band.label)
    return None


# --------------------------------------------------------------------------- one sheet


@dataclass
class SheetInput:
    """What a reviewer typed (keys are criterion / veto-item ids)."""

    points: dict[str, Decimal | None] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    vetoes: dict[str, bool | None] = field(default_factory=dict)
    opinion: Opinion | None = None
    written_opinion: str = ""


@dataclass(frozen=True)
class SheetProblem:
    where: str  # criterion id, veto id, "opinion" or "written_opinion"
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SheetEvaluation:
    total: Decimal | None  # rounded; None until every criterion is scored (or vetoed and incomplete)
    running_total: Decimal  # rounded sum of what is entered so far (for live display)
    vetoed: bool
    complete: bool
    problems: tuple[SheetProblem, ...]
    bands: Mapping[str, str]  # criterion id -> band label


def weighted(criterion: Criterion, points: Decimal) -> Decimal:
    return points * criterion.effective_weight


def sheet_total(spec: RubricSpec, points: Mapping[str, Decimal | None]) -> Decimal:
    """Rounded Σ points × weight over the criteria scored so far."""
    exact = sum(
        (weighted(c, points[c.key]) for c in spec.criteria if points.get(c.key) is not None),
        Decimal(0),
    )
    return spec.rounding.apply(exact)


def is_vetoed(spec: RubricSpec, vetoes: Mapping[str, bool | None]) -> bool:
    return any(vetoes.get(v.key) is True for v in spec.veto_items)


def evaluate_sheet(spec: RubricSpec, sheet: SheetInput, *, require_written_opinion: bool = True) -> SheetEvaluation:
    """Check a sheet against its rubric: range, comments, vetoes, completeness."""
    problems: list[SheetProblem] = []
    for item in spec.veto_items:
        if sheet.vetoes.get(item.key) is None:
            problems.append(SheetProblem(item.key, _("veto question {key} is not answered").format(key=item.key)))
    vetoed = is_vetoed(spec, sheet.vetoes)
    bands: dict[str, str] = {}
    valid: dict[str, Decimal] = {}
    all_scored = True
    for c in spec.criteria:
        raw = sheet.points.get(c.key)
        try:
            points = check_points(c, raw, spec.step)
        except ScoreRefused as exc:
            problems.append(SheetProblem(c.key, str(exc)))
            all_scored = False
            continue
        if points is None:
            all_scored = False
            if not vetoed:
                problems.append(
                    SheetProblem(c.key, _("{key} “{title}” has no points").format(key=c.key, title=c.title))
                )
            continue
        valid[c.key] = points
        band = c.band_for(points)
        if band is not None:
            bands[c.key] = band.label
        reason = comment_reason(c, points)
        if reason and not (sheet.comments.get(c.key) or "").strip():
            problems.append(
                SheetProblem(c.key, _("{key} “{title}”: {reason}").format(key=c.key, title=c.title, reason=reason))
            )
    if sheet.opinion is None:
        problems.append(SheetProblem("opinion", _("choose an overall opinion (推荐 / 修改后推荐 / 不推荐)")))
    if require_written_opinion and not sheet.written_opinion.strip():
        problems.append(SheetProblem("written_opinion", _("write the overall opinion (评审意见)")))
    running = sheet_total(spec, valid)
    total = running if all_scored else None
    return SheetEvaluation(
        total=total,
        running_total=running,
        vetoed=vetoed,
        complete=not problems,
        problems=tuple(problems),
        bands=bands,
    )


# --------------------------------------------------------------------------- panel statistics


@dataclass(frozen=True)
class SheetFigure:
    """What the panel statistics need from one submitted, counted sheet."""

    total: Decimal | None
    vetoed: bool = False
    opinion: Opinion | None = None


@dataclass(frozen=True)
class PanelFigures:
    sheet_count: int  # sheets with a total
    mean: Decimal | None
    median: Decimal | None
    trimmed_mean: Decimal | None
    spread: Decimal | None
    std_dev: Decimal | None
    final_score: Decimal | None
    rule: str
    veto_count: int
    opinions: dict[str, int]
    flags: tuple[str, ...]

    def as_json(self) -> dict:
        return {
            "sheet_count": self.sheet_count,
            "mean": self.mean,
            "median": self.median,
            "trimmed_mean": self.trimmed_mean,
            "spread": self.spread,
            "std_dev": self.std_dev,
            "final_score": self.final_score,
            "rule": self.rule,
            "veto_count": self.veto_count,
            "opinions": dict(self.opinions),
            "flags": list(self.flags),
        }


def _exact_mean(values: Sequence[Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        return sum(values, Decimal(0)) / len(values)


def exact_median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    if n % 2:
        return ordered[mid]
    with localcontext() as ctx:
        ctx.prec = 50
        return (ordered[mid - 1] + ordered[mid]) / 2


def exact_pstdev(values: Sequence[Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        return statistics.pstdev(values) if len(values) > 1 else Decimal(0)


def panel_figures(
    sheets: Iterable[SheetFigure],
    *,
    rounding: Rounding = Rounding(),
    min_trimmed: int = DEFAULT_MIN_TRIMMED,
    spread_threshold: Decimal | None = DEFAULT_SPREAD_THRESHOLD,
) -> PanelFigures:
    """The panel figures for one application from its counted sheets."""
    sheets = list(sheets)
    totals = [s.total for s in sheets if s.total is not None]
    veto_count = sum(1 for s in sheets if s.vetoed)
    opinions = {o.value: 0 for o in Opinion}
    for s in sheets:
        if s.opinion is not None:
            opinions[s.opinion.value] += 1
    flags: list[str] = []
    if veto_count:
        flags.append(FLAG_VETO)
    if not totals:
        return PanelFigures(0, None, None, None, None, None, None, RULE_NONE, veto_count, opinions, tuple(flags))
    min_trimmed = max(3, int(min_trimmed))
    mean = rounding.apply(_exact_mean(totals))
    median = rounding.apply(exact_median(totals))
    trimmed = None
    if len(totals) >= min_trimmed:
        kept = sorted(totals)[1:-1]
        trimmed = rounding.apply(_exact_mean(kept))
    spread = rounding.apply(max(totals) - min(totals))
    std_dev = rounding.apply(exact_pstdev(totals))
    if spread_threshold is not None and spread > spread_threshold:
        flags.append(FLAG_SPREAD)
    if len(totals) < 3:
        flags.append(FLAG_FEW)
    final, rule = (trimmed, RULE_TRIMMED) if trimmed is not None else (mean, RULE_MEAN)
    return PanelFigures(
        sheet_count=len(totals),
        mean=mean,
        median=median,
        trimmed_mean=trimmed,
        spread=spread,
        std_dev=std_dev,
        final_score=final,
        rule=rule,
        veto_count=veto_count,
        opinions=opinions,
        flags=tuple(flags),
    )


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class RankInput:
    """One application to rank (ids and figures only)."""

    application_id: int
    number: str
    score: Decimal | None
    recommend_count: int = 0
    median: Decimal | None = None
    spread: Decimal | None = None
    vetoed: bool = False


@dataclass(frozen=True)
class RankPosition:
    application_id: int
    position: int | None  # 1-based; None when there is no score
    recommended: bool
    tie_broken_by: str | None  # which tie-break rule separated it from its neighbour, if any
    tied_with_previous: bool  # equal on every tie-break key (only 申报编号 separates them)


TIE_KEYS = (
    ("recommend_count", N_("more 推荐 opinions")),
    ("median", N_("higher median")),
    ("spread", N_("smaller spread")),
    ("number", N_("申报编号")),
)


def _sort_key(item: RankInput) -> tuple:
    neg = Decimal("-Infinity")
    return (
        1 if item.vetoed else 0,
        -(item.score if item.score is not None else neg),
        -item.recommend_count,
        -(item.median if item.median is not None else neg),
        item.spread if item.spread is not None else Decimal("Infinity"),
        item.number,
    )


def rank(items: Iterable[RankInput], *, threshold: Decimal = DEFAULT_THRESHOLD) -> list[RankPosition]:
    """Order applications by the stated rule; unscored ones come last without a position."""
    items = list(items)
    scored = sorted((i for i in items if i.score is not None), key=_sort_key)
    unscored = sorted((i for i in items if i.score is None), key=lambda i: i.number)
    out: list[RankPosition] = []
    prev: RankInput | None = None
    for position, item in enumerate(scored, start=1):
        broken_by = None
        tied = False
        if prev is not None and prev.score == item.score and prev.vetoed == item.vetoed:
            a, b = _sort_key(prev), _sort_key(item)
            for index, (_name, label) in enumerate(TIE_KEYS):
                if a[2 + index] != b[2 + index]:
                    broken_by = _(label)
                    tied = index == len(TIE_KEYS) - 1
                    break
        out.append(
            RankPosition(
                application_id=item.application_id,
                position=position,
                recommended=(not item.vetoed) and item.score >= threshold,
                tie_broken_by=broken_by,
                tied_with_previous=tied,
            )
        )
        prev = item
    out.extend(RankPosition(i.application_id, None, False, None, False) for i in unscored)
    return out
