"""graduate_profiles: index updated_at (the candidate pool lists profiles newest first)

Revision ID: 0004_profiles_updated_at
Revises: 0003_jobs
Create Date: 2026-11-27 17:11:21.000000
"""

from alembic import op

# At most 32 characters: alembic_version.version_num is VARCHAR(32).
revision = '0004_profiles_updated_at'
down_revision = '0003_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('graduate_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_graduate_profiles_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('graduate_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_graduate_profiles_updated_at'))
