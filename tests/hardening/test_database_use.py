"""Which database a command uses, and two programs writing one SQLite file
(issue 11): an explicit --db always wins over $REVIEWTOOL_DB, and a writer
that finds the file locked gets one clear line, never a traceback."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reviewtool.cli.main import main
from reviewtool.services.experts import pool_workbook
from reviewtool.storage.database import Database

BUSY = "数据库正被另一程序写入，请稍后重试"
CLI = [sys.executable, "-c", "from reviewtool.cli.main import run; run()"]


@pytest.mark.parametrize("before", [True, False])
def test_an_explicit_db_wins_over_the_environment_variable(tmp_path, monkeypatch, before):
    chosen, other = tmp_path / "chosen.sqlite3", tmp_path / "other.sqlite3"
    monkeypatch.setenv("REVIEWTOOL_DB", str(other))
    args = ["--db", str(chosen), "init"] if before else ["init", "--db", str(chosen)]
    assert main(args) == 0
    assert chosen.exists() and not other.exists()
    # Without --db the variable is used.
    assert main(["init"]) == 0
    assert other.exists()


def test_the_option_after_the_command_wins_over_the_one_before(tmp_path, monkeypatch):
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    monkeypatch.delenv("REVIEWTOOL_DB", raising=False)
    assert main(["--db", str(first), "init", "--db", str(second)]) == 0
    assert second.exists() and not first.exists()


@pytest.mark.gui
def test_the_window_opens_the_db_it_was_given_despite_the_environment(tmp_path):
    chosen, other = tmp_path / "chosen.sqlite3", tmp_path / "other.sqlite3"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "REVIEWTOOL_DB": str(other)}
    result = subprocess.run(
        [sys.executable, "-m", "reviewtool.gui.app", "--db", str(chosen), "--screenshot", str(tmp_path / "w.png")],
        capture_output=True, text=True, env=env, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert chosen.exists() and not other.exists()


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another program in the middle of a write: a transaction holding SQLite's write lock."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE setting SET value = value WHERE 1 = 0")
    return holder


def test_a_second_writer_from_another_process_gets_the_busy_message(sqlite_template, tmp_path):
    # SQLite's write lock, so an SQLite file whatever engine the other tests run on.
    path = tmp_path / "busy.sqlite3"
    shutil.copyfile(sqlite_template, path)
    template = pool_workbook.write_template(tmp_path / "pool.xlsx")
    holder = _hold_write_lock(path)
    try:
        env = {**os.environ, "REVIEWTOOL_BUSY_TIMEOUT_MS": "300", "REVIEWTOOL_LANG": "zh_CN"}
        result = subprocess.run(
            [*CLI, "experts", "import", str(template), "--db", str(path)],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 1, result.stderr
    assert BUSY in result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    # Once the other program is done, the same command works.
    again = subprocess.run(
        [*CLI, "experts", "import", str(template), "--db", str(path)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr


@pytest.mark.gui
def test_the_window_shows_the_busy_message(tmp_path, sqlite_template, qtbot, monkeypatch):

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from reviewtool.gui.context import ChangeBus, GuiContext
    from reviewtool.gui.experts.pool_page import ExpertPoolPage
    from reviewtool.gui.tasks import TaskManager

    monkeypatch.setenv("REVIEWTOOL_BUSY_TIMEOUT_MS", "300")
    path = tmp_path / "busy.sqlite3"
    shutil.copyfile(sqlite_template, path)
    database = Database(f"sqlite:///{path.as_posix()}")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    ctx = GuiContext(database, TaskManager(), QSettings("HaidongKJJ", "reviewtool"), ChangeBus(), "测试员")
    try:
        page = ExpertPoolPage(ctx)
        qtbot.addWidget(page)
        qtbot.waitUntil(lambda: ctx.tasks.pending == 0)
        template = pool_workbook.write_template(tmp_path / "pool.xlsx")
        holder = _hold_write_lock(path)
        try:
            page.import_pool(str(template))
            qtbot.waitUntil(lambda: bool(shown), timeout=30000)
        finally:
            holder.rollback()
            holder.close()
    finally:
        ctx.tasks.shutdown()
        database.dispose()
    assert shown == [BUSY]
