"""Accounts (issue 15): the audit chain and logging in, on SQLite and (with a URL) PostgreSQL.

- ``audit verify`` over N records (appended through ``audit.record_many``, as a bulk import writes them);
- appending: records per second through the chain (Python on SQLite, the trigger on PostgreSQL);
- logging in: a local user's password check (scrypt) on SQLite; on PostgreSQL, connecting with the user's
  own role (SCRAM), identifying it and opening a session, as ``login.open_server`` does.

    .venv/bin/python bench/bench_accounts.py [--records 100000] [--pg postgresql+psycopg://owner:pw@host/postgres]

The PostgreSQL leg creates a scratch database and a login role and drops both afterwards.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from reviewtool.services import audit
from reviewtool.services.setup import init_database
from reviewtool.services.users import accounts, login
from reviewtool.storage.database import Database

PASSWORD = "Haidong-2026!"


def fill(database: Database, records: int, chunk: int = 5000) -> float:
    start = time.perf_counter()
    for offset in range(0, records, chunk):
        rows = [
            {
                "actor": "bench",
                "action": "test.bench",
                "entity_type": "application",
                "entity_id": offset + i,
                "summary": f"第 {offset + i} 条记录",
                "details": {"changes": {"title": ["旧标题", "新标题"]}, "i": offset + i},
            }
            for i in range(min(chunk, records - offset))
        ]
        with database.session() as session:
            audit.record_many(session, rows)
    return time.perf_counter() - start


def verify(database: Database) -> tuple[float, audit.ChainCheck]:
    start = time.perf_counter()
    with database.session() as session:
        check = audit.verify(session)
    return time.perf_counter() - start, check


def timed(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sqlite_leg(records: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        database = Database(url)
        init_database(database)
        with database.session() as session:
            accounts.add_user(session, "admin1", roles=["admin"], password=PASSWORD, actor="bench")
        appended = fill(database, records)
        seconds, check = verify(database)
        assert check.ok, check.reason
        login_s = timed(lambda: login.sign_in_local(database, "admin1", PASSWORD))
        print(f"SQLite     append {records:>7} records {appended:6.2f} s ({records / appended:8.0f}/s)   "
              f"verify {check.records} records {seconds:5.2f} s   local login {login_s * 1000:5.0f} ms")  # fmt: skip
        database.dispose()


def pg_leg(admin_url: str, records: int) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name, role = f"rt_bench_{uuid.uuid4().hex[:8]}", f"bench_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    owner = Database(url)
    try:
        init_database(owner)
        with owner.session() as session:
            accounts.setup_server(session, actor="bench")
        with owner.session() as session:
            accounts.add_user(session, role, roles=["staff"], password=PASSWORD, actor="bench")
        appended = fill(owner, records)
        seconds, check = verify(owner)
        assert check.ok, check.reason
        user_url = make_url(url).set(username=role, password=PASSWORD).render_as_string(hide_password=False)

        def log_in() -> None:
            database = login.open_server(user_url)
            with database.session() as session:
                session.execute(text("SELECT 1"))
            database.dispose()

        login_s = timed(log_in)
        print(f"PostgreSQL append {records:>7} records {appended:6.2f} s ({records / appended:8.0f}/s)   "
              f"verify {check.records} records {seconds:5.2f} s   login as own role {login_s * 1000:5.0f} ms")  # fmt: skip
    finally:
        owner.dispose()
        gc.collect()  # close the pools of the databases each login opened
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for group in conn.execute(
                text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"), {"p": name + "\\_%"}
            ).scalars():
                conn.execute(text(f'DROP ROLE IF EXISTS "{group}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--pg", metavar="URL", help="an owner's URL (CREATEDB, CREATEROLE) for the PostgreSQL leg")
    args = parser.parse_args()
    sqlite_leg(args.records)
    if args.pg:
        pg_leg(args.pg, args.records)


if __name__ == "__main__":
    main()
