"""Places: towns and cities of England, so a search can be near one

Their names, positions and populations come from GeoNames (covenant/data/towns_england.csv), loaded by
`flask load-places` with every postcode district's centre; a search finds a town by its `name_key`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 13:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('town',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=100), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_town'))
    )
    with op.batch_alter_table('town', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_town_name_key'), ['name_key'], unique=False)


def downgrade():
    with op.batch_alter_table('town', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_town_name_key'))

    op.drop_table('town')
