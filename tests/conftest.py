"""Test fixtures shared by every test.

- Every test gets fresh, private user folders (data, config, QSettings) under
  ``tmp_path``; nothing touches the developer's real settings.
- Databases are built through the real Alembic migrations, once per session
  into a template that each test copies (SQLite) or clones (PostgreSQL
  ``CREATE DATABASE … TEMPLATE``). Never ``create_all``.
- ``db`` is an SQLite database; ``any_db`` runs the test on SQLite and, when
  ``REVIEWTOOL_TEST_PG_URL`` is set, on PostgreSQL too.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

# Before anything imports Qt or reviewtool.i18n.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("REVIEWTOOL_DB", None)
os.environ["REVIEWTOOL_LANG"] = "zh_CN"
os.environ["REVIEWTOOL_USER"] = "tester"

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from reviewtool.i18n import set_language
from reviewtool.storage.database import Database, resolve_url

PG_ENV = "REVIEWTOOL_TEST_PG_URL"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("REVIEWTOOL_DB", raising=False)
    set_language("zh_CN")
    yield home
    set_language("zh_CN")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = Database(f"sqlite:///{path.as_posix()}")
    from reviewtool.services.setup import init_database

    init_database(database)
    database.dispose()
    return path


def _sqlite_copy(template: Path, folder: Path) -> Database:
    target = folder / f"test-{uuid.uuid4().hex[:8]}.sqlite3"
    shutil.copyfile(template, target)
    return Database(f"sqlite:///{target.as_posix()}")


@pytest.fixture
def db(request, sqlite_template, tmp_path) -> Database:
    """A migrated SQLite database with the shipped plan editions loaded.

    With ``REVIEWTOOL_TEST_DB_ENGINE=postgresql`` every test using it runs on
    PostgreSQL instead (a whole-suite check of the second engine, by hand)."""
    if os.environ.get("REVIEWTOOL_TEST_DB_ENGINE") == "postgresql":
        database, drop = _pg_clone(request.getfixturevalue("pg_template"))
        yield database
        drop()
        return
    database = _sqlite_copy(sqlite_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def pg_template():
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} must be set in CI so the PostgreSQL leg runs")
        pytest.skip(f"{PG_ENV} not set")
    admin_url = resolve_url(url)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"rt_tmpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    template_url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    database = Database(template_url)
    from reviewtool.services.setup import init_database

    init_database(database)
    database.dispose()
    yield admin, admin_url, name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_clone(pg_template) -> tuple[Database, callable]:
    admin, admin_url, template = pg_template
    name = f"rt_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    database = Database(make_url(admin_url).set(database=name).render_as_string(hide_password=False))

    def drop() -> None:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    return database, drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def any_db(request, sqlite_template, tmp_path) -> Database:
    """The same test on SQLite and (when configured) PostgreSQL."""
    if request.param == "sqlite":
        database = _sqlite_copy(sqlite_template, tmp_path)
        yield database
        database.dispose()
    else:
        database, drop = _pg_clone(request.getfixturevalue("pg_template"))
        yield database
        drop()


@pytest.fixture
def pg_db(request) -> Database:
    """A migrated PostgreSQL database (for what only the server has: LISTEN/NOTIFY, roles)."""
    database, drop = _pg_clone(request.getfixturevalue("pg_template"))
    yield database
    drop()


@pytest.fixture
def sqlite_db(sqlite_template, tmp_path) -> Database:
    """A migrated SQLite file whatever engine ``db`` runs on (for what only a file has: local users)."""
    database = _sqlite_copy(sqlite_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def empty_sqlite_url(tmp_path) -> str:
    """A URL for an SQLite file that does not exist yet (no migrations run)."""
    return f"sqlite:///{(tmp_path / 'fresh.sqlite3').as_posix()}"


@pytest.fixture
def demo_db(db) -> Database:
    """The SQLite database with the demonstration data loaded."""
    from reviewtool.services.demo import load_demo

    with db.session() as session:
        load_demo(session, actor="tester")
    return db
