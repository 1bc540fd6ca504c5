"""Machine translations of messages and advocates' original words; an advocate's reading language.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('message_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id', 'language', name='uq_message_translation')
    )
    op.create_index(op.f('ix_message_translation_message_id'), 'message_translation', ['message_id'], unique=False)
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reading_language', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.drop_column('reading_language')
    op.drop_index(op.f('ix_message_translation_message_id'), table_name='message_translation')
    op.drop_table('message_translation')
