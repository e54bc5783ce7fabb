"""Search: every pledge's filter columns by its id, so a list of pledges is read without their wide rows

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:00:00.000000

A search that reads a list of pledges by id (a rare keyword's full-text matches, each nearby authority's listed
pledges for nearest first, the page of matches already counted) read each pledge's row: on PostgreSQL the wide
heap, with its three full-text vectors, which does not stay in memory; on SQLite a row whose filter columns sit
after its long texts. This index holds the columns those statements test (SEARCH_FILTER_COLUMNS), led by the id.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

COLUMNS = [
    'id', 'status', 'closes_on', 'published_at', 'ends_on', 'ongoing', 'organisation_id', 'reach', 'kind',
    'min_age', 'max_age', 'paid', 'postcode_district', 'places_unlimited', 'places', 'places_taken',
    'outcome_area_bits', 'region_bits',
]


def upgrade():
    # Not a batch operation: on SQLite that could rebuild the table, and the full-text triggers with it.
    op.create_index('ix_pledge_by_id', 'pledge', COLUMNS, unique=False)


def downgrade():
    op.drop_index('ix_pledge_by_id', table_name='pledge')
