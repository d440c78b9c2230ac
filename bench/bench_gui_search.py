"""The desktop app on a big database: the applications page's first screen and
each search keystroke, with 100,000 applications (issue 16).

Builds an SQLite file (or uses ``--db URL``, which is emptied and filled) with N
applications of real-looking titles, then, in fresh processes under
``QT_QPA_PLATFORM=offscreen``:

- the window on the empty database: peak memory (the baseline of the goal
  "≤ 1.5× the empty window's memory");
- the window on the big one: time from ``show()`` to the first screen of the
  applications list (count and first page loaded), then a search typed key
  by key ("牦牛养殖"), each key's result timed from the key press to the list
  answering (the page waits ``SEARCH_DELAY_MS`` after the last key before it
  asks, and that wait is counted), and the peak memory.

Goals: first screen ≤ 0.3 s, each keystroke's result ≤ 0.3 s after the page
asks, memory ≤ 1.5× the empty window's.

    .venv/bin/python bench/bench_gui_search.py [--apps 100000] [--db URL]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORDS = (
    "牦牛 青稞 马铃薯 枸杞 油菜 冷水鱼 光伏 碳化硅 文旅 高原 生态 湟水 养殖 种植 智能 监测 平台 技术 研发 示范".split()
)

CHILD = r"""
import json, resource, sys, time
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from reviewtool.gui.app import open_and_prepare
from reviewtool.gui.applications_page import SEARCH_DELAY_MS
from reviewtool.gui.context import ChangeBus, GuiContext
from reviewtool.gui.main_window import MainWindow
from reviewtool.gui.tasks import TaskManager
from PySide6.QtCore import QSettings

app = QApplication([])
QSettings.setDefaultFormat(QSettings.Format.IniFormat)
database = open_and_prepare(sys.argv[1], False)
ctx = GuiContext(database, TaskManager(), QSettings("bench", "bench"), ChangeBus(), "bench")
window = MainWindow(ctx)
page = window.applications_page
answers = []
page.model.loaded.connect(lambda loaded, total: answers.append((time.perf_counter(), total)))

def wait_for(count, limit=120):
    end = time.perf_counter() + limit
    while len(answers) < count and time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)

start = time.perf_counter()
window.show()
wait_for(1)
first = answers[-1][0] - start if answers else None
end = time.perf_counter() + 60
while (ctx.tasks.pending or window.page_stack is None) and time.perf_counter() < end:  # settle before typing
    app.processEvents()
    time.sleep(0.001)
keys = []
for char in sys.argv[2]:
    seen = len(answers)
    pressed = time.perf_counter()
    typed = QInputMethodEvent("", [])  # what a Chinese input method sends for a chosen character
    typed.setCommitString(char)
    QApplication.sendEvent(page.search, typed)
    wait_for(seen + 1)
    keys.append(answers[-1][0] - pressed - SEARCH_DELAY_MS / 1000 if len(answers) > seen else None)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"first": first, "keys": keys, "total": answers[-1][1] if answers else None, "peak_mib": peak}))
ctx.tasks.shutdown()
"""


def build(url: str, apps: int) -> None:
    from sqlalchemy import insert, select

    from reviewtool.services.setup import open_database
    from reviewtool.storage.models import Application, Batch, Unit

    database = open_database(url)
    rng = random.Random(16)
    with database.session() as s:
        batch = Batch(name="2026年海东市科技计划项目（压力测试）", year=2026)
        units = [Unit(name=f"海东市{c}科技有限公司{i}") for i, c in enumerate("平安乐都民和互助化隆循化" * 10)]
        s.add(batch)
        s.add_all(units)
        s.flush()
        unit_ids = [u.id for u in units]
        for start in range(0, apps, 5000):
            s.execute(
                insert(Application),
                [
                    {
                        "batch_id": batch.id,
                        "number": f"HD2026-{i:06d}",
                        "title": "".join(rng.sample(WORDS, 4)) + "关键技术研究",
                        "unit_id": rng.choice(unit_ids),
                        "pi_name": f"负责人{i}",
                        "requested_amount": Decimal(rng.randrange(10, 100)),
                        "abstract": "",
                        "budget_lines": {},
                        "outputs": {},
                        "extra_fields": {},
                    }
                    for i in range(start + 1, min(apps, start + 5000) + 1)
                ],
            )
        assert s.scalar(select(Application.id).limit(1)) is not None
    database.dispose()


def window(url: str, text: str) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CHILD, url, text], env=env, capture_output=True, text=True)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    if not lines:
        sys.exit(f"the window's process failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(lines[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=100_000)
    parser.add_argument("--text", default="牦牛养殖")
    parser.add_argument("--db", help="a PostgreSQL URL of an empty database to fill (default: SQLite files)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        empty = f"sqlite:///{folder}/empty.sqlite3"
        big = args.db or f"sqlite:///{folder}/big.sqlite3"
        from reviewtool.services.setup import open_database

        open_database(empty).dispose()  # migrated here, so neither window process migrates
        started = time.perf_counter()
        build(big, args.apps)
        print(f"built {args.apps:,} applications in {time.perf_counter() - started:.0f} s")
        baseline = window(empty, "")
        result = window(big, args.text)
    keys = ", ".join("—" if k is None else f"{k * 1000:.0f} ms" for k in result["keys"])
    print(f"empty window: peak {baseline['peak_mib']:.0f} MiB")
    print(f"first screen: {result['first'] * 1000:.0f} ms ({result['total']:,} matching at the end)")
    print(f"search {args.text!r}, each key after the page asks: {keys}")
    print(f"peak {result['peak_mib']:.0f} MiB = {result['peak_mib'] / baseline['peak_mib']:.2f}× the empty window")


if __name__ == "__main__":
    main()
