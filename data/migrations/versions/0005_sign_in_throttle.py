"""Sign-in throttle: failed sign-ins per typed username (account-wide delay, lock per source).

Replaces ``app_user.failed_logins`` and ``app_user.locked_until``: kept on the account row, the
count existed only for real accounts (so an unknown username answered differently) and one
lock covered every source (so anyone could lock anyone out). Counts in flight are dropped:
at worst an attacker's count starts afresh, and every lock is lifted once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 20:17:56.675864

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('sign_in_throttle',
    sa.Column('username_sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('failed_logins >= 0', name=op.f('ck_sign_in_throttle_failed_logins_not_negative')),
    sa.CheckConstraint('length(username_sha256) = 64', name=op.f('ck_sign_in_throttle_username_sha256_length')),
    sa.PrimaryKeyConstraint('username_sha256', 'source', name=op.f('pk_sign_in_throttle'))
    )
    with op.batch_alter_table('sign_in_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttle_updated_at'), ['updated_at'], unique=False)

    # A plain DROP COLUMN (SQLite >= 3.35, PostgreSQL), not batch mode: batch mode would copy and
    # drop app_user, which every other table refers to (auth sessions would cascade away).
    op.execute("ALTER TABLE app_user DROP COLUMN failed_logins")
    op.execute("ALTER TABLE app_user DROP COLUMN locked_until")


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("ALTER TABLE app_user ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0")
    op.execute(f"ALTER TABLE app_user ADD COLUMN locked_until {'TIMESTAMP' if op.get_bind().dialect.name == 'postgresql' else 'DATETIME'}")
    with op.batch_alter_table('sign_in_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_throttle_updated_at'))

    op.drop_table('sign_in_throttle')
