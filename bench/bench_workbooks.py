"""Offline scoring workbooks: export and import for 7 experts × 100 applications.

Each expert reviews all 100 applications (whole-panel mode), so 7 workbooks
of 100 scoring rows are written, filled in by a script, and imported.

Reports, as ratios to the bare library doing the same file work
(openpyxl writing 7 workbooks with the same cells, and loading them back),
the app's export (rubric, summaries, validation, protection, signed key)
and import (signature, locked-cell check, validation, 700 score sheets
written to SQLite with audit records), plus a re-import (all unchanged).

    /work/venv/bin/python bench/bench_workbooks.py [--apps 100] [--experts 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook, load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from panels.conftest import BATCH, attach_general_rubric, build_world
from panels.test_workbooks import fill
from reviewtool.services.panels import assignment, draw, panel, workbook_export, workbook_import
from reviewtool.services.panels.invitations import confirm_all
from reviewtool.services.setup import init_database
from reviewtool.storage.database import Database


def bare_files(folder: Path, experts: int, apps: int, columns: int) -> tuple[float, float]:
    folder.mkdir()
    start = time.perf_counter()
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
    write = time.perf_counter() - start
    start = time.perf_counter()
    for path in folder.glob("*.xlsx"):
        wb = load_workbook(path)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
    return write, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=100)
    parser.add_argument("--experts", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db = Database(f"sqlite:///{(tmp / 'bench.sqlite3').as_posix()}")
        init_database(db)
        with db.session() as s:
            w = build_world(s, n_apps=args.apps, n_experts=args.experts + 6)
            attach_general_rubric(s, w.batch_id)
            panel_id, _c = panel.create_panel(s, BATCH, "bench", actor="bench")
            draw.draw_panel(s, panel_id, args.experts, seed="bench", actor="bench")
            confirm_all(s, panel_id, actor="bench")  # the drawn experts accepted
            assignment.apply_assignment(s, panel_id, actor="bench", mode="whole")
        start = time.perf_counter()
        with db.session() as s:
            files = workbook_export.export_workbooks(s, panel_id, tmp / "out", actor="bench")
        export = time.perf_counter() - start
        for f in files:
            fill(f.path)
        start = time.perf_counter()
        with db.session() as s:
            report = workbook_import.import_workbooks(s, [tmp / "out"], actor="bench")
        first = time.perf_counter() - start
        assert report.ok, [f.errors for f in report.files]
        sheets = sum(f.count("new") for f in report.files)
        start = time.perf_counter()
        with db.session() as s:
            again = workbook_import.import_workbooks(s, [tmp / "out"], actor="bench")
        second = time.perf_counter() - start
        assert all(f.count("unchanged") == len(f.rows) for f in again.files)
        columns = 2 + 3 + 16 + 3
        bare_write, bare_read = bare_files(tmp / "bare", args.experts, args.apps, columns)
        db.dispose()
    print(f"{args.experts} experts × {args.apps} applications ({sheets} score sheets)")
    print(f"export:    {export:6.2f} s   bare openpyxl write {bare_write:5.2f} s → ratio {export / bare_write:.2f}")
    print(f"import:    {first:6.2f} s   bare openpyxl read  {bare_read:5.2f} s → ratio {first / bare_read:.2f}")
    print(f"re-import: {second:6.2f} s (all unchanged)   → ratio {second / bare_read:.2f}")


if __name__ == "__main__":
    main()
