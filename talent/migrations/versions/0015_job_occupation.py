"""CSCO-2022 occupation code on job posts (suggested by the platform, confirmed or changed by the employer)

Revision ID: 0015_job_occupation
Revises: 0004_profiles_updated_at
Create Date: 2026-12-03 13:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0015_job_occupation'
down_revision = '0004_profiles_updated_at'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occupation_code', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('occupation_confirmed', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_jobs_occupation_code'), ['occupation_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_occupation_code'))
        batch_op.drop_column('occupation_confirmed')
        batch_op.drop_column('occupation_code')
