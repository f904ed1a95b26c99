"""youth-talent apartments (communities, units, applications, rounds, offers, leases) and card services
(partner organisations, service requests, uses at the desk): issue 11

Revision ID: 0010_apartments_services
Revises: 0004_profiles_updated_at
Create Date: 2026-12-03 10:52:48.016014
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0010_apartments_services'
down_revision = '0004_profiles_updated_at'
branch_labels = None
depends_on = '0003_applications'


def upgrade() -> None:
    op.create_table('apartment_communities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('district', sa.String(length=6), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_communities')),
    sa.UniqueConstraint('code', name=op.f('uq_apartment_communities_code'))
    )
    op.create_table('apartment_buildings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['apartment_communities.id'], name=op.f('fk_apartment_buildings_community_id_apartment_communities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_buildings')),
    sa.UniqueConstraint('community_id', 'name', name='uq_apartment_buildings_community_name')
    )
    with op.batch_alter_table('apartment_buildings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_buildings_community_id'), ['community_id'], unique=False)

    op.create_table('apartment_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('secret_seed', sa.String(length=64), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=True),
    sa.Column('inputs', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('inputs_digest', sa.String(length=64), nullable=True),
    sa.Column('result', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('allocated_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_apartment_rounds_closed_by_id_users')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_apartment_rounds_opened_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_rounds'))
    )
    with op.batch_alter_table('apartment_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_rounds_status'), ['status'], unique=False)

    op.create_table('partner_organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('services', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_partner_organisations_created_by_id_users')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_partner_organisations_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_partner_organisations_name'))
    )
    op.create_table('apartment_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('unit_type', sa.String(length=10), nullable=False),
    sa.Column('area_m2', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['apartment_buildings.id'], name=op.f('fk_apartment_units_building_id_apartment_buildings')),
    sa.ForeignKeyConstraint(['community_id'], ['apartment_communities.id'], name=op.f('fk_apartment_units_community_id_apartment_communities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_units')),
    sa.UniqueConstraint('building_id', 'number', name='uq_apartment_units_building_number')
    )
    with op.batch_alter_table('apartment_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_units_building_id'), ['building_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_units_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_units_status'), ['status'], unique=False)

    op.create_table('partner_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_organisations.id'], name=op.f('fk_partner_staff_partner_id_partner_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_partner_staff_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_staff')),
    sa.UniqueConstraint('user_id', name=op.f('uq_partner_staff_user_id'))
    )
    with op.batch_alter_table('partner_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_staff_partner_id'), ['partner_id'], unique=False)

    op.create_table('apartment_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('open_applicant_id', sa.Integer(), nullable=True),
    sa.Column('communities', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('unit_type', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('application_date', sa.Date(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('priority_group', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=1), nullable=True),
    sa.Column('education', sa.String(length=12), nullable=True),
    sa.Column('policy_id', sa.String(length=16), nullable=False),
    sa.Column('monthly_rent', sa.Integer(), nullable=False),
    sa.Column('max_months', sa.Integer(), nullable=False),
    sa.Column('source_application_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_apartment_applications_applicant_id_users')),
    sa.ForeignKeyConstraint(['source_application_id'], ['applications.id'], name=op.f('fk_apartment_applications_source_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_applications')),
    sa.UniqueConstraint('open_applicant_id', name=op.f('uq_apartment_applications_open_applicant_id'))
    )
    with op.batch_alter_table('apartment_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_applications_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_applications_status'), ['status'], unique=False)

    op.create_table('apartment_round_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['apartment_rounds.id'], name=op.f('fk_apartment_round_units_round_id_apartment_rounds')),
    sa.ForeignKeyConstraint(['unit_id'], ['apartment_units.id'], name=op.f('fk_apartment_round_units_unit_id_apartment_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_round_units')),
    sa.UniqueConstraint('round_id', 'unit_id', name='uq_apartment_round_units_round_unit')
    )
    with op.batch_alter_table('apartment_round_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_round_units_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_round_units_unit_id'), ['unit_id'], unique=False)

    op.create_table('apartment_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('open_unit_id', sa.Integer(), nullable=True),
    sa.Column('open_application_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('offered_on', sa.Date(), nullable=False),
    sa.Column('respond_by', sa.Date(), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['apartment_applications.id'], name=op.f('fk_apartment_offers_application_id_apartment_applications')),
    sa.ForeignKeyConstraint(['round_id'], ['apartment_rounds.id'], name=op.f('fk_apartment_offers_round_id_apartment_rounds')),
    sa.ForeignKeyConstraint(['unit_id'], ['apartment_units.id'], name=op.f('fk_apartment_offers_unit_id_apartment_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_offers')),
    sa.UniqueConstraint('open_application_id', name=op.f('uq_apartment_offers_open_application_id')),
    sa.UniqueConstraint('open_unit_id', name=op.f('uq_apartment_offers_open_unit_id'))
    )
    with op.batch_alter_table('apartment_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_offers_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_offers_respond_by'), ['respond_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_offers_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_offers_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_offers_unit_id'), ['unit_id'], unique=False)

    op.create_table('service_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('handler_id', sa.Integer(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('paused_on', sa.Date(), nullable=True),
    sa.Column('info_question', sa.Text(), nullable=True),
    sa.Column('info_answer', sa.Text(), nullable=True),
    sa.Column('outcome_reason', sa.Text(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('evidence_key', sa.String(length=200), nullable=True),
    sa.Column('evidence_name', sa.String(length=200), nullable=True),
    sa.Column('evidence_type', sa.String(length=60), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_service_requests_card_id_cards')),
    sa.ForeignKeyConstraint(['handler_id'], ['users.id'], name=op.f('fk_service_requests_handler_id_users')),
    sa.ForeignKeyConstraint(['holder_id'], ['users.id'], name=op.f('fk_service_requests_holder_id_users')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_organisations.id'], name=op.f('fk_service_requests_partner_id_partner_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_requests'))
    )
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_requests_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_holder_id'), ['holder_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_service'), ['service'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_requests_status'), ['status'], unique=False)

    op.create_table('service_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=40), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_service_uses_card_id_cards')),
    sa.ForeignKeyConstraint(['partner_id'], ['partner_organisations.id'], name=op.f('fk_service_uses_partner_id_partner_organisations')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_service_uses_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_uses'))
    )
    with op.batch_alter_table('service_uses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_uses_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_uses_partner_id'), ['partner_id'], unique=False)

    op.create_table('apartment_leases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('active_unit_id', sa.Integer(), nullable=True),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('months', sa.Integer(), nullable=False),
    sa.Column('monthly_rent', sa.Integer(), nullable=False),
    sa.Column('moved_out_on', sa.Date(), nullable=True),
    sa.Column('move_out_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['apartment_applications.id'], name=op.f('fk_apartment_leases_application_id_apartment_applications')),
    sa.ForeignKeyConstraint(['offer_id'], ['apartment_offers.id'], name=op.f('fk_apartment_leases_offer_id_apartment_offers')),
    sa.ForeignKeyConstraint(['tenant_id'], ['users.id'], name=op.f('fk_apartment_leases_tenant_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['apartment_units.id'], name=op.f('fk_apartment_leases_unit_id_apartment_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_apartment_leases')),
    sa.UniqueConstraint('active_unit_id', name=op.f('uq_apartment_leases_active_unit_id')),
    sa.UniqueConstraint('application_id', name=op.f('uq_apartment_leases_application_id')),
    sa.UniqueConstraint('offer_id', name=op.f('uq_apartment_leases_offer_id'))
    )
    with op.batch_alter_table('apartment_leases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_apartment_leases_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_apartment_leases_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('apartment_leases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_leases_unit_id'))
        batch_op.drop_index(batch_op.f('ix_apartment_leases_tenant_id'))

    op.drop_table('apartment_leases')
    with op.batch_alter_table('service_uses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_uses_partner_id'))
        batch_op.drop_index(batch_op.f('ix_service_uses_card_id'))

    op.drop_table('service_uses')
    with op.batch_alter_table('service_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_requests_status'))
        batch_op.drop_index(batch_op.f('ix_service_requests_service'))
        batch_op.drop_index(batch_op.f('ix_service_requests_partner_id'))
        batch_op.drop_index(batch_op.f('ix_service_requests_holder_id'))
        batch_op.drop_index(batch_op.f('ix_service_requests_due_on'))
        batch_op.drop_index(batch_op.f('ix_service_requests_card_id'))

    op.drop_table('service_requests')
    with op.batch_alter_table('apartment_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_offers_unit_id'))
        batch_op.drop_index(batch_op.f('ix_apartment_offers_status'))
        batch_op.drop_index(batch_op.f('ix_apartment_offers_round_id'))
        batch_op.drop_index(batch_op.f('ix_apartment_offers_respond_by'))
        batch_op.drop_index(batch_op.f('ix_apartment_offers_application_id'))

    op.drop_table('apartment_offers')
    with op.batch_alter_table('apartment_round_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_round_units_unit_id'))
        batch_op.drop_index(batch_op.f('ix_apartment_round_units_round_id'))

    op.drop_table('apartment_round_units')
    with op.batch_alter_table('apartment_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_applications_status'))
        batch_op.drop_index(batch_op.f('ix_apartment_applications_applicant_id'))

    op.drop_table('apartment_applications')
    with op.batch_alter_table('partner_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_staff_partner_id'))

    op.drop_table('partner_staff')
    with op.batch_alter_table('apartment_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_units_status'))
        batch_op.drop_index(batch_op.f('ix_apartment_units_community_id'))
        batch_op.drop_index(batch_op.f('ix_apartment_units_building_id'))

    op.drop_table('apartment_units')
    op.drop_table('partner_organisations')
    with op.batch_alter_table('apartment_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_rounds_status'))

    op.drop_table('apartment_rounds')
    with op.batch_alter_table('apartment_buildings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_apartment_buildings_community_id'))

    op.drop_table('apartment_buildings')
    op.drop_table('apartment_communities')
