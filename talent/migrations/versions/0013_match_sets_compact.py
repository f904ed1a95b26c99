"""compact stored matches: each graduate's set in one row of match_sets (post ids and scores as arrays);
stored_matches (50 rows per graduate with the reasons as JSON text) goes

Revision ID: 0013_match_sets_compact
Revises: 0006_stored_matches
Create Date: 2026-12-03 13:40:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0013_match_sets_compact'
down_revision = '0006_stored_matches'
branch_labels = None
depends_on = None

ID_ARRAY = sa.JSON().with_variant(postgresql.ARRAY(sa.Integer()), 'postgresql')
SCORE_ARRAY = sa.JSON().with_variant(postgresql.ARRAY(sa.Float()), 'postgresql')


def upgrade() -> None:
    # Stored sets are a cache of the model's ranking: they are dropped here and the next `talent match refresh`
    # (or the nightly one) stores them again; until then matches are ranked online against the recent posts.
    op.drop_index('ix_stored_matches_job_id_score', table_name='stored_matches')
    op.drop_table('stored_matches')
    op.execute('DELETE FROM match_sets')
    with op.batch_alter_table('match_sets') as batch:
        batch.add_column(sa.Column('job_ids', ID_ARRAY, nullable=False))
        batch.add_column(sa.Column('scores', SCORE_ARRAY, nullable=False))
    op.create_index('ix_match_sets_job_ids', 'match_sets', ['job_ids'], unique=False, postgresql_using='gin')


def downgrade() -> None:
    op.drop_index('ix_match_sets_job_ids', table_name='match_sets')
    op.execute('DELETE FROM match_sets')
    with op.batch_alter_table('match_sets') as batch:
        batch.drop_column('scores')
        batch.drop_column('job_ids')
    op.create_table('stored_matches',
    sa.Column('graduate_profile_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('rank', sa.SmallInteger(), autoincrement=False, nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['graduate_profile_id'], ['match_sets.graduate_profile_id'],
                            name=op.f('fk_stored_matches_graduate_profile_id_match_sets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_stored_matches_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('graduate_profile_id', 'rank', name=op.f('pk_stored_matches'))
    )
    op.create_index('ix_stored_matches_job_id_score', 'stored_matches', ['job_id', 'score'], unique=False)
