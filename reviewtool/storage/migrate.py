"""Run the Alembic migrations in ``db/`` programmatically (``init`` and start-up).

Every start checks that the schema is current. Alembic itself (a fifth of a
second to import) is only needed when it is not: ``is_current`` reads the
``alembic_version`` row with plain SQL and finds the head by reading the
revision lines of ``db/versions/*.py``; anything it cannot read answers
"not current", so Alembic decides.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from reviewtool.paths import migrations_dir

if TYPE_CHECKING:
    from alembic.config import Config

VERSION_TABLE = "alembic_version"
_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:\s*:[^=]+)?\s*=\s*(.+)$", re.MULTILINE)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # env.py uses this engine rather than building one from a URL string,
    # so SQLite pragmas and test engines are honoured.
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def quick_head_revision() -> str | None:
    """The head revision read from the migration files' revision lines, without Alembic;
    None when a file cannot be read that way or the chain has not exactly one head."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in sorted((migrations_dir() / "versions").glob("*.py")):
        if path.name == "__init__.py":
            continue
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        downs.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def is_current(engine: Engine) -> bool:
    """Whether the database's schema is at the head revision (one cheap query, no Alembic)."""
    head = quick_head_revision()
    if head is None:
        return False
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return False
        stamped = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return stamped == [head]


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
