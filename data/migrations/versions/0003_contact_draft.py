"""Drafts: a contact's assessment can be saved incomplete (``contact.is_draft``), and what an
auditor typed but did not save yet is kept server-side (``pending_input``).

Existing contacts are not drafts: they were saved complete or imported, and keep counting.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_draft', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table('pending_input',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('values_json', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_pending_input_contact_id_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_pending_input_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', 'user_id', name=op.f('pk_pending_input'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('pending_input')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.drop_column('is_draft')
