"""Court hearings on cases (encrypted details), and whether an advocate's first name is shared.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hearing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['recorded_by'], ['advocate.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_hearing_case_id', 'hearing', ['case_id'], unique=False)
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('share_first_name', sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table('advocate', schema=None) as batch_op:
        batch_op.drop_column('share_first_name')
    op.drop_index('ix_hearing_case_id', table_name='hearing')
    op.drop_table('hearing')
