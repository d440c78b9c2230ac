"""Issue 15's concurrency workload at full size: 7 expert and 2 clerk processes, 10,000 writes.

The same workload as ``tests/users/test_concurrent_writers.py`` (``tests/users/concurrency_workload.py``),
which runs fewer writes to keep the suite quick. Prints the figures and exits 1 when anything was
lost, torn, off its recompute, or refused otherwise than as a stale edit in Chinese.

    .venv/bin/python bench/bench_concurrency.py [--writes 10000] [--engine sqlite|postgresql|both]
        [--pg postgresql+psycopg://owner:pw@host/postgres]   (default: $REVIEWTOOL_TEST_PG_URL)

The PostgreSQL leg creates a scratch database and drops it afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "users"))

from concurrency_workload import check, prepare, run

from reviewtool.i18n import set_language
from reviewtool.services.setup import init_database
from reviewtool.storage.database import Database


def leg(url: str, writes: int, folder: Path) -> bool:
    database = Database(url)
    try:
        init_database(database)
        plan = prepare(database)
        records, seconds = run(url, plan, writes, folder)
        report = check(database, plan, records)
        report.seconds = seconds
    finally:
        database.dispose()
    times = sorted(r["seconds"] for r in records)
    print(f"{database.engine.dialect.name}: {report.summary()}")
    print(f"  {writes / seconds:.0f} writes/s; per write median {statistics.median(times) * 1000:.0f} ms, "
          f"95th percentile {times[int(len(times) * 0.95)] * 1000:.0f} ms")  # fmt: skip
    for name in ("errors", "lost", "not_last", "torn", "derived", "unexplained", "not_chinese"):
        for line in getattr(report, name)[:5]:
            print(f"  {name}: {line[:400]}")
    bad = report.errors or report.lost or report.not_last or report.torn or report.derived
    return not (bad or report.unexplained or report.not_chinese)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default=os.environ.get("REVIEWTOOL_TEST_PG_URL"))
    args = parser.parse_args()
    set_language("zh_CN")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.engine in ("sqlite", "both"):
            ok &= leg(f"sqlite:///{(folder / 'bench.sqlite3').as_posix()}", args.writes, folder / "sqlite")
        if args.engine in ("postgresql", "both"):
            if not args.pg:
                print("postgresql: skipped (give --pg or set REVIEWTOOL_TEST_PG_URL)")
            else:
                admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
                name = f"rt_bench_{uuid.uuid4().hex[:8]}"
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                try:
                    url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
                    ok &= leg(url, args.writes, folder / "postgresql")
                finally:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    admin.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
