"""Outbox delivery: worker claims, unconfirmed attempts, template fallback, sender throttle.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('unconfirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column('template_fallback', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at'], unique=False)
    op.create_table('outbox_sender',
    sa.Column('sender', sa.String(length=80), nullable=False),
    sa.Column('next_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sender')
    )


def downgrade() -> None:
    op.drop_table('outbox_sender')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
        batch_op.drop_column('template_fallback')
        batch_op.drop_column('unconfirmed_at')
        batch_op.drop_column('claimed_by')
