"""Live pledges counted by region and kind

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 16:51:05.644033

The national dashboard counted live pledges by their organisation's region and their kind by joining every live
pledge to its organisation, its most costly statement; the counts are now kept as pledges change
(`covenant.reports.live`). This counts the pledges there are.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_pledge_count',
    sa.Column('region', sa.Enum('North East', 'North West', 'Yorkshire and The Humber', 'East Midlands', 'West Midlands', 'East of England', 'London', 'South East', 'South West', name='region', native_enum=False, length=40), nullable=False),
    sa.Column('kind', sa.Enum('work_experience', 'internship', 'apprenticeship', 'job', 'guaranteed_interview', 'mentoring', 'training', 'discount', 'housing', 'health', 'other', name='pledgekind', native_enum=False, length=40), nullable=False),
    sa.Column('pledges', sa.Integer(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('unlimited', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('region', 'kind', name=op.f('pk_live_pledge_count'))
    )
    _count_live_pledges()


def _count_live_pledges():
    op.execute(
        "INSERT INTO live_pledge_count (region, kind, pledges, places, unlimited) "
        "SELECT organisation.region, pledge.kind, count(*), coalesce(sum(pledge.places), 0), "
        "sum(CASE WHEN pledge.places_unlimited THEN 1 ELSE 0 END) "
        "FROM pledge JOIN organisation ON organisation.id = pledge.organisation_id "
        "WHERE pledge.status IN ('published', 'paused') "
        "GROUP BY organisation.region, pledge.kind"
    )


def downgrade():
    op.drop_table('live_pledge_count')
