"""Start-up (issue 16): ``reviewtool-cli --version``, one ``suggest-areas`` call and the GUI's
cold start to a shown window, each in fresh processes, alternating with its bare baseline in
the same run:

- ``reviewtool-cli --version`` and ``--help`` against ``python -c pass``;
- ``reviewtool-cli suggest-areas --title …`` (model already cached on disk) against
  ``python -c pass``, and against a bare ``import sqlalchemy.orm`` (the floor of any command
  that reads the database);
- the desktop app to its first window shown (``gui/start_window.py``: the frame, "正在打开
  数据库…", before the data layer loads; a tree without it: the main window) and to its main
  window shown (an initialised SQLite file, the applications page), each against a bare
  PySide6 ``QMainWindow`` shown, CPU time and peak memory (RSS).

Medians of ``--repeat`` runs, the runs of a pair interleaved so a busy machine slows both
alike. The GUI runs with ``QT_QPA_PLATFORM=offscreen`` unless ``--display`` is given.

    .venv/bin/python bench/bench_startup.py [--repeat 7] [--db URL] [--display]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CLI = [PYTHON, "-c", "from reviewtool.cli.main import run; run()"]
TITLE = "基于深度学习的高原牦牛疾病智能诊断系统研发"

#: A bare window, shown and painted once, then a hard exit (as the app below).
BARE_WINDOW = """
import os
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
window.show()
app.processEvents()
os._exit(0)
"""

#: The real start-up (``reviewtool.gui.app.main``), ended as soon as its first window is shown.
FIRST_WINDOW = """
import os, sys
from reviewtool.gui import app as gui_app
try:
    from reviewtool.gui.start_window import StartWindow as First
except ImportError:  # a tree from before the start window: its first window is the main window
    from reviewtool.gui.main_window import MainWindow as First

shown = First.show

def show_then_exit(self):
    shown(self)
    gui_app.QApplication.processEvents()
    os._exit(0)

First.show = show_then_exit
sys.exit(gui_app.main(sys.argv[1:]))
"""

#: The real start-up, ended as soon as the main window (the database open, its first page) is shown.
APP_WINDOW = """
import os, sys
from reviewtool.gui import app as gui_app
from reviewtool.gui import main_window

shown = main_window.MainWindow.show

def show_then_exit(self):
    shown(self)
    gui_app.QApplication.processEvents()
    os._exit(0)

main_window.MainWindow.show = show_then_exit
sys.exit(gui_app.main(sys.argv[1:]))
"""


def run(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MiB of one child process."""
    import time

    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{argv[:4]} failed: {process.stderr.read().decode()[-1500:]}")
    process.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def pair(name: str, ours: list[str], bare: list[str], env: dict[str, str], repeat: int) -> dict:
    """Run ``ours`` and ``bare`` alternately ``repeat`` times (one warm-up each); medians."""
    run(ours, env), run(bare, env)
    figures: dict[str, list[tuple[float, float, float]]] = {"ours": [], "bare": []}
    for _ in range(repeat):
        figures["ours"].append(run(ours, env))
        figures["bare"].append(run(bare, env))
    medians = {
        side: tuple(statistics.median(sample[i] for sample in samples) for i in range(3))
        for side, samples in figures.items()
    }
    (wall, cpu, rss), (bare_wall, bare_cpu, bare_rss) = medians["ours"], medians["bare"]
    print(
        f"{name:<34} {wall:6.3f} s wall ({wall / bare_wall:5.2f}×)  {cpu:6.3f} s CPU ({cpu / bare_cpu:5.2f}×)  "
        f"{rss:6.1f} MiB ({rss / bare_rss:4.2f}×)   bare: {bare_wall:.3f} s, {bare_cpu:.3f} s CPU, {bare_rss:.1f} MiB"
    )
    return medians


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file); PostgreSQL works too")
    parser.add_argument("--display", action="store_true", help="use the real display, not the offscreen platform")
    parser.add_argument(
        "--only", choices=("cli", "suggest", "gui"), action="append", help="run only these (repeatable)"
    )
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "REVIEWTOOL_LANG": "zh_CN",
    }
    env.pop("REVIEWTOOL_DB", None)
    if not args.display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    url = args.db or f"sqlite:///{(home / 'bench.sqlite3').as_posix()}"
    subprocess.run([*CLI, "init", "--db", url], env=env, check=True, stdout=subprocess.DEVNULL)
    # Fill the suggestion model's disk cache, as any earlier call would have.
    subprocess.run(
        [*CLI, "suggest-areas", "--db", url, "--title", TITLE], env=env, check=True, stdout=subprocess.DEVNULL
    )
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; medians of {args.repeat}"
    )
    bare = [PYTHON, "-c", "pass"]
    only = set(args.only or ("cli", "suggest", "gui"))
    if "cli" in only:
        pair("reviewtool-cli --version", [*CLI, "--version"], bare, env, args.repeat)
        pair("reviewtool-cli --help", [*CLI, "--help"], bare, env, args.repeat)
    suggest = [*CLI, "suggest-areas", "--db", url, "--title", TITLE]
    if "suggest" in only:
        pair("suggest-areas (vs python -c pass)", suggest, bare, env, args.repeat)
        orm = [PYTHON, "-c", "import sqlalchemy.orm"]
        pair("suggest-areas (vs import sqlalchemy.orm)", suggest, orm, env, args.repeat)
    if "gui" not in only:
        return
    pair("GUI to its first window", [PYTHON, "-c", FIRST_WINDOW, "--db", url], [PYTHON, "-c", BARE_WINDOW], env,
         args.repeat)  # fmt: skip
    pair(
        "GUI to a shown main window",
        [PYTHON, "-c", APP_WINDOW, "--db", url],
        [PYTHON, "-c", BARE_WINDOW],
        env,
        args.repeat,
    )


if __name__ == "__main__":
    main()
