"""Balanced assignment: optimal (checked against brute force), conflict-free, infeasibility explained."""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest

from reviewtool.core.errors import UserError
from reviewtool.core.panels.assignment import COST_NO_MATCH, balanced, plan_cost, whole_panel


def brute_force(apps, experts, k, cap, allowed, cost):
    """The lexicographically best (mismatch, balance) over every valid assignment."""
    options = [[c for c in itertools.combinations(experts, k) if all(allowed(a, e) for e in c)] for a in apps]
    best = None
    for choice in itertools.product(*options):
        loads = Counter(e for c in choice for e in c)
        if loads and max(loads.values()) > cap:
            continue
        pairs = [(a, e) for a, c in zip(apps, choice, strict=True) for e in c]
        value = plan_cost(pairs, cost)
        if best is None or value < best:
            best = value
    return best


def random_case(rng):
    apps = list(range(1, rng.randint(2, 4) + 1))
    experts = list(range(10, 10 + rng.randint(3, 5)))
    k = rng.randint(1, 2)
    cap = rng.randint(1, 3)
    forbidden = {(a, e) for a in apps for e in experts if rng.random() < 0.2}
    cost = {(a, e): rng.choice([0, 1, 2]) for a in apps for e in experts}
    return apps, experts, k, cap, forbidden, cost


@pytest.mark.parametrize("seed", range(40))
def test_balanced_is_optimal_against_brute_force(seed):
    rng = random.Random(seed)
    apps, experts, k, cap, forbidden, cost = random_case(rng)

    def allowed(a, e):
        return (a, e) not in forbidden

    best = brute_force(apps, experts, k, cap, allowed, cost)
    plan = balanced(apps, experts, per_application=k, max_load=cap, allowed=allowed, cost=cost)
    if best is None:
        assert not plan.feasible
        assert plan.pairs == []
        assert plan.shortfalls
        return
    assert plan.feasible, plan.shortfalls
    assert (plan.mismatch_cost, plan.balance_cost) == best
    assert not set(plan.pairs) & forbidden
    per_app = Counter(a for a, _e in plan.pairs)
    assert all(per_app[a] == k for a in apps)
    assert max(plan.loads.values()) <= cap


def test_field_matches_win_over_balance():
    # Expert 10 matches both applications; 11 matches neither. Cap 2 lets 10 take both.
    cost = {(1, 10): 0, (2, 10): 0, (1, 11): COST_NO_MATCH, (2, 11): COST_NO_MATCH}
    plan = balanced([1, 2], [10, 11], per_application=1, max_load=2, allowed=lambda a, e: True, cost=cost)
    assert plan.pairs == [(1, 10), (2, 10)]
    assert plan.field_matches == 2


def test_loads_are_spread_when_costs_tie():
    plan = balanced(range(1, 7), [10, 11, 12], per_application=1, max_load=6, allowed=lambda a, e: True)
    assert sorted(plan.loads.values()) == [2, 2, 2]


def test_never_places_a_conflicted_pair_even_when_it_would_be_cheaper():
    cost = {(1, 10): 0, (1, 11): 2}
    plan = balanced([1], [10, 11], per_application=1, max_load=1, allowed=lambda a, e: e != 10, cost=cost)
    assert plan.pairs == [(1, 11)]


def test_infeasible_too_many_conflicts_is_explained_per_application():
    def reasons(a, e):
        return ["同单位"] if e in (10, 11) else []

    plan = balanced(
        [1, 2], [10, 11, 12, 13], per_application=3, max_load=2,
        allowed=lambda a, e: not (a == 1 and e in (10, 11)),
        reasons=lambda a, e: reasons(a, e) if a == 1 else [],
    )  # fmt: skip
    assert not plan.feasible
    short = {s.application_id: s for s in plan.shortfalls}
    assert set(short) == {1}
    assert short[1].eligible == 2
    assert "同单位 × 2" in short[1].reason


def test_infeasible_load_cap_names_capacity():
    plan = balanced(range(1, 6), [10, 11, 12], per_application=2, max_load=3, allowed=lambda a, e: True)
    assert not plan.feasible
    assert plan.pairs == []
    # 3 experts × 3 = 9 reviews < 10 needed: at least one application is short and the text says why
    assert plan.shortfalls
    assert all("9" in s.reason and "10" in s.reason for s in plan.shortfalls)
    assert sum(s.needed - s.possible for s in plan.shortfalls) == 1


def test_infeasible_contention_for_the_same_experts():
    # Applications 1 and 2 may only use expert 10 (cap 1); 3 experts in total have enough capacity.
    def allowed(a, e):
        return e == 10 if a in (1, 2) else True

    plan = balanced([1, 2, 3], [10, 11, 12], per_application=1, max_load=1, allowed=allowed)
    assert not plan.feasible
    assert [s.application_id for s in plan.shortfalls] in ([1], [2])
    assert "上限" in plan.shortfalls[0].reason or "cap" in plan.shortfalls[0].reason


def test_fixed_pairs_are_kept_and_count_towards_load():
    plan = balanced(
        [1, 2], [10, 11, 12], per_application=2, max_load=2,
        allowed=lambda a, e: True, cost={(1, 11): 0, (1, 12): 0, (2, 11): 0, (2, 12): 0}, fixed=[(1, 10)],
    )  # fmt: skip
    # Without the fixed pair, the cheapest plan would avoid expert 10 altogether.
    assert plan.pairs == [(1, 10), (1, 11), (2, 11), (2, 12)] or plan.pairs == [(1, 10), (1, 12), (2, 11), (2, 12)]
    assert plan.loads[10] == 1


def test_bad_parameters_refused():
    with pytest.raises(UserError):
        balanced([1], [10], per_application=0, max_load=1, allowed=lambda a, e: True)
    with pytest.raises(UserError):
        balanced([1], [10], per_application=1, max_load=0, allowed=lambda a, e: True)


def test_whole_panel_skips_conflicts_and_reports_thin_applications():
    plan = whole_panel(
        [1, 2], [10, 11, 12, 13], allowed=lambda a, e: not (a == 2 and e in (10, 11)),
        reasons=lambda a, e: ["申请人要求回避"], min_reviewers=3,
    )  # fmt: skip
    assert len(plan.pairs) == 6
    assert {(a, e) for a, e, _r in plan.skipped} == {(2, 10), (2, 11)}
    assert [s.application_id for s in plan.shortfalls] == [2]


def test_more_reviewers_than_members_is_said_plainly():
    plan = balanced([1, 2], [10, 11], per_application=3, max_load=5, allowed=lambda a, e: True)
    assert not plan.feasible
    assert all("只有 2 位成员" in s.reason and "3 位" in s.reason for s in plan.shortfalls)
