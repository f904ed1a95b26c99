"""simulations: saved policy simulations (reform, population, result)

Revision ID: 0011_simulations
Revises: 0004_profiles_updated_at
Create Date: 2026-12-03 11:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0011_simulations'
down_revision = '0004_profiles_updated_at'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'simulations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reform_id', sa.String(length=80), nullable=False),
        sa.Column('title_zh', sa.String(length=200), nullable=False),
        sa.Column('title_en', sa.String(length=200), nullable=False),
        sa.Column('reform_yaml', sa.Text(), nullable=False),
        sa.Column('population', sa.String(length=20), nullable=False),
        sa.Column('population_size', sa.Integer(), nullable=False),
        sa.Column('years', sa.Integer(), nullable=False),
        sa.Column('from_year', sa.Integer(), nullable=False),
        sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_simulations_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_simulations')),
    )
    with op.batch_alter_table('simulations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_simulations_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('simulations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_simulations_created_at'))
    op.drop_table('simulations')
