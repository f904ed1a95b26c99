"""stored matches (match_sets, stored_matches) and job search documents

Revision ID: 0006_stored_matches
Revises: 0004_profiles_updated_at
Create Date: 2026-12-03 10:45:00.000000
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0006_stored_matches'
down_revision = '0004_profiles_updated_at'
branch_labels = None
depends_on = None

SEARCH_DOCUMENT = sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql')


def upgrade() -> None:
    op.create_table('match_sets',
    sa.Column('graduate_profile_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('profile_updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['graduate_profile_id'], ['graduate_profiles.id'],
                            name=op.f('fk_match_sets_graduate_profile_id_graduate_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('graduate_profile_id', name=op.f('pk_match_sets'))
    )
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
    op.create_table('job_search_documents',
    sa.Column('job_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('document', SEARCH_DOCUMENT, nullable=False),
    sa.Column('headline', SEARCH_DOCUMENT, nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_search_documents_job_id_jobs'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_job_search_documents'))
    )
    op.create_index('ix_job_search_documents_document', 'job_search_documents', ['document'], unique=False,
                    postgresql_using='gin')
    op.create_index('ix_jobs_created_at_id', 'jobs', ['created_at', 'id'], unique=False)
    op.create_index('ix_jobs_salary_max_id', 'jobs', ['salary_max', 'id'], unique=False)
    # The posts written before this revision get their search documents here; every post and edit writes its
    # own from now on (services.job_search).
    from talent.services.job_search import document

    bind = op.get_bind()
    postgresql = bind.dialect.name == 'postgresql'
    rows = bind.execute(sa.text(
        'SELECT jobs.id, jobs.title, employers.name, jobs.description FROM jobs '
        'JOIN employers ON employers.id = jobs.employer_id')).all()
    insert = sa.text('INSERT INTO job_search_documents (job_id, document, headline) '
                     'VALUES (:job_id, :document, :headline)')
    for start in range(0, len(rows), 1000):
        bind.execute(insert, [{'job_id': row[0],
                               'document': document(row[1], row[2] or '', row[3], postgresql=postgresql),
                               'headline': document(row[1], row[2] or '', '', postgresql=postgresql)}
                              for row in rows[start:start + 1000]])


def downgrade() -> None:
    op.drop_index('ix_jobs_salary_max_id', table_name='jobs')
    op.drop_index('ix_jobs_created_at_id', table_name='jobs')
    op.drop_table('job_search_documents')
    op.drop_index('ix_stored_matches_job_id_score', table_name='stored_matches')
    op.drop_table('stored_matches')
    op.drop_table('match_sets')
