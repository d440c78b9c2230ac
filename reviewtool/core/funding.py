"""The funding line (拟立项项目清单) as plain arithmetic.

Given candidates with a ranking score, a requested and a recommended amount,
the line takes eligible candidates (not vetoed, not excluded, review
complete, score at or above the threshold) by rank until the budget is used.
A candidate whose review is incomplete (fewer valid sheets than the batch's
minimum) is 评审未完成: never funded, never 稳定. What happens to a
candidate that does not fit is the batch's ``FundingRule``: ``STOP`` ends the
line there, ``SKIP`` passes over it and tries the next one. Optional quotas
cap the count or the amount per direction or key industry; a candidate over
a quota is always passed over (the quota concerns only its own area).

``sensitivity`` recomputes the line under several panel rules (mean, trimmed
mean, median) and marks each application 稳定入选 / 稳定落选 / 临界.

``totals_by_area`` (规划统计) counts each funded application once, under its
primary area's direction and key industry, and its secondary areas apart,
so the directions sum to the funded count and money.

Everything is ``Decimal`` (万元 for money, points for scores); no floats.
Pure Python: no database, no Qt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from reviewtool.core.enums import FundingRule, Labelled
from reviewtool.i18n import N_

ZERO = Decimal(0)


class Decision(Labelled):
    """Where one application ends up on the line."""

    FUNDED = "funded", N_("Within the line")
    OVER_BUDGET = "over_budget", N_("Does not fit the budget")
    OVER_QUOTA = "over_quota", N_("Over the area quota")
    BELOW_LINE = "below_line", N_("Below the line")
    NOT_ELIGIBLE = "not_eligible", N_("Not eligible for funding")
    INCOMPLETE = "incomplete", N_("Review incomplete")


class Stability(Labelled):
    """How a decision depends on the choice of panel rule."""

    STABLE_IN = "stable_in", N_("Stably funded")
    STABLE_OUT = "stable_out", N_("Stably not funded")
    BORDERLINE = "borderline", N_("Borderline")
    INCOMPLETE = "incomplete", N_("Review incomplete")


@dataclass(frozen=True)
class Candidate:
    """One application as the funding line sees it.

    ``recommended`` is the amount staff set (``None``: the default, which is
    the requested amount capped by the batch's per-project maximum).
    ``quota_keys`` are the area codes the application counts against
    (its primary area's direction and key industry). ``order_key`` breaks
    score ties (the 申报编号, so the order is reproducible). ``incomplete``:
    fewer valid sheets than the batch's minimum.
    """

    id: int
    score: Decimal | None
    requested: Decimal
    recommended: Decimal | None = None
    vetoed: bool = False
    excluded: bool = False
    quota_keys: tuple[str, ...] = ()
    order_key: str = ""
    incomplete: bool = False


@dataclass(frozen=True)
class Quota:
    key: str  # area code, e.g. HD-D2 or HD-I06
    max_count: int | None = None
    max_amount: Decimal | None = None


@dataclass(frozen=True)
class LineEntry:
    candidate: Candidate
    rank: int | None  # 1-based among eligible candidates; None when not eligible
    amount: Decimal  # the amount that would be granted (recommended or default)
    decision: Decision
    cumulative: Decimal  # funded money up to and including this entry
    quota_key: str | None = None  # the quota that blocked it

    @property
    def funded(self) -> bool:
        return self.decision is Decision.FUNDED


@dataclass(frozen=True)
class FundingLine:
    entries: tuple[LineEntry, ...]  # eligible by rank, then the ineligible ones
    budget: Decimal | None
    rule: FundingRule
    used: Decimal
    funded_count: int
    cut_rank: int | None  # rank of the last funded entry before the first one left out
    cut_score: Decimal | None  # that entry's score: the 分数线
    quota_use: dict[str, tuple[int, Decimal]] = field(default_factory=dict)

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.used

    @property
    def funded_ids(self) -> frozenset[int]:
        return frozenset(e.candidate.id for e in self.entries if e.funded)

    def entry(self, candidate_id: int) -> LineEntry:
        for entry in self.entries:
            if entry.candidate.id == candidate_id:
                return entry
        raise KeyError(candidate_id)


def default_amount(requested: Decimal, cap: Decimal | None) -> Decimal:
    """The recommended amount before anyone edits it: requested, capped."""
    if cap is not None and requested > cap:
        return cap
    return requested


def amount_for(candidate: Candidate, cap: Decimal | None) -> Decimal:
    if candidate.recommended is not None:
        return candidate.recommended
    return default_amount(candidate.requested, cap)


def is_eligible(candidate: Candidate, threshold: Decimal | None) -> bool:
    """Above the threshold, not vetoed, not excluded (withdrawn, failed checks …), review complete."""
    if candidate.vetoed or candidate.excluded or candidate.incomplete or candidate.score is None:
        return False
    return threshold is None or candidate.score >= threshold


def rank_order(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Highest score first; ties by ``order_key`` then id."""
    return sorted(candidates, key=lambda c: (-(c.score or ZERO), c.order_key, c.id))


def compute_line(
    candidates: Sequence[Candidate],
    *,
    budget: Decimal | None,
    rule: FundingRule = FundingRule.STOP,
    threshold: Decimal | None = None,
    cap: Decimal | None = None,
    quotas: Iterable[Quota] = (),
) -> FundingLine:
    """Draw the funding line. ``budget=None`` means no budget limit."""
    quota_map = {q.key: q for q in quotas}
    quota_use: dict[str, tuple[int, Decimal]] = {key: (0, ZERO) for key in quota_map}
    eligible = rank_order(c for c in candidates if is_eligible(c, threshold))
    others = sorted((c for c in candidates if not is_eligible(c, threshold)), key=lambda c: (c.order_key, c.id))

    entries: list[LineEntry] = []
    used = ZERO
    stopped = False
    cut_rank: int | None = None
    cut_score: Decimal | None = None
    first_left_out = False
    for rank, candidate in enumerate(eligible, start=1):
        amount = amount_for(candidate, cap)
        decision = Decision.FUNDED
        blocked_by: str | None = None
        if stopped:
            decision = Decision.BELOW_LINE
        else:
            blocked_by = _quota_blocking(candidate, amount, quota_map, quota_use)
            if blocked_by is not None:
                decision = Decision.OVER_QUOTA
            elif budget is not None and used + amount > budget:
                decision = Decision.OVER_BUDGET
                if rule is FundingRule.STOP:
                    stopped = True
        if decision is Decision.FUNDED:
            used += amount
            for key in candidate.quota_keys:
                if key in quota_use:
                    count, money = quota_use[key]
                    quota_use[key] = (count + 1, money + amount)
            if not first_left_out:
                cut_rank, cut_score = rank, candidate.score
        elif decision is Decision.OVER_BUDGET:
            first_left_out = True
        entries.append(LineEntry(candidate, rank, amount, decision, used, blocked_by))
    for candidate in others:
        decision = Decision.INCOMPLETE if _incomplete(candidate) else Decision.NOT_ELIGIBLE
        entries.append(LineEntry(candidate, None, amount_for(candidate, cap), decision, used))
    return FundingLine(
        entries=tuple(entries),
        budget=budget,
        rule=rule,
        used=used,
        funded_count=sum(1 for e in entries if e.funded),
        cut_rank=cut_rank,
        cut_score=cut_score,
        quota_use=quota_use,
    )


def _incomplete(candidate: Candidate) -> bool:
    """Left out because its review is not complete (a veto or an exclusion is a decision, not that)."""
    return candidate.incomplete and not (candidate.vetoed or candidate.excluded)


def _quota_blocking(
    candidate: Candidate, amount: Decimal, quotas: Mapping[str, Quota], use: Mapping[str, tuple[int, Decimal]]
) -> str | None:
    for key in candidate.quota_keys:
        quota = quotas.get(key)
        if quota is None:
            continue
        count, money = use[key]
        if quota.max_count is not None and count + 1 > quota.max_count:
            return key
        if quota.max_amount is not None and money + amount > quota.max_amount:
            return key
    return None


@dataclass(frozen=True)
class SensitivityRow:
    candidate_id: int
    funded_under: tuple[str, ...]  # rule names under which it is funded
    stability: Stability


def sensitivity(
    base: Sequence[Candidate],
    scores_by_rule: Mapping[str, Mapping[int, Decimal | None]],
    **line_options,
) -> dict[int, SensitivityRow]:
    """Recompute the line with each rule's scores and compare.

    ``scores_by_rule`` maps a rule name (``mean``, ``trimmed_mean``,
    ``median``) to each candidate's score under it; ``line_options`` are
    ``compute_line``'s keyword arguments. A candidate funded under every rule
    is 稳定入选, under none 稳定落选, otherwise 临界.
    """
    funded: dict[int, list[str]] = {c.id: [] for c in base}
    for rule_name, scores in scores_by_rule.items():
        rescored = [_with_score(c, scores.get(c.id)) for c in base]
        line = compute_line(rescored, **line_options)
        for cid in line.funded_ids:
            funded[cid].append(rule_name)
    rules = len(scores_by_rule)
    result: dict[int, SensitivityRow] = {}
    incomplete = {c.id for c in base if _incomplete(c)}
    for cid, names in funded.items():
        if cid in incomplete:
            result[cid] = SensitivityRow(cid, (), Stability.INCOMPLETE)
            continue
        if rules and len(names) == rules:
            stability = Stability.STABLE_IN
        elif not names:
            stability = Stability.STABLE_OUT
        else:
            stability = Stability.BORDERLINE
        result[cid] = SensitivityRow(cid, tuple(names), stability)
    return result


def _with_score(candidate: Candidate, score: Decimal | None) -> Candidate:
    return Candidate(
        id=candidate.id,
        score=score,
        requested=candidate.requested,
        recommended=candidate.recommended,
        vetoed=candidate.vetoed,
        excluded=candidate.excluded,
        quota_keys=candidate.quota_keys,
        order_key=candidate.order_key,
        incomplete=candidate.incomplete,
    )


@dataclass(frozen=True)
class AreaTotal:
    """One line of the plan view: what the funding line gives one area.

    ``count`` and ``amount`` are the applications whose primary area is (in)
    this area: each funded application counts once per level (its direction,
    its key industry). ``secondary_count`` and ``secondary_amount`` are the
    funded applications that name it only as a secondary area, shown apart
    and never added to the totals."""

    code: str
    title: str
    kind: str
    count: int
    amount: Decimal
    share: Decimal | None  # of the budget, 0..1 (None without a budget)
    secondary_count: int = 0
    secondary_amount: Decimal = ZERO


#: The plan view's line for funded applications whose primary area is under no direction.
NO_DIRECTION = ""


def totals_by_area(
    line: FundingLine,
    area_codes: Mapping[int, Iterable[str]],
    areas: Sequence[tuple[str, str, str]],
    secondary_codes: Mapping[int, Iterable[str]] | None = None,
    *,
    no_direction_title: str = "",
) -> list[AreaTotal]:
    """Count and money funded per area.

    ``area_codes`` maps a candidate to the codes of its primary area (its
    key industry and that industry's direction); ``secondary_codes`` to
    the codes only its secondary areas add. ``areas`` lists (code, title,
    kind) in the order to show, including areas that get nothing. Funded
    candidates with no direction among their primary codes are counted on a
    last direction-level line (code ``NO_DIRECTION``, titled
    ``no_direction_title``) when there are any, so the directions always sum
    to the line's funded count and money."""
    secondary_codes = secondary_codes or {}
    directions = {code for code, _t, kind in areas if kind == "direction"}
    counts: dict[str, int] = {code: 0 for code, _t, _k in areas}
    money: dict[str, Decimal] = {code: ZERO for code, _t, _k in areas}
    second_counts: dict[str, int] = {code: 0 for code, _t, _k in areas}
    second_money: dict[str, Decimal] = {code: ZERO for code, _t, _k in areas}
    outside, outside_money = 0, ZERO
    for entry in line.entries:
        if not entry.funded:
            continue
        primary = set(area_codes.get(entry.candidate.id, ()))
        for code in primary:
            if code in counts:
                counts[code] += 1
                money[code] += entry.amount
        if not primary & directions:
            outside += 1
            outside_money += entry.amount
        for code in set(secondary_codes.get(entry.candidate.id, ())) - primary:
            if code in second_counts:
                second_counts[code] += 1
                second_money[code] += entry.amount

    def share(amount: Decimal) -> Decimal | None:
        return (amount / line.budget).quantize(Decimal("0.0001")) if line.budget else None

    rows = [
        AreaTotal(
            code, title, kind, counts[code], money[code], share(money[code]), second_counts[code], second_money[code]
        )  # fmt: skip
        for code, title, kind in areas
    ]
    if outside:
        rows.append(
            AreaTotal(NO_DIRECTION, no_direction_title, "direction", outside, outside_money, share(outside_money))
        )
    return rows
