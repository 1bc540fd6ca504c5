"""Opt-in alerts: subscriptions, broadcasts and which outbox rows carried them.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('region', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_alert_subscription_conversation_id', 'alert_subscription',
                    ['conversation_id'], unique=True)
    op.create_table('broadcast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('advocate_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('regions', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('audience', sa.Integer(), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('templated', sa.Integer(), nullable=False),
    sa.Column('skipped_opted_out', sa.Integer(), nullable=False),
    sa.Column('skipped_window', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Integer(), nullable=False),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stopped_by', sa.Integer(), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['advocate_id'], ['advocate.id']),
    sa.ForeignKeyConstraint(['stopped_by'], ['advocate.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_broadcast_advocate_id', 'broadcast', ['advocate_id'], unique=False)
    op.create_index('ix_broadcast_status', 'broadcast', ['status'], unique=False)
    op.create_table('broadcast_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('broadcast_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcast.id']),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id']),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_broadcast_delivery_broadcast_id', 'broadcast_delivery',
                    ['broadcast_id'], unique=False)
    op.create_index('ix_broadcast_delivery_conversation_id', 'broadcast_delivery',
                    ['conversation_id'], unique=False)
    op.create_index('ix_broadcast_delivery_outbox_id', 'broadcast_delivery', ['outbox_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_table('broadcast_delivery')
    op.drop_table('broadcast')
    op.drop_table('alert_subscription')
