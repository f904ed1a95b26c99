"""identities (encrypted ID numbers bound to one account), password resets, TOTP second factor

Revision ID: 0008_identity_accounts
Revises: 0004_profiles_updated_at
Depends on: 0003_applications

Existing plain-text ID numbers in applications.facts are moved into `identities` by `talent keys rotate`
(also run by `talent init-db` after upgrading), which needs the key; this revision only changes the schema.
"""

import sqlalchemy as sa
from alembic import op

revision = '0008_identity_accounts'
down_revision = '0004_profiles_updated_at'
branch_labels = None
depends_on = '0003_applications'


def upgrade() -> None:
    op.create_table('identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_digest', sa.String(length=64), nullable=False),
    sa.Column('id_cipher', sa.Text(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_identities_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identities')),
    sa.UniqueConstraint('id_digest', name=op.f('uq_identities_id_digest'))
    )
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identities_key_id'), ['key_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_identities_owner_id'), ['owner_id'], unique=False)

    op.create_table('password_resets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_resets_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_resets')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_password_resets_token_digest'))
    )
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_resets_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identity_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_applications_identity_id'), ['identity_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_applications_identity_id_identities'), 'identities',
                                    ['identity_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_applications_identity_id_identities'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_applications_identity_id'))
        batch_op.drop_column('identity_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
    with op.batch_alter_table('password_resets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_resets_user_id'))
    op.drop_table('password_resets')
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identities_owner_id'))
        batch_op.drop_index(batch_op.f('ix_identities_key_id'))
    op.drop_table('identities')
