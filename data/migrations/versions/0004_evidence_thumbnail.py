"""Evidence thumbnails: a bounded copy of each image, made once, so pages never decode originals.

Existing rows keep null columns: the first view makes the thumbnail (with the same pixel limit
as an upload) or records why the file cannot be shown. Decoding every stored image here would
make the upgrade, which runs when the app starts, as slow and memory-hungry as the views were.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thumbnail', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('thumbnail_media_type', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('preview_problem', sa.String(length=500), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('preview_problem')
        batch_op.drop_column('thumbnail_media_type')
        batch_op.drop_column('thumbnail')
