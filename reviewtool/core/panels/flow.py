"""The network flows behind the balanced assignment, solved with OR-Tools.

The assignment is a transportation problem: source → application (capacity:
the reviewers it still needs) → expert (one arc per allowed pair, capacity 1,
cost ``big × mismatch``) → sink (the expert's free load, split into unit arcs
of increasing cost 1, 2, … so the convex balance cost spreads the work).
``big`` exceeds any balance cost, so the solution minimises the mismatch
first and the imbalance second. Min-cost flow has integral optima, so this is
the exact optimum of the integer problem.

OR-Tools (``ortools.graph.python``) and NumPy are imported on first use, so
start-up pays nothing for them.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

#: Field-mismatch cost of a pair the caller gave no cost for.
DEFAULT_COST = 2


@dataclass(frozen=True)
class Network:
    """The pairs an assignment may use, as parallel arrays (memory-light for millions of pairs)."""

    applications: tuple[int, ...]
    experts: tuple[int, ...]
    pair_app: array  # index into applications
    pair_expert: array  # index into experts
    pair_cost: array  # field-mismatch cost of the pair

    def pairs(self, indices: Iterable[int]) -> list[tuple[int, int]]:
        return [(self.applications[self.pair_app[j]], self.experts[self.pair_expert[j]]) for j in indices]

    def eligible_counts(self) -> Counter:
        return Counter(self.applications[i] for i in self.pair_app)

    def capacities(self, closed: set[tuple[int, int]]) -> array:
        """Capacity 1 for every pair, 0 for the ``closed`` ones (already placed by the caller)."""
        caps = array("q", [1]) * len(self.pair_app)
        if closed:
            for j, pair in enumerate(self.pairs(range(len(self.pair_app)))):
                if pair in closed:
                    caps[j] = 0
        return caps


def build_network(
    applications: Sequence[int],
    experts: Sequence[int],
    allowed: Callable[[int, int], bool],
    cost: Mapping[tuple[int, int], int],
    fixed: set[tuple[int, int]] = frozenset(),
) -> Network:
    """Every allowed pair, and the ``fixed`` pairs (kept whether allowed or not)."""
    apps, exps = tuple(applications), tuple(experts)
    pa, pe, pc = array("i"), array("i"), array("q")
    for i, a in enumerate(apps):
        for k, e in enumerate(exps):
            if (a, e) not in fixed and not allowed(a, e):
                continue
            pa.append(i)
            pe.append(k)
            pc.append(cost.get((a, e), DEFAULT_COST))
    return Network(apps, exps, pa, pe, pc)


def _arrays(*parts: Iterable[int]):
    import numpy as np

    return [np.frombuffer(p, dtype=np.int32 if p.typecode == "i" else np.int64).astype(np.int64)
            if isinstance(p, array) else np.asarray(p, dtype=np.int64) for p in parts]  # fmt: skip


def min_cost_assignment(
    network: Network,
    need: Mapping[int, int],
    free_load: Mapping[int, tuple[int, int]],
    big: int,
    pair_caps: array,
) -> list[int] | None:
    """Indices of the chosen pairs, or ``None`` when the demand cannot be met.

    ``need[a]``: reviewers application ``a`` still needs; ``free_load[e]``:
    (load already carried, cap) of expert ``e``; the unit arcs of the expert
    cost ``carried + 1 … cap``.
    """
    import numpy as np
    from ortools.graph.python import min_cost_flow

    n_a, n_e = len(network.applications), len(network.experts)
    source, sink = 0, 1 + n_a + n_e
    total = sum(need.get(a, 0) for a in network.applications)
    if total == 0:
        return []
    tails_l, heads_l, caps_l, costs_l = [], [], [], []
    for i, a in enumerate(network.applications):
        tails_l.append(source)
        heads_l.append(1 + i)
        caps_l.append(need.get(a, 0))
        costs_l.append(0)
    for k, e in enumerate(network.experts):
        carried, cap = free_load[e]
        for step in range(carried + 1, cap + 1):
            tails_l.append(1 + n_a + k)
            heads_l.append(sink)
            caps_l.append(1)
            costs_l.append(step)
    pair_app, pair_expert, pair_cost, pair_cap = _arrays(
        network.pair_app, network.pair_expert, network.pair_cost, pair_caps
    )
    n_pairs = len(pair_app)
    tails = np.concatenate([pair_app + 1, np.asarray(tails_l, dtype=np.int64)])
    heads = np.concatenate([pair_expert + 1 + n_a, np.asarray(heads_l, dtype=np.int64)])
    caps = np.concatenate([pair_cap, np.asarray(caps_l, dtype=np.int64)])
    costs = np.concatenate([pair_cost * big, np.asarray(costs_l, dtype=np.int64)])
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    solver.set_node_supply(source, total)
    solver.set_node_supply(sink, -total)
    if solver.solve() != solver.OPTIMAL:
        return None
    flows = solver.flows(arcs[:n_pairs])
    return [int(j) for j in np.flatnonzero(flows > 0)]


def max_coverage(
    network: Network, app_caps: Mapping[int, int], expert_caps: Mapping[int, int], pair_caps: array
) -> Counter:
    """Pairs per application in one maximum partial assignment (a max-flow)."""
    import numpy as np
    from ortools.graph.python import max_flow

    n_a, n_e = len(network.applications), len(network.experts)
    source, sink = 0, 1 + n_a + n_e
    pair_app, pair_expert, pair_cap = _arrays(network.pair_app, network.pair_expert, pair_caps)
    n_pairs = len(pair_app)
    tails = np.concatenate([
        pair_app + 1, np.zeros(n_a, dtype=np.int64), np.arange(1 + n_a, 1 + n_a + n_e, dtype=np.int64)])  # fmt: skip
    heads = np.concatenate([
        pair_expert + 1 + n_a, np.arange(1, 1 + n_a, dtype=np.int64), np.full(n_e, sink, dtype=np.int64)])  # fmt: skip
    caps = np.concatenate([
        pair_cap,
        np.asarray([app_caps.get(a, 0) for a in network.applications], dtype=np.int64),
        np.asarray([expert_caps.get(e, 0) for e in network.experts], dtype=np.int64),
    ])  # fmt: skip
    solver = max_flow.SimpleMaxFlow()
    arcs = solver.add_arcs_with_capacity(tails, heads, caps)
    got: Counter = Counter()
    if solver.solve(source, sink) != solver.OPTIMAL:
        return got
    flows = solver.flows(arcs[:n_pairs])
    for j in np.flatnonzero(flows > 0):
        got[network.applications[pair_app[j]]] += 1
    return got
