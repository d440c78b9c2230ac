"""Assigning reviewers to applications.

Balanced mode gives each application exactly ``per_application`` reviewers,
no expert more than ``max_load`` applications, never a conflicted pair, and
is *optimal*: it minimises, first, the total field-mismatch cost of the
chosen pairs and, second, the load imbalance (the sum over experts of
1 + 2 + … + load, a convex cost that spreads the work evenly).

The problem is a transportation / min-cost-flow problem: applications →
experts → sink, with the load arcs of each expert split into unit arcs of
increasing cost; min-cost flow has integral optima, so OR-Tools' network
solver finds the exact optimum (``core.panels.flow``). Measured against the
MILP it replaced (HiGHS through scipy), it reaches the same optimum at
500 × 60 and 2,000 × 200 and is 10–20× faster (docs/benchmarks.md).

When the request cannot be met, ``explain_infeasible`` says which
applications cannot get their reviewers and why (too many conflicts, or the
eligible experts are needed elsewhere under the load cap).

Whole-panel mode puts every member on every application they are not in
conflict with.

Pure functions, thread-safe.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from reviewtool.core.errors import UserError
from reviewtool.core.panels.flow import Network, build_network, max_coverage, min_cost_assignment
from reviewtool.i18n import _

#: Pair costs the service passes: primary field match, secondary match, none.
COST_PRIMARY_MATCH = 0
COST_SECONDARY_MATCH = 1
COST_NO_MATCH = 2


@dataclass(frozen=True)
class Shortfall:
    """An application that cannot get its reviewers, and why."""

    application_id: int
    needed: int
    possible: int  # reviewers it could get in the best partial plan
    eligible: int  # experts without a conflict on it
    reason: str

    def as_json(self) -> dict:
        return {
            "application_id": self.application_id,
            "needed": self.needed,
            "possible": self.possible,
            "eligible": self.eligible,
            "reason": self.reason,
        }


@dataclass
class AssignmentPlan:
    mode: str  # "balanced" or "whole"
    pairs: list[tuple[int, int]]  # (application_id, expert_id), sorted
    loads: dict[int, int]
    mismatch_cost: int = 0
    balance_cost: int = 0
    field_matches: int = 0
    shortfalls: list[Shortfall] = field(default_factory=list)
    #: Whole-panel mode: pairs left out because of a conflict, with the reasons.
    skipped: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.shortfalls

    def reviewers(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for a, e in self.pairs:
            out.setdefault(a, []).append(e)
        return out

    def as_json(self) -> dict:
        return {
            "mode": self.mode,
            "feasible": self.feasible,
            "pairs": [{"application_id": a, "expert_id": e} for a, e in self.pairs],
            "loads": {str(k): v for k, v in sorted(self.loads.items())},
            "mismatch_cost": self.mismatch_cost,
            "balance_cost": self.balance_cost,
            "field_matches": self.field_matches,
            "shortfalls": [s.as_json() for s in self.shortfalls],
            "skipped": [{"application_id": a, "expert_id": e, "reason": r} for a, e, r in self.skipped],
        }


Allowed = Callable[[int, int], bool]
Reasons = Callable[[int, int], list[str]]


def balance_cost(loads: Iterable[int]) -> int:
    """Sum over experts of 1 + 2 + … + load."""
    return sum(n * (n + 1) // 2 for n in loads)


def plan_cost(pairs: Iterable[tuple[int, int]], cost: Mapping[tuple[int, int], int]) -> tuple[int, int]:
    """(mismatch cost, balance cost) of a set of pairs: the objective, in order."""
    pairs = list(pairs)
    loads = Counter(e for _a, e in pairs)
    return sum(cost.get(p, COST_NO_MATCH) for p in pairs), balance_cost(loads.values())


def _validate(per_application: int, max_load: int) -> None:
    if per_application < 1:
        raise UserError(_("Reviewers per application must be at least 1."))
    if max_load < 1:
        raise UserError(_("The maximum load per expert must be at least 1."))


def balanced(
    applications: Sequence[int],
    experts: Sequence[int],
    *,
    per_application: int,
    max_load: int,
    allowed: Allowed,
    cost: Mapping[tuple[int, int], int] | None = None,
    fixed: Iterable[tuple[int, int]] = (),
    reasons: Reasons | None = None,
) -> AssignmentPlan:
    """The optimal balanced assignment, or a plan whose ``shortfalls`` explain
    why none exists (then ``pairs`` is empty).

    ``fixed`` pairs (already assigned and kept) count towards both the
    application's reviewers and the expert's load.
    """
    _validate(per_application, max_load)
    cost = dict(cost or {})
    applications = sorted(set(applications))
    # Nobody reviews more than every application: a larger cap means the same and would only grow the solver's arrays.
    max_load = min(max_load, max(1, len(applications)))
    experts = sorted(set(experts))
    fixed = set(fixed)
    network = build_network(applications, experts, allowed, cost, fixed)

    def explained() -> AssignmentPlan:
        shortfalls = explain_infeasible(
            applications, experts, per_application=per_application, max_load=max_load,
            network=network, fixed=fixed, reasons=reasons,
        )  # fmt: skip
        return AssignmentPlan("balanced", [], {}, shortfalls=shortfalls)

    # Cheap necessary conditions first; the full explanation (a max-flow) only when the request fails.
    eligible = network.eligible_counts()
    kept = Counter(a for a, _e in fixed)
    fixed_load = Counter(e for _a, e in fixed)
    if (
        any(eligible[a] < per_application or kept[a] > per_application for a in applications)
        or len(experts) * max_load < len(applications) * per_application
        or any(n > max_load for n in fixed_load.values())
    ):
        return explained()
    chosen = min_cost_assignment(
        network,
        need={a: per_application - kept[a] for a in applications},
        free_load={e: (fixed_load[e], max_load) for e in experts},
        big=balance_cost([max_load] * len(experts)) + 1,
        pair_caps=network.capacities(fixed),
    )
    if chosen is None:  # infeasible: say which applications and why
        plan = explained()
        if plan.shortfalls:
            return plan
        raise UserError(_("The assignment solver found no plan, yet no application is short; please report this."))
    return _plan("balanced", sorted(network.pairs(chosen) + list(fixed)), cost)


def _plan(mode: str, pairs: list[tuple[int, int]], cost: Mapping[tuple[int, int], int]) -> AssignmentPlan:
    loads = Counter(e for _a, e in pairs)
    mismatch, balance = plan_cost(pairs, cost)
    matches = sum(1 for p in pairs if cost.get(p, COST_NO_MATCH) < COST_NO_MATCH)
    return AssignmentPlan(mode, pairs, dict(loads), mismatch, balance, matches)


def explain_infeasible(
    applications: Sequence[int],
    experts: Sequence[int],
    *,
    per_application: int,
    max_load: int,
    network: Network,
    fixed: Iterable[tuple[int, int]] = (),
    reasons: Reasons | None = None,
) -> list[Shortfall]:
    """The applications that cannot get ``per_application`` reviewers (empty
    when the request is feasible).

    First the applications with too few experts free of conflict, and those
    that already have more reviewers with sheets (``fixed``: kept in any
    re-assignment) than asked for; then, from a maximum partial assignment
    (a max-flow), those left short because the eligible experts' load cap is
    used up — by other applications, or by the pairs kept with sheets (each
    message names the constraint that binds).
    """
    fixed = set(fixed)
    kept_per_app = Counter(a for a, _e in fixed)
    by_app: dict[int, list[int]] = {a: [] for a in applications}
    for a, e in network.pairs(range(len(network.pair_app))):
        by_app[a].append(e)
    shortfalls: list[Shortfall] = []
    for a in applications:
        eligible = len(by_app[a])
        if eligible < per_application:
            if len(experts) < per_application and eligible == len(experts):
                reason = _("The panel has only {experts} members, fewer than the {k} reviewers asked for.").format(
                    experts=len(experts), k=per_application
                )
            else:
                summary = _conflict_summary(a, experts, set(by_app[a]), reasons)
                reason = _("Only {eligible} of {experts} experts may review it ({summary}).").format(
                    eligible=eligible, experts=len(experts), summary=summary
                )
            shortfalls.append(Shortfall(a, per_application, eligible, eligible, reason))
        elif kept_per_app[a] > per_application:
            reason = _(
                "{kept} experts already have sheets for it, and pairs with sheets are kept in any re-assignment: "
                "more than the {k} reviewers asked for. Ask for at least {kept}, or remove those sheets first."
            ).format(kept=kept_per_app[a], k=per_application)
            shortfalls.append(Shortfall(a, per_application, kept_per_app[a], eligible, reason))
    fixed_load = Counter(e for _a, e in fixed)
    over = [e for e, n in fixed_load.items() if n > max_load]
    if over:
        raise UserError(
            _(
                "{count} experts already have sheets for more than {cap} applications, and pairs with sheets are "
                "kept in any re-assignment; raise the load cap to at least {needed}."
            ).format(count=len(over), cap=max_load, needed=max(fixed_load[e] for e in over))
        )
    # Maximum partial assignment: how many reviewers each application can get at most together
    # (an application holding more kept pairs than asked for may keep them all).
    caps = {a: max(per_application, kept_per_app[a]) for a in applications}
    got = _max_coverage(network, applications, experts, caps, max_load, fixed)
    got_free = _max_coverage(network, applications, experts, caps, max_load, set()) if fixed else got
    short_ids = {s.application_id for s in shortfalls}
    capacity = len(experts) * max_load
    needed_total = len(applications) * per_application
    for a in applications:
        if a in short_ids or got[a] >= per_application:
            continue
        if capacity < needed_total:
            reason = _(
                "{experts} experts with at most {cap} applications each can give {capacity} reviews, "
                "but {needed} are needed."
            ).format(experts=len(experts), cap=max_load, capacity=capacity, needed=needed_total)
        elif got_free[a] >= per_application:
            busy = sum(fixed_load[e] for e in set(by_app[a]))
            reason = _(
                "Its {eligible} eligible experts are held at the load cap of {cap} by {kept} pairs kept because "
                "they carry sheets; raise the cap, or remove those sheets."
            ).format(eligible=len(by_app[a]), cap=max_load, kept=busy)
        else:
            reason = _(
                "Its {eligible} eligible experts reach the load cap of {cap} on other applications; "
                "raise the cap or add experts."
            ).format(eligible=len(by_app[a]), cap=max_load)
        shortfalls.append(Shortfall(a, per_application, got[a], len(by_app[a]), reason))
    return sorted(shortfalls, key=lambda s: s.application_id)


def _conflict_summary(application_id: int, experts: Sequence[int], eligible: set[int], reasons: Reasons | None) -> str:
    if reasons is None:
        return _("{count} in conflict").format(count=len(experts) - len(eligible))
    counts: Counter[str] = Counter()
    for e in experts:
        if e not in eligible:
            for text in reasons(application_id, e) or [_("in conflict")]:
                counts[text] += 1
    return "; ".join(f"{text} × {n}" for text, n in counts.most_common()) or _("none in conflict")


def _max_coverage(network, applications, experts, caps, max_load, fixed) -> Counter:
    """Reviewers per application (at most ``caps[a]``) in one maximum partial
    assignment that contains every ``fixed`` pair."""
    kept = Counter(a for a, _e in fixed)
    load = Counter(e for _a, e in fixed)
    got = max_coverage(
        network,
        {a: caps[a] - kept[a] for a in applications},
        {e: max_load - load[e] for e in experts},
        network.capacities(fixed),
    )
    for a in applications:
        got[a] += kept[a]
    return got


def whole_panel(
    applications: Sequence[int],
    experts: Sequence[int],
    *,
    allowed: Allowed,
    reasons: Reasons | None = None,
    cost: Mapping[tuple[int, int], int] | None = None,
    min_reviewers: int = 3,
) -> AssignmentPlan:
    """Every member on every application they may review; applications left
    with fewer than ``min_reviewers`` are reported as shortfalls."""
    pairs: list[tuple[int, int]] = []
    skipped: list[tuple[int, int, str]] = []
    for a in sorted(set(applications)):
        for e in sorted(set(experts)):
            if allowed(a, e):
                pairs.append((a, e))
            else:
                skipped.append((a, e, "; ".join(reasons(a, e)) if reasons else _("in conflict")))
    plan = _plan("whole", pairs, cost or {})
    plan.skipped = skipped
    counts = Counter(a for a, _e in pairs)
    for a in sorted(set(applications)):
        if counts[a] < min_reviewers:
            eligible = {e for x, e in pairs if x == a}
            plan.shortfalls.append(
                Shortfall(
                    a,
                    min_reviewers,
                    counts[a],
                    counts[a],
                    _("Only {eligible} of {experts} experts may review it ({summary}).").format(
                        eligible=counts[a],
                        experts=len(set(experts)),
                        summary=_conflict_summary(a, sorted(set(experts)), eligible, reasons),
                    ),
                )
            )
    return plan
