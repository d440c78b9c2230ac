"""Optimal balanced assignment as the pool grows, K = 5.

For each size (default 500 × 60, 2,000 × 200, 5,000 × 500) it reports, measured
alternately in one run:

- ``balanced()``: the whole solve as the panel service calls it (the network
  built from the ``allowed`` callback and the cost map, the feasibility
  checks, the OR-Tools min-cost flow, reading the plan back);
- the bare library: one ``SimpleMinCostFlow`` solve of the same network from
  prebuilt NumPy arrays, nothing else — the ratio shows what the wrapper costs;
- with ``--milp``, the former scipy/HiGHS MILP on the same model (slow at the
  larger sizes), to show both reach the same optimum;
- peak memory of each, measured in a child process per run (``--memory``).

    .venv/bin/python bench/bench_assignment.py [--sizes 500x60,2000x200,5000x500] [--repeat 3] [--milp]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time

import numpy as np

from reviewtool.core.panels.assignment import COST_NO_MATCH, balance_cost, balanced, plan_cost

K = 5


def problem(n_apps: int, n_experts: int, seed: int = 7):
    rng = random.Random(seed)
    apps = list(range(1, n_apps + 1))
    experts = list(range(100001, 100001 + n_experts))
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
    cap = -(-n_apps * K // n_experts) + 2  # a little slack over the even share
    return apps, experts, forbidden, cost, cap


def ours(apps, experts, forbidden, cost, cap):
    start = time.perf_counter()
    plan = balanced(apps, experts, per_application=K, max_load=cap, allowed=lambda a, e: (a, e) not in forbidden,
                    cost=cost)  # fmt: skip
    return time.perf_counter() - start, plan_cost(plan.pairs, cost)


def bare_arrays(apps, experts, forbidden, cost, cap):
    n_a, n_e = len(apps), len(experts)
    pairs = [(i, k, cost[(a, e)]) for i, a in enumerate(apps) for k, e in enumerate(experts) if (a, e) not in forbidden]
    pa, pe, pc = (np.array(col, dtype=np.int64) for col in zip(*pairs, strict=True))
    big = balance_cost([cap] * n_e) + 1
    sink = 1 + n_a + n_e
    load_tail = np.repeat(np.arange(1 + n_a, 1 + n_a + n_e), cap)
    load_cost = np.tile(np.arange(1, cap + 1), n_e)
    tails = np.concatenate([np.zeros(n_a, dtype=np.int64), pa + 1, load_tail])
    heads = np.concatenate([np.arange(1, 1 + n_a), pe + 1 + n_a, np.full(n_e * cap, sink)])
    caps = np.concatenate([np.full(n_a, K), np.ones(len(pa) + n_e * cap, dtype=np.int64)])
    costs = np.concatenate([np.zeros(n_a, dtype=np.int64), pc * big, load_cost])
    return tails, heads, caps, costs, n_a, len(pa), sink


def bare(arrays):
    from ortools.graph.python import min_cost_flow

    tails, heads, caps, costs, n_a, n_pairs, sink = arrays
    start = time.perf_counter()
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    solver.set_node_supply(0, n_a * K)
    solver.set_node_supply(sink, -n_a * K)
    status = solver.solve()
    assert status == solver.OPTIMAL
    return time.perf_counter() - start


def old_milp(apps, experts, forbidden, cost, cap):
    """The MILP formulation reviewtool used before (HiGHS through scipy)."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

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
    rhs = np.concatenate([np.full(len(apps), float(K)), np.zeros(len(experts))])
    start = time.perf_counter()
    result = milp(c, constraints=LinearConstraint(matrix, rhs, rhs), bounds=Bounds(0, 1),
                  integrality=np.ones(n + m), options={"mip_rel_gap": 0.0})  # fmt: skip
    elapsed = time.perf_counter() - start
    chosen = [variables[j] for j in np.flatnonzero(result.x[:n] > 0.5)]
    return elapsed, plan_cost(chosen, cost)


def peak_child(which: str, n_apps: int, n_experts: int) -> float:
    """Memory (MiB) a child process's solve adds at its peak over the built problem."""
    code = (
        "import os, sys, resource; sys.argv=['x']; import bench_assignment as b;"
        f"p=b.problem({n_apps},{n_experts});"
        + ("a=b.bare_arrays(*p);" if which == "bare" else "")
        + "before=int(open('/proc/self/statm').read().split()[1])*os.sysconf('SC_PAGE_SIZE')/2**20;"
        + ("b.ours(*p)" if which == "ours" else "b.bare(a)")
        + ";print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024-before)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=__file__.rsplit("/", 1)[0])  # fmt: skip
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="500x60,2000x200,5000x500")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--milp", action="store_true", help="also solve with the former MILP (slow)")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory in child processes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    report = []
    for size in args.sizes.split(","):
        n_apps, n_experts = (int(x) for x in size.split("x"))
        apps, experts, forbidden, cost, cap = problem(n_apps, n_experts)
        arrays = bare_arrays(apps, experts, forbidden, cost, cap)
        mine, lib = [], []
        for _ in range(args.repeat):  # alternately, so both see the same machine
            elapsed, optimum = ours(apps, experts, forbidden, cost, cap)
            mine.append(elapsed)
            lib.append(bare(arrays))
        row = {"size": size, "cap": cap, "balanced_s": round(min(mine), 3), "bare_ortools_s": round(min(lib), 3),
               "ratio": round(min(mine) / min(lib), 2), "optimum": list(optimum)}  # fmt: skip
        if args.milp:
            m_time, m_optimum = old_milp(apps, experts, forbidden, cost, cap)
            row.update(milp_s=round(m_time, 2), milp_optimum=list(m_optimum), same_optimum=m_optimum == optimum)
        if args.memory:
            row.update(balanced_peak_mib=round(peak_child("ours", n_apps, n_experts)),
                       bare_peak_mib=round(peak_child("bare", n_apps, n_experts)))  # fmt: skip
        report.append(row)
        if not args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
    if args.json:
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
