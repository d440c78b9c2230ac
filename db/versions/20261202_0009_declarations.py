"""experts' declarations: 回避 and the confidentiality commitment, once per stage

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:00:00

- New table ``review_declaration``: one row per expert and review stage,
  written when the expert accepts the 回避 declaration (the applications they
  must avoid, or none) and the 保密承诺 before their first sheet of the stage
  opens (``services/my_reviews``). Nothing existing changes.

The downgrade drops the table, and with it every declaration recorded (the
audit trail keeps one ``declaration.accept`` record of each).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('review_declaration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('conflicts', sa.JSON(), nullable=False),
    sa.Column('conflict_text', sa.Text(), nullable=False),
    sa.Column('confidentiality_text', sa.Text(), nullable=False),
    sa.Column('accepted_by', sa.String(length=64), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['expert_id'], ['expert.id'], name=op.f('fk_review_declaration_expert_id_expert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['review_stage.id'], name=op.f('fk_review_declaration_stage_id_review_stage'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_declaration')),
    sa.UniqueConstraint('stage_id', 'expert_id', name=op.f('uq_review_declaration_stage_id_expert_id'))
    )
    with op.batch_alter_table('review_declaration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_declaration_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_declaration_stage_id'), ['stage_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('review_declaration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_declaration_stage_id'))
        batch_op.drop_index(batch_op.f('ix_review_declaration_expert_id'))
    op.drop_table('review_declaration')
