"""Serving at the city's scale: indexes for the officer queue's first page, relevance tiers of job search, and
the consenting graduates whose stored matches are missing or out of date

- `applications (submitted_at, id)` for the review queue's statuses only: the queue's first page is read in
  order from the index instead of sorting every application in review;
- a GIN index on `job_search_documents.headline` (title and employer name), and the post's `created_at` copied
  into its search document with an index: search reads each relevance tier newest first within windows of
  creation time, combining the keyword's index with the date's (services.job_search);
- `graduate_profiles.match_set_version`: the profile version (`updated_at`) the graduate's stored set ranked,
  or NULL (no set), written with the set (services.match_store), and a partial index on the consenting profiles
  whose version differs: an employer's candidates find the few graduates the stored sets cannot speak for
  through it (services.match_serving), not by scanning thousands of profiles per request; and an index on
  `match_sets.computed_at` (is any set older than a post's last change?).

Revision ID: 0017_city_serving
Revises: 0013_match_sets_compact
Create Date: 2026-12-03 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = '0017_city_serving'
down_revision = '0013_match_sets_compact'
branch_labels = None
depends_on = ('0003_applications',)

QUEUE = sa.text("status IN ('in_review', 'awaiting_confirmation')")
STALE = sa.text("consent_to_match AND (match_set_version IS NULL OR match_set_version <> updated_at)")


def upgrade() -> None:
    op.create_index('ix_applications_queue', 'applications', ['submitted_at', 'id'], unique=False,
                    postgresql_where=QUEUE, sqlite_where=QUEUE)
    op.create_index('ix_job_search_documents_headline', 'job_search_documents', ['headline'], unique=False,
                    postgresql_using='gin')
    with op.batch_alter_table('job_search_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE job_search_documents SET created_at = (SELECT jobs.created_at FROM jobs "
               "WHERE jobs.id = job_search_documents.job_id)")
    op.create_index('ix_job_search_documents_created_at', 'job_search_documents', ['created_at'], unique=False)
    with op.batch_alter_table('graduate_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('match_set_version', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE graduate_profiles SET match_set_version = (SELECT match_sets.profile_updated_at "
               "FROM match_sets WHERE match_sets.graduate_profile_id = graduate_profiles.id)")
    op.create_index('ix_match_sets_computed_at', 'match_sets', ['computed_at'], unique=False)
    op.create_index('ix_graduate_profiles_unmatched', 'graduate_profiles', ['updated_at', 'id'], unique=False,
                    postgresql_where=STALE, sqlite_where=STALE)


def downgrade() -> None:
    op.drop_index('ix_graduate_profiles_unmatched', table_name='graduate_profiles')
    op.drop_index('ix_match_sets_computed_at', table_name='match_sets')
    # The columns are dropped in place (SQLite drops an unindexed column itself since 3.35), not by rebuilding
    # the table: on SQLite a rebuild drops the old graduate_profiles under foreign keys, which deletes every
    # stored set (ON DELETE CASCADE) and is refused once any job application refers to a profile.
    with op.batch_alter_table('graduate_profiles', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('match_set_version')
    op.drop_index('ix_job_search_documents_created_at', table_name='job_search_documents')
    with op.batch_alter_table('job_search_documents', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('created_at')
    op.drop_index('ix_job_search_documents_headline', table_name='job_search_documents')
    op.drop_index('ix_applications_queue', table_name='applications')
