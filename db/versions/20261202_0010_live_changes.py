"""live changes: PostgreSQL announces saved score sheets and assignments (LISTEN/NOTIFY)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 07:00:00

- PostgreSQL only: a trigger function ``rt_announce_change()`` and, on
  ``score_sheet`` and ``assignment``, a statement-level trigger that calls
  ``pg_notify('reviewtool_changes', <table name>)`` after every INSERT,
  UPDATE or DELETE. PostgreSQL delivers a notification when the writing
  transaction commits, and folds identical ones of one transaction into one,
  so importing 700 sheets announces one change, not 700. The staff's
  windows listen (``storage/notifications.py``) and redraw the sheet status
  when an expert submits, with no polling.
- SQLite: nothing (one laptop; the app that writes is the one that shows).

The downgrade drops the triggers and the function; no data is involved.
"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CHANNEL = "reviewtool_changes"  # storage/notifications.py listens on it
TABLES = ("score_sheet", "assignment")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION rt_announce_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"
    )
    for table in TABLES:
        op.execute(
            f'CREATE TRIGGER rt_announce_{table} AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
            "FOR EACH STATEMENT EXECUTE FUNCTION rt_announce_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'DROP TRIGGER IF EXISTS rt_announce_{table} ON "{table}"')
    op.execute("DROP FUNCTION IF EXISTS rt_announce_change()")
