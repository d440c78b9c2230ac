"""Results beyond the mean: per-expert z-score normalisation, expert
calibration and the discussion queue for the panel meeting.

Normalisation
    Each expert's totals over their sheets in the batch are standardised
    (z = (x − the expert's mean) / the expert's standard deviation) and
    mapped back to the panel's scale with the mean and standard deviation of
    all sheets of the batch: x' = M + z·S, kept within 0 … the rubric total.
    An application's normalised result is the mean of its sheets' x'. It is
    given only when *every* expert on the application has at least
    ``min_sheets`` sheets (default 5); otherwise the reason is given instead.
    An expert who gave every application the same total has no spread; their
    sheets are shifted by their offset from M instead (x' = x − mean + M).

Calibration
    Per expert: the mean offset of their totals from their co-reviewers'
    mean on the same applications, their own spread (standard deviation),
    and how often their total lies outside the co-reviewers' range.

Discussion queue
    Applications whose spread (max − min) exceeds the threshold, or whose
    opinions split (recommend and do-not-recommend both present), most
    contested first.

Exact ``Decimal`` arithmetic throughout (square roots at 28 digits); pure
functions, thread-safe.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from reviewtool.i18n import _

DEFAULT_MIN_SHEETS = 5
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Score:
    """One counted sheet: who, on what, which total, which opinion."""

    expert_id: int
    application_id: int
    total: Decimal
    opinion: str | None = None  # Opinion value


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def _pstdev(values: list[Decimal]) -> Decimal:
    if len(values) < 2:
        return Decimal(0)
    m = _mean(values)
    with localcontext() as ctx:
        ctx.prec = 28
        return (sum(((v - m) ** 2 for v in values), Decimal(0)) / len(values)).sqrt()


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class NormalisedResult:
    application_id: int
    value: Decimal | None
    reason: str = ""  # why there is no value


@dataclass
class Normalisation:
    results: dict[int, NormalisedResult]
    expert_counts: dict[int, int]
    batch_mean: Decimal | None
    batch_sd: Decimal | None
    min_sheets: int


def normalise(
    scores: Iterable[Score],
    *,
    min_sheets: int = DEFAULT_MIN_SHEETS,
    scale_max: Decimal = Decimal(100),
    names: Mapping[int, str] | None = None,
) -> Normalisation:
    scores = list(scores)
    names = names or {}
    by_expert: dict[int, list[Score]] = defaultdict(list)
    by_app: dict[int, list[Score]] = defaultdict(list)
    for s in scores:
        by_expert[s.expert_id].append(s)
        by_app[s.application_id].append(s)
    counts = {e: len(v) for e, v in by_expert.items()}
    if not scores:
        return Normalisation({}, counts, None, None, min_sheets)
    totals = [s.total for s in scores]
    big_m, big_s = _mean(totals), _pstdev(totals)
    stats = {e: (_mean([s.total for s in v]), _pstdev([s.total for s in v])) for e, v in by_expert.items()}
    results: dict[int, NormalisedResult] = {}
    for app_id, sheets in by_app.items():
        short = sorted({s.expert_id for s in sheets if counts[s.expert_id] < min_sheets})
        if short:
            who = "、".join(_("{name} ({count})").format(name=names.get(e, str(e)), count=counts[e]) for e in short)
            results[app_id] = NormalisedResult(
                app_id,
                None,
                _("Not shown: fewer than {minimum} sheets in the batch for {experts}.").format(
                    minimum=min_sheets, experts=who
                ),
            )
            continue
        mapped = []
        for s in sheets:
            mean_e, sd_e = stats[s.expert_id]
            if sd_e == 0:
                value = s.total - mean_e + big_m
            else:
                value = big_m + (s.total - mean_e) / sd_e * big_s
            mapped.append(min(max(value, Decimal(0)), scale_max))
        results[app_id] = NormalisedResult(app_id, _round(_mean(mapped)))
    return Normalisation(results, counts, _round(big_m), _round(big_s), min_sheets)


@dataclass(frozen=True)
class ExpertCalibration:
    expert_id: int
    sheets: int
    mean: Decimal
    offset: Decimal | None  # mean of (own − co-reviewers' mean); None without co-reviewers
    spread: Decimal  # own standard deviation
    outside: int  # sheets outside the co-reviewers' range
    compared: int  # sheets that had co-reviewers

    @property
    def outside_share(self) -> Decimal | None:
        return None if not self.compared else _round(Decimal(self.outside) / self.compared)

    def as_json(self) -> dict:
        return {
            "expert_id": self.expert_id,
            "sheets": self.sheets,
            "mean": str(self.mean),
            "offset": None if self.offset is None else str(self.offset),
            "spread": str(self.spread),
            "outside": self.outside,
            "compared": self.compared,
        }


def calibrate(scores: Iterable[Score]) -> dict[int, ExpertCalibration]:
    scores = list(scores)
    by_app: dict[int, list[Score]] = defaultdict(list)
    by_expert: dict[int, list[Score]] = defaultdict(list)
    for s in scores:
        by_app[s.application_id].append(s)
        by_expert[s.expert_id].append(s)
    out: dict[int, ExpertCalibration] = {}
    for expert_id, own in by_expert.items():
        offsets: list[Decimal] = []
        outside = 0
        for s in own:
            others = [o.total for o in by_app[s.application_id] if o.expert_id != expert_id]
            if not others:
                continue
            offsets.append(s.total - _mean(others))
            if s.total < min(others) or s.total > max(others):
                outside += 1
        totals = [s.total for s in own]
        out[expert_id] = ExpertCalibration(
            expert_id,
            len(own),
            _round(_mean(totals)),
            _round(_mean(offsets)) if offsets else None,
            _round(_pstdev(totals)),
            outside,
            len(offsets),
        )
    return out


@dataclass(frozen=True)
class QueueItem:
    application_id: int
    spread: Decimal
    split: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)
    opinions: Mapping[str, int] = field(default_factory=dict)


def discussion_queue(
    scores: Iterable[Score],
    *,
    spread_threshold: Decimal,
    opinion_labels: Mapping[str, str] | None = None,
) -> list[QueueItem]:
    """The contested applications, split opinions with the widest spread first."""
    by_app: dict[int, list[Score]] = defaultdict(list)
    for s in scores:
        by_app[s.application_id].append(s)
    labels = opinion_labels or {}
    queue: list[QueueItem] = []
    for app_id, sheets in by_app.items():
        totals = [s.total for s in sheets]
        spread = max(totals) - min(totals)
        opinions: dict[str, int] = defaultdict(int)
        for s in sheets:
            if s.opinion:
                opinions[s.opinion] += 1
        split = opinions.get("recommend", 0) + opinions.get("revise", 0) > 0 and opinions.get("not_recommend", 0) > 0
        reasons = []
        if spread > spread_threshold:
            reasons.append(
                _("Spread {spread} above {threshold}").format(
                    spread=format(spread.normalize(), "f"), threshold=format(spread_threshold.normalize(), "f")
                )
            )
        if split:
            parts = "、".join(f"{labels.get(k, k)} {v}" for k, v in sorted(opinions.items()))
            reasons.append(_("Opinions split: {parts}").format(parts=parts))
        if reasons:
            queue.append(QueueItem(app_id, spread, split, tuple(reasons), dict(opinions)))
    queue.sort(key=lambda q: (not (q.split and q.spread > spread_threshold), -q.spread, q.application_id))
    return queue
