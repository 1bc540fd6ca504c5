"""Operators' running totals (escalations, refused logins) and whom an audit entry is about.

Revision ID: 0011
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'tally',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=48), nullable=False),
        sa.Column('label', sa.String(length=32), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name', 'label', name='uq_tally'),
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_audit_log_subject_id_advocate', 'advocate', ['subject_id'], ['id']
        )


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_constraint('fk_audit_log_subject_id_advocate', type_='foreignkey')
        batch_op.drop_column('subject_id')
    op.drop_table('tally')
