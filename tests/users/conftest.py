"""A PostgreSQL database set up for accounts (group roles, grants, policies), with demo data.

Roles are cluster-wide: every login and group role a test creates has a unique name (the
database's name is in the group roles'), and all of them are dropped afterwards, so parallel
runs and reruns never collide."""

from __future__ import annotations

import gc
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from reviewtool.services.demo import load_demo
from reviewtool.services.users import accounts
from reviewtool.storage.database import Database


@dataclass
class Server:
    owner: Database  # the owner's connection (unrestricted)
    url: str  # the owner's URL
    tag: str  # unique per test: prefix of every login it creates
    opened: list[Database] = field(default_factory=list)

    def login(self, role: str) -> str:
        return f"{self.tag}_{role}"

    def url_of(self, login: str, password: str) -> str:
        return make_url(self.url).set(username=login, password=password).render_as_string(hide_password=False)

    def connect_kwargs(self, login: str, password: str) -> dict:
        parsed = make_url(self.url)
        return {
            "host": parsed.host,
            "port": parsed.port or 5432,
            "dbname": parsed.database,
            "user": login,
            "password": password,
            "autocommit": True,
        }

    def add_user(self, login: str, *roles: str, password: str, expert_id: int | None = None, name: str = ""):
        with self.owner.session() as session:
            return accounts.add_user(
                session, login, roles=roles, password=password, actor="setup", expert_id=expert_id, name=name
            )[0]


def _drop_roles(admin, names) -> None:
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))


@pytest.fixture
def pg_server(pg_template):
    """A demo database on PostgreSQL after ``users setup-server``."""
    admin, admin_url, template = pg_template
    tag = "t" + uuid.uuid4().hex[:7]
    name = f"rt_acc_{tag}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    owner = Database(url)
    server = Server(owner, url, tag)
    try:
        with owner.session() as session:
            load_demo(session, actor="tester")
        with owner.session() as session:
            accounts.setup_server(session, actor="tester")
        yield server
    finally:
        with owner.engine.connect() as conn:
            logins = list(conn.execute(text("SELECT login FROM app_user")).scalars())
            groups = list(
                conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"), {"p": name + "\\_%"}).scalars()
            )
        for database in [owner, *server.opened]:
            database.dispose()
        gc.collect()  # close the connections of databases the CLI opened in this process
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        _drop_roles(admin, logins + groups)
