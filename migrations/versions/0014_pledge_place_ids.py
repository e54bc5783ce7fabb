"""Search: where each pledge is offered, as one indexed list of numbers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 19:45:00.000000

A pledge's places as numbers on its own row (covenant/opportunities/search/bits.py, `place_ids_of`): a local
pledge's authorities' ids, a regional pledge's regions (-1 for the first region in the vocabulary's order, -2
for the second, ...), -100 for England, -101 for remote. Worked out here for the pledges there are.

On PostgreSQL it is an integer array with a GIN index (written by hand, and left out of the models' comparison,
like the full-text index): a search that tests a keyword reads the pledges' wide rows anyway, and with this index
the planner finds the pledges of a place as a bitmap it can combine with the keyword's. On SQLite, which does
not use it, it is a JSON list. Added without rebuilding the pledge table on SQLite, which would drop the
full-text index's triggers (0001).
"""

import json

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The vocabulary's order when this was written (covenant/vocab.py): the n-th region is -n.
REGIONS = [
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
]
NATIONAL, REMOTE = -100, -101
BATCH = 5000


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    column_type = postgresql.ARRAY(sa.Integer()) if postgres else sa.JSON()
    # Not in batch mode: SQLite adds a column in place.
    empty = sa.text("'{}'") if postgres else sa.text("'[]'")
    op.add_column("pledge", sa.Column("place_ids", column_type, server_default=empty, nullable=False))
    _fill_in_places()
    if postgres:
        op.execute("CREATE INDEX ix_pledge_place_ids ON pledge USING gin (place_ids)")


def downgrade():
    op.execute("DROP INDEX IF EXISTS ix_pledge_place_ids")
    # Not in batch mode: SQLite drops a column in place.
    op.drop_column("pledge", "place_ids")


def _fill_in_places():
    """Each pledge's places, from its lists and its reach."""
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    authorities, regions = {}, {}
    for pledge_id, authority_id in connection.execute(
        sa.text("SELECT pledge_id, local_authority_id FROM pledge_local_authority")
    ):
        authorities.setdefault(pledge_id, set()).add(authority_id)
    for pledge_id, region in connection.execute(sa.text("SELECT pledge_id, region FROM pledge_region")):
        regions.setdefault(pledge_id, set()).add(-1 - REGIONS.index(region))
    rows = []
    for pledge_id, reach in connection.execute(sa.text("SELECT id, reach FROM pledge")):
        places = {
            "local_authorities": authorities.get(pledge_id, set()),
            "regions": regions.get(pledge_id, set()),
            "national": {NATIONAL},
            "remote": {REMOTE},
        }.get(reach, set())
        ordered = sorted(places)
        rows.append({"id": pledge_id, "places": ordered if postgres else json.dumps(ordered)})
    update = sa.text("UPDATE pledge SET place_ids = :places WHERE id = :id")
    for start in range(0, len(rows), BATCH):
        connection.execute(update, rows[start : start + BATCH])
