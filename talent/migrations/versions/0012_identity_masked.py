"""identities.id_masked: the ID number as pages show it, for the officers' search and exports

Revision ID: 0012_identity_masked
Revises: 0008_identity_accounts
Create Date: 2026-12-03 12:45:00.000000

Existing rows are filled by `talent init-db` (its key step decrypts each number once, see
talent.services.identities.rotate): a migration has no key to decrypt with.
"""

import sqlalchemy as sa
from alembic import op

revision = '0012_identity_masked'
down_revision = '0008_identity_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_masked', sa.String(length=18), nullable=True))
        batch_op.create_index(batch_op.f('ix_identities_id_masked'), ['id_masked'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identities_id_masked'))
        batch_op.drop_column('id_masked')
