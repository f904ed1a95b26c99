"""employers.industry (GB/T 4754-2017 section), the programme's precomputed figures, jobs.created_at index
(issue 12, item 5)

Revision ID: 0016_employer_industry
Revises: 0004_profiles_updated_at
"""

import sqlalchemy as sa
from alembic import op

revision = '0016_employer_industry'
down_revision = '0004_profiles_updated_at'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('industry', sa.String(length=1), nullable=True))
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_created_at', ['created_at'], unique=False)
    op.create_table('programme_figures',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=6), nullable=False),
    sa.Column('industry', sa.String(length=1), nullable=False),
    sa.Column('education', sa.String(length=10), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.Column('headcount', sa.Integer(), nullable=False),
    sa.Column('applications', sa.Integer(), nullable=False),
    sa.Column('interviews', sa.Integer(), nullable=False),
    sa.Column('offers', sa.Integer(), nullable=False),
    sa.Column('hires', sa.Integer(), nullable=False),
    sa.Column('retained', sa.Integer(), nullable=False),
    sa.Column('left', sa.Integer(), nullable=False),
    sa.Column('asked', sa.Integer(), nullable=False),
    sa.Column('pending', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'district', 'industry', 'education', name=op.f('pk_programme_figures'))
    )
    op.create_table('programme_figure_refreshes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_figure_refreshes'))
    )


def downgrade() -> None:
    op.drop_table('programme_figure_refreshes')
    op.drop_table('programme_figures')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_created_at')
    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.drop_column('industry')
