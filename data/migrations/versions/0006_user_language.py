"""The user's language: ``app_user.language``, the code of the language the app speaks to them.

Nullable: an account that never chose one follows the browser's language, then the
installation's default (`KLANTREIS_LANGUAGE`). A plain ADD COLUMN (SQLite and PostgreSQL), not
batch mode: batch mode would copy and drop app_user, which every other table refers to.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:30:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('app_user', sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TABLE app_user DROP COLUMN language")
