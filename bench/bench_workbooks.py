"""Offline scoring workbooks: export and import for 7 experts × 100 applications.

Each expert reviews all 100 applications (whole-panel mode), so 7 workbooks
of 100 scoring rows are written, filled in by a script, and imported.

Reports, as ratios to the bare library doing the same file work
(openpyxl writing 7 workbooks with the same cells, and loading them back),
the app's export (rubric, summaries, validation, protection, signed key)
and import (signature, locked-cell check, validation, 700 score sheets
written with audit records, each application's panel result recomputed),
plus a re-import (all unchanged). Wall and CPU time (this process's), the SQL
statements each step sent, and the process's peak memory.

    .venv/bin/python bench/bench_workbooks.py [--apps 100] [--experts 7]
        [--db postgresql+psycopg://reviewtool:reviewtool@127.0.0.1:5432/postgres]

With ``--db`` the work goes into a scratch database created on that server
and dropped after (as ``bench_import.py`` does); without it, a temporary
SQLite file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import PostgresCopies, _peak_mib

from panels.conftest import BATCH, attach_general_rubric, build_world
from panels.test_workbooks import fill
from reviewtool.services.panels import assignment, draw, panel, workbook_export, workbook_import
from reviewtool.services.panels.invitations import confirm_all
from reviewtool.services.setup import init_database
from reviewtool.storage.database import Database


class Clock:
    """Wall and CPU time of a step, and the statements it sent."""

    def __init__(self, db: Database | None = None) -> None:
        self.db, self.statements = db, 0

    def _count(self, *_args) -> None:
        self.statements += 1

    def __enter__(self) -> Clock:
        if self.db is not None:
            event.listen(self.db.engine, "before_cursor_execute", self._count)
        self.start, self.cpu_start = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc) -> None:
        self.seconds, self.cpu = time.perf_counter() - self.start, time.process_time() - self.cpu_start
        if self.db is not None:
            event.remove(self.db.engine, "before_cursor_execute", self._count)


def bare_files(folder: Path, experts: int, apps: int, columns: int) -> tuple[Clock, Clock]:
    folder.mkdir()
    with Clock() as write:
        _bare_write(folder, experts, apps, columns)
    with Clock() as read:
        for path in folder.glob("*.xlsx"):
            wb = load_workbook(path)
            for ws in wb.worksheets:
                for _row in ws.iter_rows(values_only=True):
                    pass
    return write, read


def _bare_write(folder: Path, experts: int, apps: int, columns: int) -> None:
    for e in range(experts):
        wb = Workbook()
        ws = wb.active
        for r in range(apps + 3):
            for c in range(columns):
                ws.cell(r + 1, c + 1, f"v{r}-{c}" if c < 2 else r % 15)
        summary = wb.create_sheet("s")
        for r in range(apps):
            for c in range(7):
                summary.cell(r + 1, c + 1, "项目主要研究内容" * (8 if c == 6 else 1))
        wb.save(folder / f"{e}.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--experts", type=int, default=7)
    parser.add_argument("--db", help="a PostgreSQL URL (a scratch database is created on its server)")
    args = parser.parse_args()
    server = PostgresCopies(args.db) if args.db else None
    try:
        run(args, server)
    finally:
        if server is not None:
            server.close()


def run(args, server: PostgresCopies | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = Database(server.fresh() if server else f"sqlite:///{(tmp / 'bench.sqlite3').as_posix()}")
        if server is None:
            init_database(db)
        with db.session() as s:
            w = build_world(s, n_apps=args.apps, n_experts=args.experts + 6)
            attach_general_rubric(s, w.batch_id)
            panel_id, _c = panel.create_panel(s, BATCH, "bench", actor="bench")
            draw.draw_panel(s, panel_id, args.experts, seed="bench", actor="bench")
            confirm_all(s, panel_id, actor="bench")  # the drawn experts accepted
            assignment.apply_assignment(s, panel_id, actor="bench", mode="whole")
        with Clock(db) as export, db.session() as s:
            files = workbook_export.export_workbooks(s, panel_id, tmp / "out", actor="bench")
        for f in files:
            fill(f.path)
        with Clock(db) as first, db.session() as s:
            report = workbook_import.import_workbooks(s, [tmp / "out"], actor="bench")
        assert report.ok, [f.errors for f in report.files]
        sheets = sum(f.count("new") for f in report.files)
        with Clock(db) as second, db.session() as s:
            again = workbook_import.import_workbooks(s, [tmp / "out"], actor="bench")
        assert all(f.count("unchanged") == len(f.rows) for f in again.files)
        columns = 2 + 3 + 16 + 3
        bare_write, bare_read = bare_files(tmp / "bare", args.experts, args.apps, columns)
        db.dispose()
    engine = "PostgreSQL" if server else "SQLite"
    print(f"{args.experts} experts × {args.apps} applications ({sheets} score sheets), {engine}")
    for name, clock, bare, what in (
        ("export", export, bare_write, "bare openpyxl write"),
        ("import", first, bare_read, "bare openpyxl read "),
        ("re-import", second, bare_read, "(all unchanged)    "),
    ):
        print(
            f"{name + ':':10} {clock.seconds:6.2f} s ({clock.cpu:5.2f} s CPU), {clock.statements:6,} statements   "
            f"{what} {bare.seconds:5.2f} s ({bare.cpu:5.2f} s CPU) → ratio {clock.seconds / bare.seconds:.2f} "
            f"(CPU {clock.cpu / bare.cpu:.2f})"
        )
    print(f"peak memory of this process (setup, both sides): {_peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
