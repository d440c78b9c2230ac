"""The batch dashboard (批次进度), the reminder list and the audit log on a large batch.

Builds a batch of N applications (default 1,000) reviewed by one panel of 7 drawn
and confirmed experts, 5 sheets per application (N × 5 assignments, 90 % of the
sheets submitted, the panel past its due date so the rest are overdue), then
times ``dashboard``, ``reminders`` and ``audit_rows`` (the whole log, and one
application's records) on SQLite.

    .venv/bin/python bench/bench_dashboard.py [--apps 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sqlalchemy import select

from panels.conftest import attach_general_rubric, build_world, full_sheet
from reviewtool.services.audit_log.query import AuditFilter, audit_rows
from reviewtool.services.dashboard.progress import dashboard
from reviewtool.services.dashboard.reminders import reminders
from reviewtool.services.funding import funding_view
from reviewtool.services.intake.formal_review import pass_all
from reviewtool.services.panels import assignment, draw_rules, invitations
from reviewtool.services.panels import panel as panels
from reviewtool.services.panels.draw import draw_panel
from reviewtool.services.scoring import sheet_edits
from reviewtool.services.setup import init_database
from reviewtool.storage.database import Database
from reviewtool.storage.models import Assignment, Batch


def timed(function, repeat: int) -> str:
    """Median wall clock, with this process's CPU time in brackets (the machine is often busy)."""
    runs, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        runs.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return f"{statistics.median(runs) * 1000:6.0f} ms ({statistics.median(cpu) * 1000:.0f} ms CPU)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep the built database here (reused when it exists)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.keep or Path(folder) / "bench.sqlite3"
        reuse = path.exists()
        db = Database(f"sqlite:///{path.as_posix()}")
        if not reuse:
            build(db, args.apps)
        measure(db, args.repeat)
        db.dispose()


def build(db: Database, apps: int) -> None:
    init_database(db)
    start = time.perf_counter()
    with db.session() as s:
        world = build_world(s, n_apps=apps, n_experts=14)
        attach_general_rubric(s, world.batch_id)
        draw_rules.set_draw_rules(s, actor="bench", cap=None, rotation=True)
        pass_all(s, list(world.apps.values()), actor="bench")
        panel_id, _c = panels.create_panel(s, world.batch_id, "网评组", actor="bench", due_date=dt.date(2026, 1, 1))
        draw_panel(s, panel_id, 7, actor="bench", seed="bench")
        invitations.confirm_all(s, panel_id, actor="bench")
        assignment.apply_assignment(s, panel_id, actor="bench", per_application=5)
        pairs = list(s.execute(select(Assignment.application_id, Assignment.expert_id)))
    with db.session() as s:
        for index, (app_id, expert_id) in enumerate(pairs):
            if index % 10 == 9:
                continue  # 10 % missing
            sheet_edits.save_sheet(
                s, application_id=app_id, reviewer_id=expert_id, actor="bench", panel_id=panel_id,
                data=full_sheet(8 + index % 5), submit=True,
            )  # fmt: skip
    print(f"built {apps} applications, {len(pairs)} assignments in {time.perf_counter() - start:.1f} s")


def measure(db: Database, repeat: int) -> None:
    with db.session() as s:
        batch_id = s.scalar(select(Batch.id))
        board = dashboard(s, batch_id)
        remote = board.stages[0]
        print(f"{board.received} applications; sheets {remote.sheets_submitted}/{remote.sheets_due}, "
              f"overdue {remote.sheets_overdue}")  # fmt: skip
        t_board = timed(lambda: dashboard(s, batch_id), repeat)
        rows = reminders(s, batch_id)
        t_remind = timed(lambda: reminders(s, batch_id), repeat)
        events = audit_rows(s)
        t_audit = timed(lambda: audit_rows(s), repeat)
        t_page = timed(lambda: audit_rows(s, AuditFilter(limit=5000)), repeat)
        t_one = timed(lambda: audit_rows(s, AuditFilter(application="HD2026-500")), repeat)
        t_funding = timed(lambda: funding_view(s, batch_id), repeat)
    print(f"dashboard                          {t_board}")
    print(f"  of which funding_view            {t_funding}")
    print(f"reminders ({len(rows)} experts)               {t_remind}")
    print(f"audit log, all {len(events)} records       {t_audit}")
    print(f"audit log, the page's newest 5000   {t_page}")
    print(f"audit log, one application         {t_one}")


if __name__ == "__main__":
    main()
