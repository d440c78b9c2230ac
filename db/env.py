"""Alembic environment for reviewtool.

Run through ``reviewtool.storage.migrate`` (which passes an engine in
``config.attributes``), or from the repository with
``alembic -c db/alembic.ini`` and ``-x url=...`` / ``$REVIEWTOOL_DB``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from reviewtool.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    from reviewtool.storage.database import make_engine, resolve_url

    return make_engine(resolve_url(context.get_x_argument(as_dictionary=True).get("url")))


def render_item(type_, obj, autogen_context):
    """Render app column types as plain SQL types, so migrations never import app code."""
    from reviewtool.storage.types import ScaledDecimal

    if type_ == "type" and isinstance(obj, ScaledDecimal):
        return "sa.BigInteger()"
    return False


def run_migrations_online() -> None:
    engine = _engine()
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things; batch mode copies the table.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("reviewtool migrations run online only")
run_migrations_online()
