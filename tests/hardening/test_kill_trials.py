"""bench/kill_trials.py judges a killed run against a complete one: two complete
runs of the same work must compare equal (the audit chain's hash and prev_hash
hash the clock, and an issued PDF's 文件指纹 is random, so they are left out),
the chain itself is checked by the app's own ``audit verify`` instead, and the
kills are aimed at the writing too."""

from __future__ import annotations

import importlib.util
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from reviewtool.services import audit
from reviewtool.services.documents.issued import new_fingerprint
from reviewtool.services.experts import pool
from reviewtool.storage.database import Database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kill_trials():
    spec = importlib.util.spec_from_file_location("kill_trials", ROOT / "bench" / "kill_trials.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def complete_run(template: Path, path: Path) -> Path:
    """The same audited work on a fresh copy (each record stamped with its own time)."""
    shutil.copyfile(template, path)
    database = Database(f"sqlite:///{path.as_posix()}")
    with database.session() as s:
        for i in range(3):
            pool.create_expert(s, pool.ExpertInput(name=f"专家{i}", unit="青海大学"), actor="t")
        audit.record(
            s, actor="t", action="documents.issued", entity_type="document",
            summary=f"出具 HDKJ2025-001_专家评审表.pdf（专家评审表），文件指纹 {new_fingerprint()}",
        )  # fmt: skip
    database.dispose()
    return path


def sql(path: Path, statement: str, *params):
    with sqlite3.connect(path) as connection:
        return connection.execute(statement, params).fetchall()


def test_two_complete_runs_compare_equal_though_their_hashes_differ(kill_trials, sqlite_template, tmp_path):
    one = complete_run(sqlite_template, tmp_path / "one.sqlite3")
    two = complete_run(sqlite_template, tmp_path / "two.sqlite3")
    newest = "SELECT hash, prev_hash, summary FROM audit_event ORDER BY seq DESC LIMIT 2"
    assert sql(one, newest) != sql(two, newest)  # the chain hashes each record's time; fingerprints are random
    assert kill_trials.dump(one) == kill_trials.dump(two)
    before = kill_trials.dump(sqlite_template)
    assert before["audit_event"] != kill_trials.dump(one)["audit_event"]  # the records themselves still count


def test_the_audit_chain_is_checked_by_the_apps_own_verify(kill_trials, sqlite_template, tmp_path):
    noted = kill_trials.last_hash(sqlite_template)
    good = complete_run(sqlite_template, tmp_path / "good.sqlite3")
    assert kill_trials.chain_problems(good, noted) == []

    altered = shutil.copyfile(good, tmp_path / "altered.sqlite3")
    sql(altered, "UPDATE audit_event SET hash = ? WHERE seq = (SELECT max(seq) - 1 FROM audit_event)", "0" * 64)
    assert kill_trials.dump(altered) == kill_trials.dump(good)  # the comparison leaves the links out …
    problems = kill_trials.chain_problems(altered, noted)
    assert len(problems) == 1 and "audit chain broken" in problems[0]  # … the verification does not

    cut = complete_run(sqlite_template, tmp_path / "cut.sqlite3")
    newest = kill_trials.last_hash(cut)
    sql(cut, "DELETE FROM audit_event WHERE seq = (SELECT max(seq) FROM audit_event)")
    assert kill_trials.chain_problems(cut) == []  # what is left still links up …
    assert kill_trials.chain_problems(cut, newest)  # … but the record noted before is gone


def test_kills_are_aimed_at_the_writing_and_the_end_of_the_run(kill_trials):
    operations = [kill_trials.Operation(f"op {i}", None, None) for i in range(4)]
    for op in operations:
        op.duration, op.write_start = 10.0, 8.0
    plan = kill_trials.schedule(20, operations)
    assert [op for op, _mode in plan] == operations * 5
    modes = [mode for _op, mode in plan]
    assert modes.count("writing") >= 6 and modes.count("end") >= 6
    for op in operations:  # every operation gets each kind of moment
        assert {mode for o, mode in plan if o is op} == {"writing", "end", "anywhere"}
    rng = random.Random(11)
    op = operations[0]
    writes = [kill_trials.kill_moment("writing", op, rng) for _ in range(200)]
    ends = [op.write_start + kill_trials.kill_moment("end", op, rng) for _ in range(200)]
    assert 0 <= min(writes) and max(writes) <= 2.0  # within the 2 s the unkilled run spent writing
    assert 9.0 <= min(ends) and max(ends) <= 10.5 and any(e > 10.0 for e in ends)  # just after finishing too
    # Timed at this run's pace: a run that reached its first write in half the time is killed twice as soon.
    assert kill_trials.pace(op, 4.0) == 0.5 and kill_trials.pace(op, 8.0) == 1.0
