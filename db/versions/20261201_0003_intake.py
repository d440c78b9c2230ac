"""intake: column-mapping profiles

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 23:30:00

Adds ``intake_mapping_profile``: named mappings of a sheet's headers to the
import's fields, stored in the database so every workstation shares them.
A new table only; no existing row changes. The downgrade drops it.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'intake_mapping_profile',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_mapping_profile')),
        sa.UniqueConstraint('name', name=op.f('uq_intake_mapping_profile_name')),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('intake_mapping_profile')
