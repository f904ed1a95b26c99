"""periodic_runs: one claim per periodic task and period (exactly-once periodic work)

Revision ID: 0005_tasks
Revises: 0004_profiles_updated_at
Create Date: 2026-12-03 10:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0005_tasks'
down_revision = '0004_profiles_updated_at'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'periodic_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('task', sa.String(length=64), nullable=False),
        sa.Column('period', sa.String(length=32), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_by', sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_periodic_runs')),
        sa.UniqueConstraint('task', 'period', name='uq_periodic_runs_task_period'),
    )


def downgrade() -> None:
    op.drop_table('periodic_runs')
