"""Review stages: migration 0007 and promotion, timed.

- Migration 0007 on the demonstration database (SQLite): down to 0006 and up
  again, best of three, with the rows it moves into 网络评审.
- The same on a synthetic batch of N applications with a finalised 网络评审
  panel result each (``--apps``), so the migration's table copies are seen at
  a size a bureau reaches.
- Promotion of the top 15 % of N applications: ``preview_promotion`` and
  ``apply_promotion`` (ranking on the stage's results, the entries written,
  the final scores refreshed, audited).

Times are wall clock and, in brackets, this process's CPU time (what a busy
machine does not inflate).

    .venv/bin/python bench/bench_stages.py [--apps 2000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import func, select, text

from reviewtool.core.enums import ApplicationStatus, PanelStatus, StageStatus
from reviewtool.services.demo import load_demo
from reviewtool.services.setup import init_database
from reviewtool.services.stages import promotion
from reviewtool.storage import migrate
from reviewtool.storage.database import Database
from reviewtool.storage.models import Application, Batch, Panel, PanelResult, Stage, Unit

MOVED = ("panel", "assignment", "score_sheet", "panel_result")


def fresh(folder: Path, name: str) -> Database:
    database = Database(f"sqlite:///{folder / name}")
    init_database(database)  # migrated, with the plan editions the demo data needs
    return database


def counts(database: Database) -> dict[str, int]:
    with database.engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in (*MOVED, "audit_event")}


class Clock:
    """Wall and CPU seconds of a block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:.3f}s ({self.cpu:.3f}s CPU)"


def time_migration(database: Database, repeat: int = 3) -> tuple[Clock, Clock]:
    config = migrate.alembic_config(database.engine)
    command.downgrade(config, "0006")
    ups, downs = [], []
    for _ in range(repeat):
        with Clock() as up:
            command.upgrade(config, "0007")
        with Clock() as down:
            command.downgrade(config, "0006")
        ups.append(up)
        downs.append(down)
    command.upgrade(config, "head")
    return min(ups, key=lambda c: c.cpu), min(downs, key=lambda c: c.cpu)


def synthetic(database: Database, n_apps: int) -> int:
    """A batch of ``n_apps`` applications, each with a 网络评审 result of 5 sheets; the stage finalised."""
    rng = random.Random(7)
    with database.session() as s:
        batch = Batch(name=f"基准批次 {n_apps}", year=2026)
        s.add(batch)
        s.flush()
        unit = Unit(name="基准单位")
        s.add(unit)
        s.flush()
        remote = s.scalar(select(Stage).where(Stage.batch_id == batch.id, Stage.name == "网络评审"))
        s.add(Panel(batch_id=batch.id, stage_id=remote.id, name="网评组", status=PanelStatus.FINALIZED))
        apps = [
            Application(batch_id=batch.id, number=f"BM2026-{i:05d}", title=f"基准项目{i}", unit_id=unit.id,
                        pi_name=f"负责人{i}", status=ApplicationStatus.SCORED, requested_amount=Decimal(50))
            for i in range(1, n_apps + 1)
        ]  # fmt: skip
        s.add_all(apps)
        s.flush()
        for app in apps:
            score = Decimal(rng.randrange(5000, 9800)) / 100
            app.panel_score = score  # as the scoring services leave it
            s.add(PanelResult(stage_id=remote.id, application_id=app.id, sheet_count=5, mean=score, median=score,
                              trimmed_mean=score, spread=Decimal(5), final_score=score, rule="trimmed_mean",
                              opinions={"recommend": 5}))  # fmt: skip
        remote.status = StageStatus.FINALISED
        return batch.id


def time_promotion(database: Database, batch_id: int, top: int) -> tuple[Clock, Clock, int]:
    with database.session() as s:
        with Clock() as t_preview:
            preview = promotion.preview_promotion(s, batch_id, "网络评审", top=top)
        s.rollback()
    with database.session() as s:
        with Clock() as t_apply:
            applied, _changes = promotion.apply_promotion(s, batch_id, "网络评审", actor="bench", top=top)
            s.flush()
    assert [c.number for c in applied.promoted] == [c.number for c in preview.promoted]
    return t_preview, t_apply, len(applied.promoted)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        demo = fresh(Path(folder), "demo.sqlite")
        with demo.session() as s:
            load_demo(s, actor="bench")
        rows = counts(demo)
        up, down = time_migration(demo)
        assert counts(demo) == rows, "migration 0007 down and up loses nothing"
        print(f"migration 0007 on the demo database ({rows}): upgrade {up}, downgrade {down}")

        big = fresh(Path(folder), "big.sqlite")
        batch_id = synthetic(big, args.apps)
        top = max(1, args.apps * 15 // 100)
        t_preview, t_apply, promoted = time_promotion(big, batch_id, top)
        print(f"promotion of the top {top} of {args.apps} applications: preview {t_preview}, "
              f"apply {t_apply} ({promoted} entered 会议评审)")  # fmt: skip
        rows = counts(big)
        up, down = time_migration(big)
        with big.session() as s:
            assert s.scalar(select(func.count()).select_from(PanelResult)) == args.apps
        print(f"migration 0007 on {args.apps} applications ({rows}): upgrade {up}, downgrade {down}")


if __name__ == "__main__":
    main()
