"""recruitment events (招聘宣讲), their posts and registrations; training bases; jobs.kind (job | internship)

Revision ID: 0014_recruitment_events
Revises: 0004_profiles_updated_at
Create Date: 2026-12-03 13:25:24.921125
"""

import sqlalchemy as sa
from alembic import op

revision = '0014_recruitment_events'
down_revision = '0004_profiles_updated_at'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('recruitment_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('district', sa.String(length=6), nullable=True),
    sa.Column('venue', sa.String(length=200), nullable=True),
    sa.Column('online_url', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('registered_count', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_recruitment_events_created_by_id_users')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_recruitment_events_employer_id_employers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recruitment_events'))
    )
    with op.batch_alter_table('recruitment_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruitment_events_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_recruitment_events_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index('ix_recruitment_events_status_starts_at', ['status', 'starts_at'], unique=False)

    op.create_table('training_bases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('designated_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('designated_by_id', sa.Integer(), nullable=False),
    sa.Column('designated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['designated_by_id'], ['users.id'], name=op.f('fk_training_bases_designated_by_id_users')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_training_bases_employer_id_employers')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_training_bases_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_bases')),
    sa.UniqueConstraint('employer_id', name=op.f('uq_training_bases_employer_id'))
    )
    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('ticket_nonce', sa.String(length=32), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_event_registrations_checked_in_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['recruitment_events.id'], name=op.f('fk_event_registrations_event_id_recruitment_events')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_registrations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('event_id', 'user_id', name='uq_event_registrations_event_id_user_id')
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_user_id'), ['user_id'], unique=False)

    op.create_table('recruitment_event_posts',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['recruitment_events.id'], name=op.f('fk_recruitment_event_posts_event_id_recruitment_events')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_recruitment_event_posts_job_id_jobs')),
    sa.PrimaryKeyConstraint('event_id', 'job_id', name=op.f('pk_recruitment_event_posts'))
    )
    with op.batch_alter_table('recruitment_event_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recruitment_event_posts_job_id'), ['job_id'], unique=False)

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), server_default='job', nullable=False))
        batch_op.create_index(batch_op.f('ix_jobs_kind'), ['kind'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_kind'))
        batch_op.drop_column('kind')

    with op.batch_alter_table('recruitment_event_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recruitment_event_posts_job_id'))

    op.drop_table('recruitment_event_posts')
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_registrations_user_id'))
        batch_op.drop_index(batch_op.f('ix_event_registrations_event_id'))

    op.drop_table('event_registrations')
    op.drop_table('training_bases')
    with op.batch_alter_table('recruitment_events', schema=None) as batch_op:
        batch_op.drop_index('ix_recruitment_events_status_starts_at')
        batch_op.drop_index(batch_op.f('ix_recruitment_events_employer_id'))
        batch_op.drop_index(batch_op.f('ix_recruitment_events_district'))

    op.drop_table('recruitment_events')
