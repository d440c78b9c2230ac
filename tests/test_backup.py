"""``reviewtool-cli backup``: a consistent copy of the SQLite file while the app is open."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from reviewtool.cli.main import main
from reviewtool.core.errors import NotFound, Refused, UserError
from reviewtool.services.backup import backup_database
from reviewtool.storage.database import Database
from reviewtool.storage.models import Batch

COMMITTED = "2025年海东市科技计划项目（已提交）"
UNCOMMITTED = "未提交的批次"
PG_URL = "postgresql://reviewtool:secret@dbserver:5432/reviewtool"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def database_file(db) -> Path:
    return Path(make_url(db.url).database)


def batch_names(path: Path) -> set[str]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM batch")}


def integrity(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]


@pytest.fixture
def db(sqlite_template, tmp_path):
    """Always an SQLite file (also in the PostgreSQL pass, REVIEWTOOL_TEST_DB_ENGINE): backup copies SQLite files."""
    path = tmp_path / "reviewtool.sqlite3"
    shutil.copyfile(sqlite_template, path)
    database = Database(f"sqlite:///{path.as_posix()}")
    yield database
    database.dispose()


@pytest.fixture
def open_app(db):
    """The database as a running app leaves it: a committed batch still in the
    -wal file (not checkpointed), and a second connection in the middle of a
    write transaction (BEGIN IMMEDIATE with an uncommitted insert)."""
    with db.session() as session:
        session.add(Batch(name=COMMITTED, year=2025))
    path = database_file(db)
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "INSERT INTO batch (name, year, description, threshold, trimmed_min_sheets, spread_threshold, "
        "funding_rule, settings, closed, created_at) "
        "VALUES (?, 2025, '', 700000, 5, 200000, 'stop', '{}', 0, '2025-01-01 00:00:00')",
        (UNCOMMITTED,),
    )
    wal = Path(f"{path}-wal")
    assert wal.is_file() and wal.stat().st_size > 0, "the committed batch should still be in the -wal file"
    yield db, path, writer
    if writer.in_transaction:
        writer.rollback()
    writer.close()


def still_locked(path: Path) -> bool:
    """True while another connection holds the write lock."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None, timeout=0)) as probe:
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        probe.execute("ROLLBACK")
        return False


def test_backup_during_an_open_write_transaction_has_the_committed_data_only(open_app, tmp_path):
    db, path, writer = open_app
    target = tmp_path / "copies" / "备份.sqlite3"
    target.parent.mkdir()

    result = backup_database(db.url, target)

    assert still_locked(path), "the writer's transaction was open during the backup"
    assert result.path == target and result.source == path
    assert result.integrity_check == "ok" and integrity(target) == ["ok"]
    assert result.size == target.stat().st_size > 0
    assert result.schema_revision is not None
    names = batch_names(target)
    assert COMMITTED in names
    assert UNCOMMITTED not in names
    # One self-contained file, no temporary left behind.
    assert sorted(p.name for p in target.parent.iterdir()) == ["备份.sqlite3"]
    with contextlib.closing(sqlite3.connect(target)) as copy:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"

    # The writer commits afterwards: the live database has the row, the copy still does not.
    writer.execute("COMMIT")
    with db.session() as session:
        assert UNCOMMITTED in session.scalars(select(Batch.name)).all()
    assert UNCOMMITTED not in batch_names(target)


def test_an_existing_file_is_refused_unless_forced(db, tmp_path):
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"an older backup")
    with pytest.raises(Refused, match="已存在.*--force"):
        backup_database(db.url, target)
    assert target.read_bytes() == b"an older backup"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    result = backup_database(db.url, target, force=True)
    assert result.integrity_check == "ok"
    assert target.read_bytes().startswith(b"SQLite format 3\x00")


def test_the_database_itself_is_never_the_target(db):
    path = database_file(db)
    with pytest.raises(Refused):
        backup_database(db.url, path, force=True)
    assert integrity(path) == ["ok"]


def test_postgresql_is_refused_with_the_pg_dump_command(tmp_path):
    with pytest.raises(Refused) as caught:
        backup_database(PG_URL, tmp_path / "backup.sqlite3")
    message = str(caught.value)
    assert "pg_dump --format=custom" in message
    assert '"postgresql://reviewtool@dbserver:5432/reviewtool"' in message
    assert "secret" not in message
    assert list(tmp_path.iterdir()) == []


def test_a_missing_database_or_folder_is_one_clear_error(tmp_path):
    with pytest.raises(NotFound):
        backup_database(str(tmp_path / "nothing.sqlite3"), tmp_path / "copy.sqlite3")
    assert not (tmp_path / "nothing.sqlite3").exists(), "the backup must not create the database"
    not_sqlite = tmp_path / "notes.sqlite3"
    not_sqlite.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(UserError, match="不是 SQLite 数据库文件"):
        backup_database(str(not_sqlite), tmp_path / "copy.sqlite3")


def test_a_damaged_database_gives_no_backup(tmp_path):
    source = tmp_path / "damaged.sqlite3"
    with contextlib.closing(sqlite3.connect(source)) as connection:
        connection.execute("CREATE TABLE item (id INTEGER PRIMARY KEY, text TEXT)")
        connection.execute("CREATE INDEX item_text ON item (text)")
        connection.executemany("INSERT INTO item (text) VALUES (?)", [(f"条目 {n}" * 20,) for n in range(400)])
        connection.commit()
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        index_page = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'item_text'").fetchone()[0]
    data = bytearray(source.read_bytes())
    start = (index_page - 1) * page_size
    data[start : start + 12] = b"\xff" * 12  # scribble over the header of the index's root page
    source.write_bytes(bytes(data))
    target = tmp_path / "copy.sqlite3"
    with pytest.raises(UserError, match="完整性检查"):
        backup_database(str(source), target)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["damaged.sqlite3"]


def test_cli_json_and_exit_codes(open_app, capsys, tmp_path):
    db, _path, _writer = open_app
    target = tmp_path / "backup.sqlite3"

    code, out, err = run(capsys, "backup", str(target), "--db", db.url, "--json")
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["path"] == str(target)
    assert report["size"] == target.stat().st_size
    assert report["integrity_check"] == "ok" and report["ok"] is True
    assert UNCOMMITTED not in batch_names(target) and COMMITTED in batch_names(target)

    code, out, err = run(capsys, "backup", str(target), "--db", db.url)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "已存在" in err and "--force" in err

    code, out, err = run(capsys, "--db", db.url, "backup", str(target), "--force")
    assert (code, err) == (0, "")
    assert "完整性检查：ok" in out

    code, out, err = run(capsys, "backup", str(tmp_path / "server.sqlite3"), "--db", PG_URL)
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert "pg_dump --format=custom" in err and "server.dump" in err and "secret" not in err

    code, _out, err = run(capsys, "backup", "--db", db.url)
    assert code == 2 and "FILE" in err
