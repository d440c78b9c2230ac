"""documents: the bureau's Word templates

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 23:30:00

Adds the table ``document_template`` (one .docx per document the bureau
replaces). The per-batch notice settings live in ``batch.settings`` JSON and
need no schema change. Nothing existing is touched; the downgrade drops the
new table only (installed templates are lost, the built-in ones remain).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('document_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('installed_by', sa.String(length=64), nullable=False),
    sa.Column('installed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_template')),
    sa.UniqueConstraint('document', name=op.f('uq_document_template_document'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('document_template')
