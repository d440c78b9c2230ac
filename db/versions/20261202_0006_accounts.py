"""accounts: users, roles and the hash-chained audit log

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 02:00:00

- ``app_user`` and ``user_role``: the app's users and their roles (issue 15).
- ``audit_event`` gets ``seq``, ``prev_hash`` and ``hash``: the records already
  stored are chained here in the order they were written (by id), so
  ``reviewtool-cli audit verify`` passes on an upgraded database and catches
  any later change. ``batch_id`` stops being a foreign key (a deleted batch
  would otherwise rewrite history through ``ON DELETE SET NULL``).
- On PostgreSQL, the trigger that chains every new record, whoever inserts it
  (``rt_audit_chain``), with the hash function ``rt_audit_link``: the same
  hash as ``reviewtool.storage.audit_chain.link_hash``, frozen here as this
  revision installs it.

- ``row_version`` on ``expert``, ``panel`` and ``score_sheet`` (the records
  people edit; ``application`` has had one since 0001): SQLAlchemy's
  ``version_id_col``, so a save over someone else's change is refused
  instead of silently overwriting it (``reviewtool.storage.versioning``).

The grants and row-level security policies are not schema: they are applied
after every upgrade by the owner (``reviewtool.storage.pg_security``). The
downgrade removes them with the rest of what this revision added; the audit
records keep their rows, only the chain columns go.
"""
from typing import Sequence, Union
import datetime as dt
import hashlib

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

GENESIS = "0" * 64
#: The records people edit that get a row version here (``application`` has one already).
VERSIONED_TABLES = ('expert', 'panel', 'score_sheet')
#: pg_advisory_xact_lock key of the audit chain (one per database).
CHAIN_LOCK = 7310010015


def _link(prev, seq, at, actor, action, entity_type, entity_id, batch_id, summary, details) -> str:
    """As ``reviewtool.storage.audit_chain.link_hash`` (frozen copy)."""
    if at.tzinfo is not None:
        at = at.astimezone(dt.timezone.utc).replace(tzinfo=None)
    parts = (
        prev, str(seq), at.strftime("%Y-%m-%dT%H:%M:%S.%f"), actor or "", action or "", entity_type or "",
        "" if entity_id is None else str(entity_id), "" if batch_id is None else str(batch_id), summary or "",
        details or "",
    )
    payload = "".join(f"{len(p.encode('utf-8'))}:{p}" for p in parts)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _pg_functions(schema: str) -> list[str]:
    path = f'pg_catalog, "{schema}"'
    return [
        """
CREATE OR REPLACE FUNCTION rt_audit_link(prev text, seq bigint, at timestamptz, actor text, action text,
    entity_type text, entity_id bigint, batch_id bigint, summary text, details text)
RETURNS text LANGUAGE sql STABLE AS $$
SELECT encode(sha256(convert_to(string_agg(octet_length(convert_to(p, 'UTF8'))::text || ':' || p, '' ORDER BY n),
                                'UTF8')), 'hex')
FROM unnest(ARRAY[coalesce(prev, ''), seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
                  coalesce(actor, ''), coalesce(action, ''), coalesce(entity_type, ''), coalesce(entity_id::text, ''),
                  coalesce(batch_id::text, ''), coalesce(summary, ''), coalesce(details, '')])
     WITH ORDINALITY AS f(p, n)
$$""",
        f"""
CREATE OR REPLACE FUNCTION rt_audit_chain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path} AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    -- One writer at a time appends to the chain; the lock is held until commit.
    PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
    SELECT e.seq, e.hash INTO last_seq, last_hash FROM audit_event e ORDER BY e.seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
    NEW.at := clock_timestamp();
    -- Only the schema owner may name an actor; everyone else acts as their own login role.
    IF NOT pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
        NEW.actor := session_user;
    END IF;
    NEW.actor := coalesce(NEW.actor, '');
    NEW.summary := coalesce(NEW.summary, '');
    NEW.details := coalesce(NEW.details, '{{}}'::json);
    NEW.hash := rt_audit_link(NEW.prev_hash, NEW.seq, NEW.at, NEW.actor, NEW.action, NEW.entity_type,
                              NEW.entity_id, NEW.batch_id, NEW.summary, NEW.details::text);
    RETURN NEW;
END
$$""",
        "DROP TRIGGER IF EXISTS rt_audit_chain ON audit_event",
        "CREATE TRIGGER rt_audit_chain BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION rt_audit_chain()",
    ]


def _chain_existing_rows(bind) -> None:
    audit = sa.table(
        "audit_event", sa.column("id"), sa.column("seq"), sa.column("prev_hash"), sa.column("hash"),
        sa.column("at", sa.DateTime(timezone=True)), sa.column("actor"), sa.column("action"),
        sa.column("entity_type"), sa.column("entity_id"), sa.column("batch_id"), sa.column("summary"),
        sa.column("details"),
    )
    rows = bind.execute(
        sa.select(
            audit.c.id, audit.c.at, audit.c.actor, audit.c.action, audit.c.entity_type, audit.c.entity_id,
            audit.c.batch_id, audit.c.summary, sa.cast(audit.c.details, sa.Text).label("details"),
        ).order_by(audit.c.id)
    ).all()
    prev, updates = GENESIS, []
    for seq, row in enumerate(rows, start=1):
        digest = _link(prev, seq, row.at, row.actor, row.action, row.entity_type, row.entity_id, row.batch_id,
                       row.summary, row.details)
        updates.append({"row_id": row.id, "s": seq, "p": prev, "h": digest})
        prev = digest
    statement = (
        audit.update().where(audit.c.id == sa.bindparam("row_id"))
        .values(seq=sa.bindparam("s"), prev_hash=sa.bindparam("p"), hash=sa.bindparam("h"))
    )
    for start in range(0, len(updates), 1000):
        bind.execute(statement, updates[start:start + 1000])


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_app_user_expert_id_expert')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('expert_id', name=op.f('uq_app_user_expert_id')),
    sa.UniqueConstraint('login', name=op.f('uq_app_user_login'))
    )
    op.create_table('user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('admin', 'staff', 'leader', 'expert', 'auditor', name='app_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_role_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_role'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seq', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.drop_constraint(batch_op.f('fk_audit_event_batch_id_batch'), type_='foreignkey')
    bind = op.get_bind()
    _chain_existing_rows(bind)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_seq'), ['seq'])
    # Plain ALTER TABLE on both engines (SQLite has ADD/DROP COLUMN): no table copy, whose DROP would
    # cascade into the tables referring to these.
    for table in VERSIONED_TABLES:
        op.add_column(table, sa.Column('row_version', sa.Integer(), server_default='1', nullable=False))
    if bind.dialect.name == "postgresql":
        schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
        for statement in _pg_functions(schema):
            bind.execute(sa.text(statement))


def downgrade() -> None:
    """Downgrade schema."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from reviewtool.storage import pg_security

        pg_security.remove(bind)
        bind.execute(sa.text("DROP TRIGGER IF EXISTS rt_audit_chain ON audit_event"))
        bind.execute(sa.text("DROP FUNCTION IF EXISTS rt_audit_chain()"))
        bind.execute(sa.text(
            "DROP FUNCTION IF EXISTS rt_audit_link(text, bigint, timestamptz, text, text, text, bigint, bigint, text, text)"
        ))
    for table in VERSIONED_TABLES:
        op.drop_column(table, 'row_version')
    # The foreign key comes back: a record of a batch that no longer exists keeps no batch.
    bind.execute(sa.text("UPDATE audit_event SET batch_id = NULL WHERE batch_id NOT IN (SELECT id FROM batch)"))
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_audit_event_batch_id_batch'), 'batch', ['batch_id'], ['id'], ondelete='SET NULL')
        batch_op.drop_constraint(batch_op.f('uq_audit_event_seq'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('prev_hash')
        batch_op.drop_column('seq')

    op.drop_table('user_role')
    op.drop_table('app_user')
