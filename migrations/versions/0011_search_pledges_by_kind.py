"""Search: live pledges by kind

A search for one kind of opportunity (work experience, say) reads only the pledges of that kind, paid or not,
newest first, from this index and its copies of the columns the other filters read (see `make bench`). Only an
index is added, so the SQLite full-text triggers of 0003 stay as they are.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 10:25:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.create_index('ix_pledge_kind', ['status', 'kind', 'paid', 'published_at', 'id', 'closes_on', 'ends_on', 'ongoing', 'organisation_id', 'reach', 'min_age', 'max_age', 'postcode_district'], unique=False)


def downgrade():
    with op.batch_alter_table('pledge', schema=None) as batch_op:
        batch_op.drop_index('ix_pledge_kind')
