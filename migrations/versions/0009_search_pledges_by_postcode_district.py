"""Search: pledges by postcode district

A search within a few miles of a place lists the pledges in its local authorities, its region and its postcode
districts, and reads only those (see `make bench`); this index finds the ones by postcode district. Only an
index is added, so the SQLite full-text triggers of 0003 stay as they are.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 08:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.create_index('ix_pledge_postcode_district', ['postcode_district'], unique=False)


def downgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.drop_index('ix_pledge_postcode_district')
