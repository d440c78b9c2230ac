"""batches: the minimum of valid sheets per application

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 23:30:00

Adds ``batch.min_sheets`` (default 3, DOMAIN.md: at least 3 valid reviews per
application). Existing batches get the default; the downgrade drops the
column and nothing else.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('batch', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('min_sheets', sa.Integer(), server_default='3', nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    # SQLite 3.35+ drops a column in place; copying the table (batch mode's
    # default) would trip the foreign keys that point at batch.
    with op.batch_alter_table('batch', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('min_sheets')
