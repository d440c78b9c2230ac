"""Crash safety: kill -9 at random moments, then check what is left (issue 11).

Each trial copies a prepared SQLite database, starts one long operation as a
separate ``reviewtool-cli`` process, kills it with SIGKILL at a random moment
within the operation's measured run time, and checks:

- ``PRAGMA integrity_check`` says ``ok``;
- the operation is all or nothing: the database is exactly as before, or
  exactly as after a complete run (every row of every table compared);
- no partial file stands under a final name: every PDF written opens and has
  its pages; the returned workbooks are byte for byte unchanged; leftovers
  exist only under hidden temporary names (``.~…``).

The operations, in turn: importing a 20,000-row summary sheet, a PDF batch
(the demo batch's 专家评审表, one file per application, or one combined
file), and importing a folder of returned scoring workbooks.

    .venv/bin/python bench/kill_trials.py [--trials 20] [--seed 11] [--keep DIR]

Prints one line per trial and ``N/N clean trials``; exits 1 if any is not.
POSIX only (SIGKILL).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from reviewtool.cli.main import run; run()"]
BIG_BATCH = "断电测试批次"
ROWS = 20_000


def cli(*args: str, db: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "REVIEWTOOL_LANG": "zh_CN"}
    env.pop("REVIEWTOOL_DB", None)
    result = subprocess.run([*CLI, *args, "--db", str(db)], capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise SystemExit(f"reviewtool-cli {' '.join(args)} failed:\n{result.stderr}")
    return result


def settle(db: Path) -> None:
    """Move the WAL into the main file, so copying the file copies every committed change."""
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


#: Columns that differ between two complete runs of the same operation (clocks, and the audit's free text).
VOLATILE = {"at", "details"}


def dump(db: Path) -> dict[str, list]:
    """Every table's rows (without the volatile columns), sorted."""
    with sqlite3.connect(db) as connection:
        names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = {}
        for name in names:
            columns = [
                c[1]
                for c in connection.execute(f'PRAGMA table_info("{name}")')
                if c[1] not in VOLATILE and not c[1].endswith("_at")
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            out[name] = sorted(map(repr, connection.execute(f'SELECT {listed} FROM "{name}"')))
        return out


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        return ";".join(r[0] for r in connection.execute("PRAGMA integrity_check"))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def final_pdfs(trial: Path) -> list[Path]:
    out = trial / "pdf"
    return [p for p in out.iterdir() if p.suffix == ".pdf" and not p.name.startswith(".")] if out.exists() else []


def big_sheet(path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_import", ROOT / "bench" / "bench_import.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.make_workbook(path, ROWS)


def fill_workbooks(folder: Path) -> None:
    """What the experts do: change every score by one point and write an opinion."""
    sys.path.insert(0, str(ROOT))
    from openpyxl import load_workbook

    from reviewtool.services.panels.workbook_key import read_key

    for path in sorted(folder.glob("*.xlsx")):
        wb = load_workbook(path)
        payload, _sig = read_key(wb, path.name)
        for meta in payload["sheets"]:
            ws = wb[meta["title"]]
            for row in meta["rows"]:
                for letter, what in meta["columns"].items():
                    cell = ws[f"{letter}{row}"]
                    kind = what.partition(":")[0]
                    if kind == "veto":
                        cell.value = "否"
                    elif kind == "opinion":
                        cell.value = "推荐"
                    elif kind == "written":
                        cell.value = "经复核：立项依据充分。"
                    elif kind == "points" and isinstance(cell.value, (int, float)) and cell.value >= 1:
                        cell.value = cell.value - 1
        wb.save(path)


class Operation:
    """One long operation: how to run it on a database, and what a clean result is."""

    def __init__(self, name: str, args, check) -> None:
        self.name, self.args, self.check = name, args, check
        self.duration = 0.0
        self.pdfs = 0  # PDFs a complete run writes
        self.after: dict[str, list] | None = None


def prepare(work: Path) -> tuple[Path, list[Operation]]:
    base = work / "base.sqlite3"
    cli("init", db=base)
    cli("demo", db=base)
    with sqlite3.connect(base) as connection:
        batch = connection.execute("SELECT name FROM batch ORDER BY id LIMIT 1").fetchone()[0]
    big = work / "big.xlsx"
    big_sheet(big)
    returned = work / "returned"
    cli("workbooks", "export", "--batch", batch, "--out", str(returned), db=base)
    fill_workbooks(returned)
    returned_digest = digest(returned)
    settle(base)

    def import_setup(trial: Path) -> list[str]:
        return ["import", str(big), "--batch", BIG_BATCH]

    def pdf_setup(trial: Path, combined: bool = False) -> list[str]:
        out = trial / "pdf"
        return ["export", "sheets", "--batch", batch, "--out", str(out), *(["--combined"] if combined else [])]

    def workbooks_setup(trial: Path) -> list[str]:
        folder = trial / "returned"
        shutil.copytree(returned, folder)
        return ["workbooks", "import", str(folder)]

    def pdf_check(trial: Path) -> list[str]:
        from pypdf import PdfReader

        problems = []
        out = trial / "pdf"
        for path in sorted(out.iterdir()) if out.exists() else []:
            if path.name.startswith("."):
                continue  # a hidden temporary name: allowed
            try:
                data = path.read_bytes()
                if not data.rstrip().endswith(b"%%EOF") or len(PdfReader(path).pages) == 0:
                    problems.append(f"partial PDF under its final name: {path.name}")
            except Exception as exc:  # noqa: BLE001 - any failure to read is a finding
                problems.append(f"unreadable PDF {path.name}: {exc!r}")
        return problems

    def workbooks_check(trial: Path) -> list[str]:
        folder = trial / "returned"
        return [] if digest(folder) == returned_digest else ["the returned workbooks were changed"]

    operations = [
        Operation("20,000-row import", import_setup, lambda trial: []),
        Operation("PDF batch (one file each)", pdf_setup, pdf_check),
        Operation("workbook folder import", workbooks_setup, workbooks_check),
        Operation("PDF batch (combined)", lambda trial: pdf_setup(trial, True), pdf_check),
    ]
    for index, op in enumerate(operations):  # a complete run of each: its duration and its result
        trial = work / f"reference-{index}"
        trial.mkdir()
        db = trial / "db.sqlite3"
        shutil.copyfile(base, db)
        args = op.args(trial)
        start = time.perf_counter()
        result = cli(*args, db=db, check=False)
        op.duration = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(f"reference run of {op.name} failed:\n{result.stderr[-3000:]}")
        op.after = dump(db)
        op.pdfs = len(final_pdfs(trial))
        problems = op.check(trial)
        if problems:
            raise SystemExit(f"reference run of {op.name}: {problems}")
    return base, operations


def trial(number: int, op: Operation, base: Path, work: Path, rng: random.Random) -> tuple[bool, str]:
    folder = work / f"trial-{number:02d}"
    folder.mkdir()
    db = folder / "db.sqlite3"
    shutil.copyfile(base, db)
    before = dump(db)
    args = op.args(folder)
    # Half the kills anywhere in the run, half in its last 40 %, where the writing and the commit happen.
    delay = (rng.uniform(0.05, 1.0) if number % 2 else rng.uniform(0.6, 1.0)) * op.duration
    env = {**os.environ, "REVIEWTOOL_LANG": "zh_CN"}
    env.pop("REVIEWTOOL_DB", None)
    process = subprocess.Popen(
        [*CLI, *args, "--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    time.sleep(delay)
    finished = process.poll() is not None
    if not finished:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()
    problems = []
    check = integrity(db)
    if check != "ok":
        problems.append(f"integrity_check: {check}")
    after = dump(db)
    if after != before and after != op.after:
        changed = sorted(t for t in after if after[t] != before.get(t) and after[t] != op.after.get(t))
        problems.append(f"half-done: tables {changed} are neither as before nor as after a complete run")
    state = "nothing" if after == before else "all"
    if op.pdfs:
        state = f"{len(final_pdfs(folder))} of {op.pdfs} PDFs"
    problems += op.check(folder)
    moment = "after it finished" if finished else f"at {delay:.2f} s of {op.duration:.2f} s"
    text = f"trial {number:2d}: {op.name:28s} killed {moment}: {state} written"
    return not problems, text + ("" if not problems else " — " + "; ".join(problems))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="reviewtool-kill-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"preparing in {work} (demo database, a {ROWS:,}-row sheet, returned workbooks)…", flush=True)
        base, operations = prepare(work)
        for op in operations:
            print(f"  complete run of {op.name}: {op.duration:.2f} s", flush=True)
        rng = random.Random(args.seed)
        clean = 0
        for number in range(1, args.trials + 1):
            ok, text = trial(number, operations[(number - 1) % len(operations)], base, work, rng)
            clean += ok
            print(("✓ " if ok else "✗ ") + text, flush=True)
        print(f"{clean}/{args.trials} clean trials")
        return 0 if clean == args.trials else 1
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
