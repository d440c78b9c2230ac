"""call workflow: invitations, draw rules, pre-filled formal review, 公示 and objections

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 02:00:00

- ``panel_member`` gains the invitation (``invitation``: pending / confirmed /
  declined, ``answered_on``, ``answered_by``, ``answer_note``). Members that
  exist before this migration were already serving, so they become
  ``confirmed`` (a member who had declined becomes ``declined``); their
  answer date stays empty (it was never recorded).
- ``panel_draw`` gains ``rule`` (rotation and the yearly cap with the review
  counts used); earlier draws get ``{}``: a plain draw, replayed as before.
- ``formal_check_result`` gains ``suggested``, ``evidence`` and
  ``override_reason`` (what the data decided, and why staff differed).
- New tables ``publicity`` (公示, the frozen list and the final decisions) and
  ``objection`` (异议).

The downgrade drops exactly what the upgrade added: the invitation answers,
the draw rules, the formal-review suggestions, every 公示 and objection.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation', _enum('invitation', 'pending', 'confirmed', 'declined'),
                                      server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('answered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('answered_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('answer_note', sa.Text(), nullable=True))
    op.execute(
        "UPDATE panel_member SET invitation = CASE WHEN status = 'declined' THEN 'declined' ELSE 'confirmed' END"
    )
    with op.batch_alter_table('panel_draw', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sa.JSON(), nullable=True))
    op.execute("UPDATE panel_draw SET rule = '{}'")
    with op.batch_alter_table('panel_draw', schema=None) as batch_op:
        batch_op.alter_column('rule', existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table('formal_check_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggested', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('evidence', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('override_reason', sa.Text(), nullable=True))
    op.create_table('publicity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('status', _enum('publicity_status', 'open', 'closed'), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('opened_by', sa.String(length=64), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by', sa.String(length=64), nullable=True),
    sa.Column('closing_note', sa.Text(), nullable=True),
    sa.Column('decisions', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batch.id'], name=op.f('fk_publicity_batch_id_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publicity')),
    sa.UniqueConstraint('batch_id', name=op.f('uq_publicity_batch_id'))
    )
    op.create_table('objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('lodged_by', sa.String(length=200), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('handling', sa.Text(), nullable=False),
    sa.Column('outcome', _enum('objection_outcome', 'pending', 'upheld', 'rejected', 'withdrawn'), nullable=False),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('review_stage_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_objection_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['batch_id'], ['batch.id'], name=op.f('fk_objection_batch_id_batch'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objection'))
    )
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objection_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objection_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objection_outcome'), ['outcome'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objection_outcome'))
        batch_op.drop_index(batch_op.f('ix_objection_batch_id'))
        batch_op.drop_index(batch_op.f('ix_objection_application_id'))
    op.drop_table('objection')
    op.drop_table('publicity')
    with op.batch_alter_table('formal_check_result', schema=None) as batch_op:
        batch_op.drop_column('override_reason')
        batch_op.drop_column('evidence')
        batch_op.drop_column('suggested')
    with op.batch_alter_table('panel_draw', schema=None) as batch_op:
        batch_op.drop_column('rule')
    with op.batch_alter_table('panel_member', schema=None) as batch_op:
        # The CHECK of the enum goes first (SQLite's batch copy would keep it, naming a dropped column).
        batch_op.drop_constraint(op.f('ck_panel_member_invitation'), type_='check')
        batch_op.drop_column('answer_note')
        batch_op.drop_column('answered_by')
        batch_op.drop_column('answered_on')
        batch_op.drop_column('invitation')
