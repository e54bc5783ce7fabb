"""Search: every pledge's filter columns by its id, so a list of pledges is read without their wide rows

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:00:00.000000

A search that reads a list of pledges by id (a rare keyword's full-text matches, each nearby authority's listed
pledges for nearest first, pledges newest first by id) read each pledge's row: on PostgreSQL the wide heap, with
its three full-text vectors, which does not stay in memory; on SQLite a row whose filter columns sit after its
long texts. This index holds the columns those statements test (the search's filter columns), led by the id.

Written by hand for each database, and left out of the models' comparison (`DATABASE_ONLY_INDEXES`): on
PostgreSQL the columns after the id are INCLUDE columns, which its planner cannot search on, so it never reads
the whole index in place of the indexes that lead with the status; SQLite has no INCLUDE, and searches an index
only on its leading columns anyway.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

COLUMNS = (
    'status, closes_on, published_at, ends_on, ongoing, organisation_id, reach, kind, min_age, max_age, paid, '
    'postcode_district, places_unlimited, places, places_taken, outcome_area_bits, region_bits'
)


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'CREATE INDEX ix_pledge_by_id ON pledge (id) INCLUDE ({COLUMNS})')
    else:
        op.execute(f'CREATE INDEX ix_pledge_by_id ON pledge (id, {COLUMNS})')


def downgrade():
    op.execute('DROP INDEX IF EXISTS ix_pledge_by_id')
