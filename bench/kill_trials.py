"""Crash safety: kill -9 at random moments, then check what is left (issue 11).

Each trial copies a prepared SQLite database, starts one long operation as a
separate ``reviewtool-cli`` process, kills it with SIGKILL, and checks:

- ``PRAGMA integrity_check`` says ``ok``;
- the operation is all or nothing: the database is exactly as before, or
  exactly as after a complete run (every row of every table compared, the
  clocks left out — and the audit chain's ``hash`` / ``prev_hash``, which
  hash the clock — and each issued PDF's 文件指纹, random by design, masked);
- the audit chain is intact, by the app's own check (``reviewtool-cli audit
  verify --expect``): every record links to the one before, and the last
  record before the trial is still in the chain;
- no partial file stands under a final name: every PDF written opens and has
  its pages; the returned workbooks are byte for byte unchanged; leftovers
  exist only under hidden temporary names (``.~…``).

When to kill is drawn from a complete, unkilled run of the same operation,
watched as it ran: its duration, and when it started writing (the database's
write-ahead log growing, a temporary file appearing, a PDF renamed into
place). The trials take turns: killed **while writing** (once this run is
seen writing, after a random part of the write phase the unkilled run had —
the writing, the commit, the renames), **near the end** (90–105 % of the
duration: the last writes, the commit, or just after finishing) and
**anywhere** (5–100 %). The first two are timed from this run's first write
and scaled by this run's pace (its first write against the unkilled run's),
so a busier or a warmer machine does not push them past the end. Each
trial's line says what was being written at the kill.

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
import json
import os
import random
import re
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
#: Columns of one table that differ as well: the audit chain's links hash each record's time. They are
#: left out of the comparison and checked instead by the app's own verification (``chain_problems``).
VOLATILE_IN = {"audit_event": {"hash", "prev_hash"}}
#: Random by design: the 文件指纹 each issued PDF gets (64 random bits), named in its audit record's summary.
FINGERPRINT = re.compile(r"\b[0-9A-F]{4}(?:-[0-9A-F]{4}){3}\b")


def _plain(value):
    return FINGERPRINT.sub("XXXX-XXXX-XXXX-XXXX", value) if isinstance(value, str) else value


def dump(db: Path) -> dict[str, list]:
    """Every table's rows (without the volatile columns, fingerprints masked), sorted."""
    with sqlite3.connect(db) as connection:
        names = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        out = {}
        for name in names:
            columns = [
                c[1]
                for c in connection.execute(f'PRAGMA table_info("{name}")')
                if c[1] not in VOLATILE and not c[1].endswith("_at") and c[1] not in VOLATILE_IN.get(name, ())
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = connection.execute(f'SELECT {listed} FROM "{name}"')
            out[name] = sorted(repr(tuple(map(_plain, row))) for row in rows)
        return out


def last_hash(db: Path) -> str | None:
    """The newest audit record's hash (to check later that it is still in the chain)."""
    with sqlite3.connect(db) as connection:
        row = connection.execute("SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
        return row[0] if row else None


def chain_problems(db: Path, expect_last: str | None = None) -> list[str]:
    """The app's own check of the audit chain (``reviewtool-cli audit verify``, ``--expect`` the hash
    noted before): empty when every record links up and ``expect_last`` is still in the chain."""
    args = ["audit", "verify", "--json", *(["--expect", expect_last] if expect_last else [])]
    result = cli(*args, db=db, check=False)
    try:
        check = json.loads(result.stdout)
    except ValueError:
        return [f"audit verify failed (exit {result.returncode}): {(result.stderr or result.stdout)[-500:]}"]
    if result.returncode == 0 and check.get("ok"):
        return []
    return [f"audit chain broken at record {check.get('first_broken')}: {check.get('reason')}"]


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as connection:
        return ";".join(r[0] for r in connection.execute("PRAGMA integrity_check"))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def final_pdfs(trial: Path) -> list[Path]:
    out = trial / "pdf"
    return [p for p in out.iterdir() if p.suffix == ".pdf" and not p.name.startswith(".")] if out.exists() else []


def writing(trial: Path, db: Path) -> str | None:
    """What a running operation has written so far — the database's write-ahead log (empty until the
    first write), temporary files, PDFs renamed into place — or ``None`` before its first write."""
    parts = []
    wal = db.with_name(db.name + "-wal")
    size = wal.stat().st_size if wal.exists() else 0
    if size:
        parts.append(f"WAL {size / 2**20:.1f} MiB")
    out = trial / "pdf"
    names = os.listdir(out) if out.exists() else []
    temporary = sum(1 for n in names if n.startswith("."))
    if temporary:
        parts.append(f"{temporary} temporary file(s)")
    renamed = sum(1 for n in names if n.endswith(".pdf") and not n.startswith("."))
    if renamed:
        parts.append(f"{renamed} PDF(s) in place")
    return ", ".join(parts) or None


def start(args: list[str], db: Path) -> subprocess.Popen:
    """The operation as its own process; its error output goes to ``stderr.txt`` beside the database."""
    env = {**os.environ, "REVIEWTOOL_LANG": "zh_CN"}
    env.pop("REVIEWTOOL_DB", None)
    with open(db.with_name("stderr.txt"), "wb") as stderr:
        return subprocess.Popen([*CLI, *args, "--db", str(db)], stdout=subprocess.DEVNULL, stderr=stderr, env=env)


#: How often a running operation is looked at (seconds).
POLL = 0.005
#: The kinds of kill moment, in turn per operation (see the module's notes).
MODES = ("writing", "end", "anywhere")


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
        self.write_start = 0.0  # seconds into a complete run when it first wrote
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
    base_hash = last_hash(base)
    for index, op in enumerate(operations):  # a complete run of each, watched: its phases and its result
        trial = work / f"reference-{index}"
        trial.mkdir()
        db = trial / "db.sqlite3"
        shutil.copyfile(base, db)
        process = start(op.args(trial), db)
        begun, first_write = time.perf_counter(), None
        while process.poll() is None:
            if first_write is None and writing(trial, db):
                first_write = time.perf_counter() - begun
            time.sleep(POLL)
        op.duration = time.perf_counter() - begun
        op.write_start = op.duration if first_write is None else first_write
        if process.returncode != 0:
            stderr = db.with_name("stderr.txt").read_text(errors="replace")
            raise SystemExit(f"reference run of {op.name} failed:\n{stderr[-3000:]}")
        op.after = dump(db)
        op.pdfs = len(final_pdfs(trial))
        problems = op.check(trial) + chain_problems(db, base_hash)
        if problems:
            raise SystemExit(f"reference run of {op.name}: {problems}")
    return base, operations


def kill_moment(mode: str, op: Operation, rng: random.Random) -> float:
    """Seconds, at the unkilled run's pace: after the start (``anywhere``) or after the first write
    is seen (``writing``: a random part of the write phase; ``end``: 90–105 % of the whole run)."""
    if mode == "writing":
        return rng.uniform(0.0, 1.0) * max(op.duration - op.write_start, POLL)
    if mode == "end":
        return max(rng.uniform(0.9, 1.05) * op.duration - op.write_start, 0.0)
    return rng.uniform(0.05, 1.0) * op.duration


def pace(op: Operation, first_write: float) -> float:
    """How fast this run goes against the unkilled one (a busy machine, warm caches): its first
    write's time over the unkilled run's, within 0.25–4."""
    return min(max(first_write / op.write_start, 0.25), 4.0) if op.write_start > 0 else 1.0


def schedule(trials: int, operations: list[Operation]) -> list[tuple[Operation, str]]:
    """Which operation each trial kills, and how: the operations in turn, and for each operation the
    kinds of moment (``MODES``) in turn."""
    return [
        (operations[index % len(operations)], MODES[(index // len(operations)) % len(MODES)]) for index in range(trials)
    ]


def trial(number: int, op: Operation, mode: str, base: Path, work: Path, rng: random.Random) -> tuple[bool, str, str]:
    """One kill; returns (clean, its line, where it landed: writing / before writing / finished)."""
    folder = work / f"trial-{number:02d}"
    folder.mkdir()
    db = folder / "db.sqlite3"
    shutil.copyfile(base, db)
    before, base_hash = dump(db), last_hash(db)
    wait = kill_moment(mode, op, rng)
    process = start(op.args(folder), db)
    begun = time.perf_counter()
    deadline = begun + wait if mode == "anywhere" else None
    seen = None
    while process.poll() is None:
        now = time.perf_counter()
        if deadline is None and writing(folder, db):
            # This run is writing: the rest of the wait, at this run's pace.
            deadline = now + wait * pace(op, now - begun)
        if deadline is not None and now >= deadline:
            seen = writing(folder, db)
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(POLL)
    killed_at = time.perf_counter() - begun
    process.wait()
    finished = process.returncode is not None and process.returncode >= 0
    problems = []
    check = integrity(db)
    if check != "ok":
        problems.append(f"integrity_check: {check}")
    after = dump(db)
    if after != before and after != op.after:
        changed = sorted(t for t in after if after[t] != before.get(t) and after[t] != op.after.get(t))
        problems.append(f"half-done: tables {changed} are neither as before nor as after a complete run")
    problems += chain_problems(db, base_hash)
    state = "nothing" if after == before else "all"
    if op.pdfs:
        state = f"{len(final_pdfs(folder))} of {op.pdfs} PDFs"
    problems += op.check(folder)
    if finished:
        landed, moment = "finished", f"after it finished ({killed_at:.2f} s)"
    elif seen:
        landed, moment = "writing", f"at {killed_at:.2f} s of {op.duration:.2f} s while writing ({seen})"
    else:
        landed, moment = "before writing", f"at {killed_at:.2f} s of {op.duration:.2f} s, before any write"
    text = f"trial {number:2d}: {op.name:28s} [{mode:8s}] killed {moment}: {state} written"
    return not problems, text + ("" if not problems else " — " + "; ".join(problems)), landed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
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
            print(f"  complete run of {op.name}: {op.duration:.2f} s, writing from {op.write_start:.2f} s", flush=True)
        rng = random.Random(args.seed)
        clean = 0
        landed: dict[str, int] = {}
        for number, (op, mode) in enumerate(schedule(args.trials, operations), start=1):
            ok, text, where = trial(number, op, mode, base, work, rng)
            clean += ok
            landed[where] = landed.get(where, 0) + 1
            print(("✓ " if ok else "✗ ") + text, flush=True)
        print("killed: " + ", ".join(f"{count} {where}" for where, count in sorted(landed.items())))
        print(f"{clean}/{args.trials} clean trials")
        return 0 if clean == args.trials else 1
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
