"""job applications, their changes, placements, retention answers and matching feedback (issue 12)

Revision ID: 0013_job_applications
Revises: 0004_profiles_updated_at
"""

import sqlalchemy as sa
from alembic import op

revision = '0013_job_applications'
down_revision = '0004_profiles_updated_at'
branch_labels = None
depends_on = '0003_applications'


def upgrade() -> None:
    op.create_table('match_feedback',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('graduate_profile_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('surface', sa.String(length=20), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_feedback'))
    )
    with op.batch_alter_table('match_feedback', schema=None) as batch_op:
        batch_op.create_index('ix_match_feedback_kind_at', ['kind', 'at'], unique=False)
        batch_op.create_index('ix_match_feedback_pair', ['graduate_profile_id', 'job_id'], unique=False)

    op.create_table('job_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('graduate_profile_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('invitation_message', sa.Text(), nullable=True),
    sa.Column('cv_stored_name', sa.String(length=64), nullable=True),
    sa.Column('cv_original_name', sa.String(length=200), nullable=True),
    sa.Column('cv_size', sa.Integer(), nullable=True),
    sa.Column('cv_sha256', sa.String(length=64), nullable=True),
    sa.Column('interview_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('interview_place', sa.String(length=200), nullable=True),
    sa.Column('interview_link', sa.String(length=500), nullable=True),
    sa.Column('offer_start_date', sa.Date(), nullable=True),
    sa.Column('decline_reason', sa.String(length=20), nullable=True),
    sa.Column('decline_note', sa.Text(), nullable=True),
    sa.Column('match_score', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shortlisted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('interview_set_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_job_applications_applicant_id_users')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_job_applications_employer_id_employers')),
    sa.ForeignKeyConstraint(['graduate_profile_id'], ['graduate_profiles.id'], name=op.f('fk_job_applications_graduate_profile_id_graduate_profiles')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_applications_job_id_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_applications')),
    sa.UniqueConstraint('job_id', 'graduate_profile_id', name='uq_job_applications_job_id_graduate_profile_id')
    )
    with op.batch_alter_table('job_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_applications_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_applications_applied_at'), ['applied_at'], unique=False)
        batch_op.create_index('ix_job_applications_employer_id_status', ['employer_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_applications_graduate_profile_id'), ['graduate_profile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_applications_hired_at'), ['hired_at'], unique=False)
        batch_op.create_index('ix_job_applications_job_id_status', ['job_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_applications_status'), ['status'], unique=False)

    op.create_table('job_application_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_application_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_job_application_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['job_application_id'], ['job_applications.id'], name=op.f('fk_job_application_changes_job_application_id_job_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_application_changes'))
    )
    with op.batch_alter_table('job_application_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_application_changes_job_application_id'), ['job_application_id'], unique=False)

    op.create_table('placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_application_id', sa.Integer(), nullable=False),
    sa.Column('graduate_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('retention_due_on', sa.Date(), nullable=False),
    sa.Column('retention_asked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retention', sa.String(length=10), nullable=False),
    sa.Column('retention_decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_placements_employer_id_employers')),
    sa.ForeignKeyConstraint(['graduate_id'], ['users.id'], name=op.f('fk_placements_graduate_id_users')),
    sa.ForeignKeyConstraint(['job_application_id'], ['job_applications.id'], name=op.f('fk_placements_job_application_id_job_applications')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_placements_job_id_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_placements')),
    sa.UniqueConstraint('job_application_id', name=op.f('uq_placements_job_application_id'))
    )
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placements_employer_id'), ['employer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_graduate_id'), ['graduate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_retention'), ['retention'], unique=False)
        batch_op.create_index(batch_op.f('ix_placements_retention_due_on'), ['retention_due_on'], unique=False)

    op.create_table('retention_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('respondent', sa.String(length=20), nullable=False),
    sa.Column('still_in_changchun', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_retention_answers_answered_by_id_users')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_retention_answers_application_id_applications')),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_retention_answers_placement_id_placements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_answers')),
    sa.UniqueConstraint('placement_id', 'respondent', name='uq_retention_answers_placement_id_respondent')
    )


def downgrade() -> None:
    op.drop_table('retention_answers')
    with op.batch_alter_table('placements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placements_retention_due_on'))
        batch_op.drop_index(batch_op.f('ix_placements_retention'))
        batch_op.drop_index(batch_op.f('ix_placements_job_id'))
        batch_op.drop_index(batch_op.f('ix_placements_graduate_id'))
        batch_op.drop_index(batch_op.f('ix_placements_employer_id'))

    op.drop_table('placements')
    with op.batch_alter_table('job_application_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_application_changes_job_application_id'))

    op.drop_table('job_application_changes')
    with op.batch_alter_table('job_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_applications_status'))
        batch_op.drop_index('ix_job_applications_job_id_status')
        batch_op.drop_index(batch_op.f('ix_job_applications_hired_at'))
        batch_op.drop_index(batch_op.f('ix_job_applications_graduate_profile_id'))
        batch_op.drop_index('ix_job_applications_employer_id_status')
        batch_op.drop_index(batch_op.f('ix_job_applications_applied_at'))
        batch_op.drop_index(batch_op.f('ix_job_applications_applicant_id'))

    op.drop_table('job_applications')
    with op.batch_alter_table('match_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_match_feedback_pair')
        batch_op.drop_index('ix_match_feedback_kind_at')

    op.drop_table('match_feedback')
