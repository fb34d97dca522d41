"""Each contact's stored quality score (``contact_score``, kept by ``journeys.fieldwork.scores``).

The dashboards and reports read it instead of re-scoring every answer. The migration only makes
the table (the data layer knows no scoring): ``klantreis migrate`` then stores the score of every
contact that has none, and until then a contact without one is scored from its answers when read.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:59:55.917615

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('contact_score',
    sa.Column('contact_id', sa.Integer(), nullable=False),
    sa.Column('raw_score', sa.Float(), nullable=True),
    sa.Column('final_score', sa.Float(), nullable=True),
    sa.Column('critical_fail', sa.Boolean(), nullable=False),
    sa.Column('knockout', sa.String(length=12), nullable=False),
    sa.Column('possible_points', sa.Float(), nullable=False),
    sa.Column('earned_points', sa.Float(), nullable=False),
    sa.Column('bonus_points', sa.Float(), nullable=False),
    sa.Column('applicable_items', sa.Integer(), nullable=False),
    sa.Column('scored_items', sa.Integer(), nullable=False),
    sa.Column('na_items', sa.Integer(), nullable=False),
    sa.Column('missing_items', sa.Integer(), nullable=False),
    sa.CheckConstraint("knockout IN ('none', 'zero_section', 'flag_fail', 'zero_contact')", name=op.f('ck_contact_score_knockout')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_contact_score_contact_id_contact'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', name=op.f('pk_contact_score'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('contact_score')
