"""Outbox: the address that stops an email, for its List-Unsubscribe header

Saved-search alerts carry it, so mail programs can offer their own one-click unsubscribe (RFC 8058).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 09:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbound_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsubscribe_url', sa.String(length=2000), nullable=True))


def downgrade():
    with op.batch_alter_table('outbound_email', schema=None) as batch_op:
        batch_op.drop_column('unsubscribe_url')
