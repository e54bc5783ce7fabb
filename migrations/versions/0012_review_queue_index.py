"""Review queue: submitted pledges by submission time

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:43:21.912674

Every list of pledges waiting for review reads the submitted ones oldest first. An index of submission times
alone is mostly live pledges (a pledge keeps its submission time once published), so with statistics SQLite
walked it through the live pledges to find the submitted ones; this index leads with the status. Plain
`create_index` and `drop_index`, not a batch: a batch that rebuilt the pledge table on SQLite would drop its
full-text triggers.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_pledge_submitted_at', table_name='pledge')
    op.create_index('ix_pledge_status_submitted_at', 'pledge', ['status', 'submitted_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_pledge_status_submitted_at', table_name='pledge')
    op.create_index('ix_pledge_submitted_at', 'pledge', ['submitted_at'], unique=False)
