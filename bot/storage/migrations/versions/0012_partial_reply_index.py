"""The index of replies holds replies only: a family's message (no reply to anything) adds nothing.

Half of the stored messages are a family's, with no `in_reply_to`; both databases indexed them
anyway, so every inbound message paid an index insert for nothing and the index was twice the
size it needs at a million messages. The lookups (a retried webhook's replies, erasure's foreign
key checks) all ask for a given id, which the partial index answers.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

REPLIES = sa.text('in_reply_to IS NOT NULL')


def upgrade() -> None:
    op.drop_index('ix_message_in_reply_to', table_name='message')
    op.create_index('ix_message_in_reply_to', 'message', ['in_reply_to'],
                    postgresql_where=REPLIES, sqlite_where=REPLIES)


def downgrade() -> None:
    op.drop_index('ix_message_in_reply_to', table_name='message')
    op.create_index('ix_message_in_reply_to', 'message', ['in_reply_to'])
