"""Scoring speed: panel figures and sheet totals against the bare library.

Reports, for N applications with 5 sheets each:

- ``panel_figures()``: count, mean, median, trimmed mean, spread, population
  standard deviation, flags and opinion tally, each rounded exactly once;
- the bare library doing the same arithmetic: ``statistics.mean``,
  ``statistics.median``, ``statistics.pstdev`` and a sorted-slice mean on the
  same Decimals, no rounding or bookkeeping — the ratio is what the rules cost;
- ``evaluate_sheet()`` (range, step, bands, comment rules, veto, rounding)
  against a bare ``sum(points × weight)`` on the same sheets;
- ``ranked_applications()`` on the demonstration database (one SQL query plus ranking).

    /work/venv/bin/python bench/bench_scoring.py [--apps 20000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import yaml

from reviewtool.core.enums import Opinion
from reviewtool.core.scoring.maths import SheetFigure, SheetInput, evaluate_sheet, panel_figures
from reviewtool.core.scoring.rubric_check import parse_rubric
from reviewtool.paths import resource_path


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=20000)
    args = parser.parse_args()
    rng = random.Random(7)
    panels = [[Decimal(rng.randrange(4000, 9800)) / 100 for _ in range(5)] for _ in range(args.apps)]
    sheets = [[SheetFigure(t, False, Opinion.RECOMMEND) for t in p] for p in panels]

    def ours():
        for s in sheets:
            panel_figures(s)

    def bare():
        for p in panels:
            statistics.mean(p)
            statistics.median(p)
            statistics.mean(sorted(p)[1:-1])
            statistics.pstdev(p)
            max(p) - min(p)

    t_ours, t_bare = timed(ours), timed(bare)
    print(
        f"panel figures, {args.apps} applications × 5 sheets: {t_ours:.3f}s; bare statistics: {t_bare:.3f}s; "
        f"ratio {t_ours / t_bare:.2f}"
    )

    spec = parse_rubric(yaml.safe_load(resource_path("rubrics", "haidong-general.yaml").read_text(encoding="utf-8")))
    inputs = []
    for _ in range(args.apps):
        data = SheetInput(opinion=Opinion.RECOMMEND, written_opinion="同意。")
        for c in spec.criteria:
            data.points[c.key] = Decimal(rng.randrange(int(c.max_points) // 2, int(c.max_points) + 1))
            data.comments[c.key] = "说明"
        data.vetoes = {v.key: False for v in spec.veto_items}
        inputs.append(data)
    weights = {c.key: c.effective_weight for c in spec.criteria}

    def evaluate():
        for data in inputs:
            evaluate_sheet(spec, data)

    def bare_total():
        for data in inputs:
            sum(p * weights[k] for k, p in data.points.items())

    t_eval, t_sum = timed(evaluate), timed(bare_total)
    print(
        f"evaluate_sheet, {args.apps} sheets: {t_eval:.3f}s; bare Σ points × weight: {t_sum:.3f}s; "
        f"ratio {t_eval / t_sum:.2f}"
    )

    from sqlalchemy import select

    from reviewtool.services.demo import load_demo
    from reviewtool.services.scoring.ranking import ranked_applications
    from reviewtool.services.setup import init_database
    from reviewtool.storage.database import Database
    from reviewtool.storage.models import Batch

    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder, 'bench.sqlite3').as_posix()}")
        init_database(database)
        with database.session() as session:
            t_demo = timed(lambda: load_demo(session, actor="bench"))
        with database.session() as session:
            batch_id = session.scalar(select(Batch.id))
            t_rank = timed(lambda: [ranked_applications(session, batch_id) for _ in range(20)]) / 20
        database.dispose()
    print(f"demo load with ~200 score sheets: {t_demo:.2f}s; ranked view of the demo batch: {t_rank * 1000:.1f} ms")


if __name__ == "__main__":
    main()
