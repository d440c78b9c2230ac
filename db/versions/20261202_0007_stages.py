"""review stages: every panel, assignment, sheet and result belongs to a stage

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 02:00:00

Adds ``review_stage`` (a batch's ordered 评审阶段: 形式审查, 网络评审, 会议评审 …)
and ``stage_application`` (the applications promoted into a later stage), and
a ``stage_id`` on ``panel``, ``assignment``, ``score_sheet``, ``panel_result``
(now keyed by stage and application, so every stage keeps its results) and
``batch_rubric`` (a stage's own rubric, optional).

**Upgrade.** Every batch gets two stages: 形式审查 (position 0, formal;
finalised when no application of the batch is still waiting for formal
review) and 网络评审 (position 1, expert; finalised when the batch has panels
and all are finalised). Every panel, assignment, score sheet and panel result
of the batch moves into its 网络评审 stage; votes follow their panels. The
applications that passed formal review are in that first expert stage by
rule (no rows needed). No row is lost or changed otherwise; audit records are
not touched.

**Downgrade.** The old schema holds one review per application, so it keeps
the data of each batch's *first* expert stage (the one the upgrade filled).
When a batch has data in later expert stages (会议评审, 复审 …), the downgrade
**deletes** those stages' panels (with their members, draws, assignments and
votes), score sheets and results, printing one line per batch on standard
error with what it drops; ``application.panel_score`` is set back to the
first expert stage's final score. Take a backup first
(``reviewtool-cli backup``). Audit records stay.

SQLite cannot alter a table's constraints in place, and with foreign keys on
(as the app always runs) copying a table that others point at would cascade
the delete to their rows. ``_sqlite_rebuild`` therefore sets the rows of every
table that points at the copied one aside first and puts them back after.
"""
import datetime as dt
import sys
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STAGE_KIND = sa.Enum('formal', 'expert', name='stage_kind', native_enum=False, create_constraint=True, length=32)
STAGE_MODE = sa.Enum('remote', 'meeting', name='stage_mode', native_enum=False, create_constraint=True, length=32)
STAGE_STATUS = sa.Enum(
    'pending', 'open', 'finalised', name='stage_status', native_enum=False, create_constraint=True, length=32
)
STAGE_ENTRY = sa.Enum(
    'all', 'top_n', 'min_score', 'manual', 'objection', name='stage_entry', native_enum=False,
    create_constraint=True, length=32,
)

stage_t = sa.table(
    'review_stage',
    sa.column('id', sa.Integer), sa.column('batch_id', sa.Integer), sa.column('position', sa.Integer),
    sa.column('name', sa.String), sa.column('kind', sa.String), sa.column('mode', sa.String),
    sa.column('status', sa.String), sa.column('settings', sa.JSON),
    sa.column('finalized_at', sa.DateTime(timezone=True)), sa.column('finalized_by', sa.String),
    sa.column('created_at', sa.DateTime(timezone=True)),
)


panel_t = sa.table(
    'panel',
    sa.column('batch_id', sa.Integer), sa.column('status', sa.String),
    sa.column('finalized_at', sa.DateTime(timezone=True)), sa.column('finalized_by', sa.String),
)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _dependents(bind, table: str) -> list[str]:
    """Tables that point at ``table``, directly or through each other, parents first."""
    inspector = sa.inspect(bind)
    parents = {
        name: {fk['referred_table'] for fk in inspector.get_foreign_keys(name) if fk['referred_table'] != name}
        for name in inspector.get_table_names()
    }
    found: list[str] = []
    frontier = [table]
    while frontier:
        current = frontier.pop()
        for name, refs in parents.items():
            if current in refs and name not in found and name != table:
                found.append(name)
                frontier.append(name)
    ordered: list[str] = []
    while len(ordered) < len(found):  # parents before children
        for name in found:
            if name not in ordered and not (parents[name] & set(found)) - set(ordered):
                ordered.append(name)
    return ordered


def _alter(table: str, change, *, copy: bool = True) -> None:
    """Run ``change(batch_op)`` on ``table``: plain ALTERs on PostgreSQL; on
    SQLite a copy of the table, with the rows of every dependent table set aside
    and put back (their foreign keys would otherwise cascade the copy's DROP)."""
    if not _is_sqlite():
        with op.batch_alter_table(table) as batch_op:
            change(batch_op)
        return
    bind = op.get_bind()
    dependents = _dependents(bind, table) if copy else []
    for name in dependents:
        op.execute(f'CREATE TEMP TABLE "_keep_{name}" AS SELECT * FROM "{name}"')
    for name in reversed(dependents):
        op.execute(f'DELETE FROM "{name}"')
    with op.batch_alter_table(table, recreate='always') as batch_op:
        change(batch_op)
    for name in dependents:
        op.execute(f'INSERT INTO "{name}" SELECT * FROM "_keep_{name}"')
        op.execute(f'DROP TABLE "_keep_{name}"')
    problems = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if problems:
        raise RuntimeError(f'migration 0007: foreign keys broken after copying {table}: {problems[:5]}')


def _add_nullable(table: str, column: str = 'stage_id') -> None:
    with op.batch_alter_table(table, recreate='never') as batch_op:
        batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))


def _create_stages() -> None:
    bind = op.get_bind()
    now = dt.datetime.now(dt.timezone.utc)
    batches = bind.execute(sa.text('SELECT id FROM batch ORDER BY id')).scalars().all()
    for batch_id in batches:
        waiting = bind.execute(
            sa.text("SELECT count(*) FROM application WHERE batch_id = :b AND status = 'received'"), {'b': batch_id}
        ).scalar_one()
        apps = bind.execute(sa.text('SELECT count(*) FROM application WHERE batch_id = :b'), {'b': batch_id}).scalar_one()
        panels = bind.execute(
            sa.select(panel_t.c.status, panel_t.c.finalized_at, panel_t.c.finalized_by)
            .where(panel_t.c.batch_id == batch_id)
            .order_by(panel_t.c.finalized_at)
        ).all()
        expert_done = bool(panels) and all(p.status == 'finalized' for p in panels)
        bind.execute(
            stage_t.insert(),
            [
                {
                    'batch_id': batch_id, 'position': 0, 'name': '形式审查', 'kind': 'formal', 'mode': 'remote',
                    'status': 'finalised' if apps and not waiting else 'open', 'settings': {},
                    'finalized_at': None, 'finalized_by': None, 'created_at': now,
                },
                {
                    'batch_id': batch_id, 'position': 1, 'name': '网络评审', 'kind': 'expert', 'mode': 'remote',
                    'status': 'finalised' if expert_done else 'open', 'settings': {},
                    'finalized_at': panels[-1].finalized_at if expert_done else None,
                    'finalized_by': panels[-1].finalized_by if expert_done else None, 'created_at': now,
                },
            ],
        )


FIRST_EXPERT = (
    "(SELECT s.id FROM review_stage s WHERE s.batch_id = {batch} AND s.kind = 'expert' "
    "ORDER BY s.position LIMIT 1)"
)
APP_BATCH = '(SELECT a.batch_id FROM application a WHERE a.id = {table}.application_id)'


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'review_stage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('kind', STAGE_KIND, nullable=False),
        sa.Column('mode', STAGE_MODE, nullable=False),
        sa.Column('status', STAGE_STATUS, nullable=False),
        sa.Column('settings', sa.JSON(), nullable=False),
        sa.Column('finalized_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finalized_by', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['batch.id'], name=op.f('fk_review_stage_batch_id_batch'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_stage')),
        sa.UniqueConstraint('batch_id', 'name', name=op.f('uq_review_stage_batch_id_name')),
        sa.UniqueConstraint('batch_id', 'position', name=op.f('uq_review_stage_batch_id_position')),
    )
    op.create_index(op.f('ix_review_stage_batch_id'), 'review_stage', ['batch_id'], unique=False)
    op.create_table(
        'stage_application',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stage_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('how', STAGE_ENTRY, nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('entered_by', sa.String(length=64), nullable=False),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'],
                                name=op.f('fk_stage_application_application_id_application'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['stage_id'], ['review_stage.id'],
                                name=op.f('fk_stage_application_stage_id_review_stage'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_application')),
        sa.UniqueConstraint('stage_id', 'application_id', name=op.f('uq_stage_application_stage_id_application_id')),
    )
    op.create_index(op.f('ix_stage_application_application_id'), 'stage_application', ['application_id'])
    op.create_index(op.f('ix_stage_application_stage_id'), 'stage_application', ['stage_id'])

    _create_stages()

    # Fill the new columns: everything into the batch's first expert stage (网络评审).
    for table in ('panel', 'assignment', 'score_sheet', 'panel_result'):
        _add_nullable(table)
    op.execute(f"UPDATE panel SET stage_id = {FIRST_EXPERT.format(batch='panel.batch_id')}")
    op.execute(
        'UPDATE assignment SET stage_id = (SELECT p.stage_id FROM panel p WHERE p.id = assignment.panel_id) '
        'WHERE panel_id IS NOT NULL'
    )
    for table in ('assignment', 'score_sheet', 'panel_result'):
        batch = APP_BATCH.format(table=table)
        op.execute(f'UPDATE {table} SET stage_id = {FIRST_EXPERT.format(batch=batch)} WHERE stage_id IS NULL')

    def panel_change(b):
        b.alter_column('stage_id', existing_type=sa.Integer(), nullable=False)
        b.create_foreign_key(b.f('fk_panel_stage_id_review_stage'), 'review_stage', ['stage_id'], ['id'])
        b.create_index(b.f('ix_panel_stage_id'), ['stage_id'], unique=False)

    def assignment_change(b):
        b.alter_column('stage_id', existing_type=sa.Integer(), nullable=False)
        b.drop_constraint(b.f('uq_assignment_application_id_expert_id'), type_='unique')
        b.create_unique_constraint(
            b.f('uq_assignment_stage_id_application_id_expert_id'), ['stage_id', 'application_id', 'expert_id']
        )
        b.create_foreign_key(b.f('fk_assignment_stage_id_review_stage'), 'review_stage', ['stage_id'], ['id'])
        b.create_index(b.f('ix_assignment_stage_id'), ['stage_id'], unique=False)

    def sheet_change(b):
        b.alter_column('stage_id', existing_type=sa.Integer(), nullable=False)
        b.drop_constraint(b.f('uq_score_sheet_application_id_reviewer_id_rubric_version_id'), type_='unique')
        b.create_unique_constraint(
            b.f('uq_score_sheet_stage_id_application_id_reviewer_id_rubric_version_id'),
            ['stage_id', 'application_id', 'reviewer_id', 'rubric_version_id'],
        )
        b.create_foreign_key(b.f('fk_score_sheet_stage_id_review_stage'), 'review_stage', ['stage_id'], ['id'])
        b.create_index(b.f('ix_score_sheet_stage_id'), ['stage_id'], unique=False)

    def result_change(b):
        b.alter_column('stage_id', existing_type=sa.Integer(), nullable=False)
        b.drop_constraint('pk_panel_result', type_='primary')
        b.create_primary_key('pk_panel_result', ['stage_id', 'application_id'])
        b.create_foreign_key(
            b.f('fk_panel_result_stage_id_review_stage'), 'review_stage', ['stage_id'], ['id'], ondelete='CASCADE'
        )

    def rubric_change(b):
        b.add_column(sa.Column('stage_id', sa.Integer(), nullable=True))
        b.create_foreign_key(
            b.f('fk_batch_rubric_stage_id_review_stage'), 'review_stage', ['stage_id'], ['id'], ondelete='CASCADE'
        )

    _alter('panel', panel_change)
    _alter('assignment', assignment_change)
    _alter('score_sheet', sheet_change)
    _alter('panel_result', result_change)
    _alter('batch_rubric', rubric_change)


def _drop_later_stages() -> None:
    """Delete the data of every expert stage after each batch's first one (see the docstring)."""
    bind = op.get_bind()
    keep = {
        batch_id: stage_id
        for batch_id, stage_id in bind.execute(
            sa.text(
                "SELECT batch_id, id FROM review_stage s WHERE kind = 'expert' AND position = "
                "(SELECT min(position) FROM review_stage t WHERE t.batch_id = s.batch_id AND t.kind = 'expert')"
            )
        )
    }
    names = {b: n for b, n in bind.execute(sa.text('SELECT id, name FROM batch'))}
    for stage_id, batch_id, name in bind.execute(
        sa.text('SELECT id, batch_id, name FROM review_stage ORDER BY batch_id, position')
    ).all():
        if keep.get(batch_id) == stage_id:
            continue
        params = {'s': stage_id}
        counts = {
            what: bind.execute(sa.text(sql), params).scalar_one()
            for what, sql in (
                ('panels', 'SELECT count(*) FROM panel WHERE stage_id = :s'),
                ('sheets', 'SELECT count(*) FROM score_sheet WHERE stage_id = :s'),
                ('results', 'SELECT count(*) FROM panel_result WHERE stage_id = :s'),
                ('assignments', 'SELECT count(*) FROM assignment WHERE stage_id = :s'),
                ('votes', 'SELECT count(*) FROM meeting_vote WHERE panel_id IN '
                          '(SELECT id FROM panel WHERE stage_id = :s)'),
            )
        }
        if any(counts.values()):
            detail = ', '.join(f'{v} {k}' for k, v in counts.items() if v)
            print(f'migration 0007 downgrade: batch {names.get(batch_id, batch_id)}: dropping stage {name} '
                  f'({detail})', file=sys.stderr)
        sheets = 'SELECT id FROM score_sheet WHERE stage_id = :s'
        panels = 'SELECT id FROM panel WHERE stage_id = :s'
        for sql in (
            f'DELETE FROM criterion_score WHERE sheet_id IN ({sheets})',
            f'DELETE FROM veto_answer WHERE sheet_id IN ({sheets})',
            'DELETE FROM score_sheet WHERE stage_id = :s',
            'DELETE FROM panel_result WHERE stage_id = :s',
            'DELETE FROM assignment WHERE stage_id = :s',
            'DELETE FROM batch_rubric WHERE stage_id = :s',
            f'UPDATE score_sheet SET panel_id = NULL WHERE panel_id IN ({panels})',
            f'DELETE FROM meeting_vote WHERE panel_id IN ({panels})',
            f'DELETE FROM panel_member WHERE panel_id IN ({panels})',
            f'DELETE FROM panel_draw WHERE panel_id IN ({panels})',
            f'DELETE FROM panel_application WHERE panel_id IN ({panels})',
            'DELETE FROM panel WHERE stage_id = :s',
        ):
            bind.execute(sa.text(sql), params)
    bind.execute(
        sa.text(
            'UPDATE application SET panel_score = (SELECT r.final_score FROM panel_result r '
            'WHERE r.application_id = application.id)'
        )
    )


def downgrade() -> None:
    """Downgrade schema."""
    _drop_later_stages()

    def rubric_change(b):
        b.drop_constraint(b.f('fk_batch_rubric_stage_id_review_stage'), type_='foreignkey')
        b.drop_column('stage_id')

    def result_change(b):
        b.drop_constraint(b.f('fk_panel_result_stage_id_review_stage'), type_='foreignkey')
        b.drop_constraint('pk_panel_result', type_='primary')
        b.create_primary_key('pk_panel_result', ['application_id'])
        b.drop_column('stage_id')

    def sheet_change(b):
        b.drop_index(b.f('ix_score_sheet_stage_id'))
        b.drop_constraint(b.f('fk_score_sheet_stage_id_review_stage'), type_='foreignkey')
        b.drop_constraint(b.f('uq_score_sheet_stage_id_application_id_reviewer_id_rubric_version_id'), type_='unique')
        b.create_unique_constraint(
            b.f('uq_score_sheet_application_id_reviewer_id_rubric_version_id'),
            ['application_id', 'reviewer_id', 'rubric_version_id'],
        )
        b.drop_column('stage_id')

    def assignment_change(b):
        b.drop_index(b.f('ix_assignment_stage_id'))
        b.drop_constraint(b.f('fk_assignment_stage_id_review_stage'), type_='foreignkey')
        b.drop_constraint(b.f('uq_assignment_stage_id_application_id_expert_id'), type_='unique')
        b.create_unique_constraint(b.f('uq_assignment_application_id_expert_id'), ['application_id', 'expert_id'])
        b.drop_column('stage_id')

    def panel_change(b):
        b.drop_index(b.f('ix_panel_stage_id'))
        b.drop_constraint(b.f('fk_panel_stage_id_review_stage'), type_='foreignkey')
        b.drop_column('stage_id')

    _alter('batch_rubric', rubric_change)
    _alter('panel_result', result_change)
    _alter('score_sheet', sheet_change)
    _alter('assignment', assignment_change)
    _alter('panel', panel_change)
    op.drop_index(op.f('ix_stage_application_stage_id'), table_name='stage_application')
    op.drop_index(op.f('ix_stage_application_application_id'), table_name='stage_application')
    op.drop_table('stage_application')
    op.drop_index(op.f('ix_review_stage_batch_id'), table_name='review_stage')
    op.drop_table('review_stage')
