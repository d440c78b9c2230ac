"""Balanced assignment speed and quality: 500 applications, 60 experts, K = 5.

Reports:

- ``balanced()``: the whole service-level solve (building the min-cost-flow
  model, the feasibility check with its max-flow, HiGHS, reading the plan);
- the bare library: one ``scipy.optimize.milp`` call on the same prebuilt
  model, nothing else — the ratio shows what the wrapper costs;
- a greedy assignment (each application in turn takes its cheapest
  least-loaded experts) for comparison of quality: its field-mismatch and
  imbalance costs against the optimum.

    /work/venv/bin/python bench/bench_assignment.py [--apps 500] [--experts 60] [--k 5]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from reviewtool.core.panels.assignment import COST_NO_MATCH, balance_cost, balanced, plan_cost


def problem(n_apps: int, n_experts: int, seed: int = 7):
    rng = random.Random(seed)
    apps = list(range(1, n_apps + 1))
    experts = list(range(1001, 1001 + n_experts))
    fields = {e: rng.randrange(14) for e in experts}
    app_area = {a: rng.randrange(14) for a in apps}
    forbidden = {(a, e) for a in apps for e in experts if rng.random() < 0.05}
    cost = {}
    for a in apps:
        for e in experts:
            if fields[e] == app_area[a]:
                cost[(a, e)] = 0
            elif abs(fields[e] - app_area[a]) == 1:
                cost[(a, e)] = 1
            else:
                cost[(a, e)] = COST_NO_MATCH
    return apps, experts, forbidden, cost


def bare_milp(apps, experts, k, cap, forbidden, cost):
    """The same model, built and solved with nothing around it."""
    variables = [(a, e) for a in apps for e in experts if (a, e) not in forbidden]
    ai = {a: i for i, a in enumerate(apps)}
    ei = {e: i for i, e in enumerate(experts)}
    n, m = len(variables), len(experts) * cap
    big = balance_cost([cap] * len(experts)) + 1
    c = np.concatenate([[big * cost[p] for p in variables], np.tile(np.arange(1, cap + 1, dtype=float), len(experts))])
    rows, cols, vals = [], [], []
    for j, (a, e) in enumerate(variables):
        rows += [ai[a], len(apps) + ei[e]]
        cols += [j, j]
        vals += [1.0, 1.0]
    for i in range(len(experts)):
        for q in range(cap):
            rows.append(len(apps) + i)
            cols.append(n + i * cap + q)
            vals.append(-1.0)
    matrix = coo_array((vals, (rows, cols)), shape=(len(apps) + len(experts), n + m)).tocsr()
    rhs = np.concatenate([np.full(len(apps), float(k)), np.zeros(len(experts))])
    start = time.perf_counter()
    result = milp(c, constraints=LinearConstraint(matrix, rhs, rhs), bounds=Bounds(0, 1),
                  integrality=np.ones(n + m), options={"mip_rel_gap": 0.0})  # fmt: skip
    return time.perf_counter() - start, result


def greedy(apps, experts, k, cap, forbidden, cost):
    loads = Counter()
    pairs = []
    for a in apps:
        options = sorted((cost[(a, e)], loads[e], e) for e in experts if (a, e) not in forbidden and loads[e] < cap)
        for _c, _l, e in options[:k]:
            pairs.append((a, e))
            loads[e] += 1
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=500)
    parser.add_argument("--experts", type=int, default=60)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    apps, experts, forbidden, cost = problem(args.apps, args.experts)
    cap = -(-args.apps * args.k // args.experts) + 2  # a little slack over the even share

    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        plan = balanced(apps, experts, per_application=args.k, max_load=cap,
                        allowed=lambda a, e: (a, e) not in forbidden, cost=cost)  # fmt: skip
        times.append(time.perf_counter() - start)
    bare = min(bare_milp(apps, experts, args.k, cap, forbidden, cost)[0] for _ in range(args.repeat))
    ours = min(times)
    g = greedy(apps, experts, args.k, cap, forbidden, cost)
    g_counts = Counter(a for a, _e in g)
    g_short = sum(1 for a in apps if g_counts[a] < args.k)
    print(f"{args.apps} applications × {args.experts} experts, K={args.k}, load cap {cap}, "
          f"{len(forbidden)} conflicted pairs")  # fmt: skip
    print(f"balanced():            {ours * 1000:8.0f} ms  (feasible={plan.feasible}, {len(plan.pairs)} pairs)")
    print(f"bare scipy milp solve: {bare * 1000:8.0f} ms  → ratio {ours / bare:.2f}")
    print(f"optimum:  mismatch cost {plan.mismatch_cost}, field matches {plan.field_matches}, "
          f"loads {min(plan.loads.values())}–{max(plan.loads.values())}, balance {plan.balance_cost}")  # fmt: skip
    gm, gb = plan_cost(g, cost)
    loads = Counter(e for _a, e in g)
    print(f"greedy:   mismatch cost {gm}, loads {min(loads.values())}–{max(loads.values())}, balance {gb}, "
          f"{g_short} applications left short")  # fmt: skip


if __name__ == "__main__":
    main()
