"""Numbers for organizers: the purge's daily counts, and indexes that bound the stats by date.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_conversation_created_at', 'conversation', ['created_at']),
    ('ix_cases_created_at', 'cases', ['created_at']),
    ('ix_cases_closed_at', 'cases', ['closed_at']),
    ('ix_case_event_kind_at', 'case_event', ['kind', 'at']),
    ('ix_message_created_at', 'message', ['created_at']),
    ('ix_outbox_created_at', 'outbox', ['created_at']),
)


def upgrade() -> None:
    op.create_table(
        'daily_count',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('language', sa.String(length=16), nullable=False),
        sa.Column('metric', sa.String(length=32), nullable=False),
        sa.Column('detail', sa.String(length=64), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('day', 'language', 'metric', 'detail', name='uq_daily_count'),
    )
    op.create_index('ix_daily_count_day', 'daily_count', ['day'])
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index('ix_daily_count_day', table_name='daily_count')
    op.drop_table('daily_count')
