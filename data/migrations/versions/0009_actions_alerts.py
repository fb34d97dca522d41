"""Action plans and alerts: action rules, action items and their history, the mail outbox and
notifications, and each user's e-mail address and alert preference.

The two ``app_user`` columns are added with plain ADD COLUMN (the CHECK inline on SQLite), not
batch mode: batch mode copies and drops the table, and every table refers to ``app_user``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 00:39:25.867972

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALERT_MODES = "alerts IN ('all', 'digest', 'off')"


def _add_checked_column(table: str, column: sa.Column, name: str, check: str) -> None:
    """ADD COLUMN with its CHECK: inline on SQLite (which cannot add a table constraint later)."""
    if op.get_bind().dialect.name == "sqlite":
        ddl = sa.schema.CreateColumn(column).compile(dialect=op.get_bind().dialect)
        op.execute(f"ALTER TABLE {table} ADD COLUMN {ddl} CONSTRAINT {name} CHECK ({check})")
    else:
        op.add_column(table, column)
        op.create_check_constraint(op.f(name), table, check)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('action_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=True),
    sa.Column('journey_id', sa.Integer(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind = 'critical' OR threshold IS NOT NULL", name=op.f('ck_action_rule_threshold_needed')),
    sa.CheckConstraint("kind IN ('critical', 'score', 'late', 'gap')", name=op.f('ck_action_rule_kind')),
    sa.CheckConstraint('due_days >= 0', name=op.f('ck_action_rule_due_days_not_negative')),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_action_rule_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_action_rule_created_by_id_app_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['journey_id'], ['journey.id'], name=op.f('fk_action_rule_journey_id_journey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_action_rule_owner_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_rule'))
    )
    with op.batch_alter_table('action_rule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_rule_brand_id'), ['brand_id'], unique=False)

    op.create_table('outbox_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.String(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent')", name=op.f('ck_outbox_mail_status')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_mail_attempts_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_outbox_mail_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mail')),
    sa.UniqueConstraint('key', name=op.f('uq_outbox_mail_key'))
    )
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_mail_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_mail_user_id'), ['user_id'], unique=False)

    op.create_table('action_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.Integer(), nullable=False),
    sa.Column('finding_key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('criterion_id', sa.Integer(), nullable=True),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('journey_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=True),
    sa.Column('wave_id', sa.Integer(), nullable=True),
    sa.Column('measured', sa.Float(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('status_reason', sa.String(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('verified_at', sa.DateTime(), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('critical', 'score', 'late', 'gap')", name=op.f('ck_action_item_kind')),
    sa.CheckConstraint("status <> 'rejected' OR length(trim(status_reason)) > 0", name=op.f('ck_action_item_rejected_with_reason')),
    sa.CheckConstraint("status IN ('open', 'progress', 'done', 'verified', 'rejected')", name=op.f('ck_action_item_status')),
    sa.ForeignKeyConstraint(['brand_id'], ['brand.id'], name=op.f('fk_action_item_brand_id_brand'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], name=op.f('fk_action_item_channel_id_channel'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_action_item_contact_id_contact'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_action_item_criterion_id_criterion'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['journey_id'], ['journey.id'], name=op.f('fk_action_item_journey_id_journey'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_action_item_location_id_location'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['app_user.id'], name=op.f('fk_action_item_owner_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rule_id'], ['action_rule.id'], name=op.f('fk_action_item_rule_id_action_rule'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['app_user.id'], name=op.f('fk_action_item_verified_by_id_app_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_action_item_wave_id_wave'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_item')),
    sa.UniqueConstraint('rule_id', 'finding_key', name='uq_action_item_finding')
    )
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_item_brand_id'), ['brand_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_rule_id'), ['rule_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_item_status'), ['status'], unique=False)

    op.create_table('action_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.String(length=10), nullable=True),
    sa.Column('to_status', sa.String(length=10), nullable=True),
    sa.Column('text', sa.String(), nullable=False),
    sa.CheckConstraint('(from_status IS NULL) = (to_status IS NULL)', name=op.f('ck_action_event_status_pair')),
    sa.CheckConstraint('to_status IS NOT NULL OR length(trim(text)) > 0', name=op.f('ck_action_event_comment_not_empty')),
    sa.ForeignKeyConstraint(['action_id'], ['action_item.id'], name=op.f('fk_action_event_action_id_action_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_action_event_user_id_app_user'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_event'))
    )
    with op.batch_alter_table('action_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_event_action_id'), ['action_id'], unique=False)

    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('appeal_id', sa.Integer(), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('mail_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('action', 'due_soon', 'overdue', 'appeal')", name=op.f('ck_notification_kind')),
    sa.ForeignKeyConstraint(['action_id'], ['action_item.id'], name=op.f('fk_notification_action_id_action_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['appeal_id'], ['appeal.id'], name=op.f('fk_notification_appeal_id_appeal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mail_id'], ['outbox_mail.id'], name=op.f('fk_notification_mail_id_outbox_mail'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_notification_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
    sa.UniqueConstraint('key', name=op.f('uq_notification_key'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_mail_id'), ['mail_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.add_column('app_user', sa.Column('email', sa.String(length=254), server_default='', nullable=False))
    _add_checked_column('app_user', sa.Column('alerts', sa.String(length=8), server_default='all', nullable=False),
                        'ck_app_user_alerts', ALERT_MODES)



def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f('ck_app_user_alerts'), 'app_user', type_='check')
    for column in ('alerts', 'email'):
        op.execute(f"ALTER TABLE app_user DROP COLUMN {column}")

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.drop_index(batch_op.f('ix_notification_mail_id'))

    op.drop_table('notification')
    with op.batch_alter_table('action_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_event_action_id'))

    op.drop_table('action_event')
    with op.batch_alter_table('action_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_item_status'))
        batch_op.drop_index(batch_op.f('ix_action_item_rule_id'))
        batch_op.drop_index(batch_op.f('ix_action_item_owner_id'))
        batch_op.drop_index(batch_op.f('ix_action_item_contact_id'))
        batch_op.drop_index(batch_op.f('ix_action_item_brand_id'))

    op.drop_table('action_item')
    with op.batch_alter_table('outbox_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_mail_user_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_mail_status'))

    op.drop_table('outbox_mail')
    with op.batch_alter_table('action_rule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_rule_brand_id'))

    op.drop_table('action_rule')
