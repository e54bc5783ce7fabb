"""DfE's care leaver statistics, and indexes for counting referrals and their moves over a period

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_leaver_statistic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('authority_code', sa.String(length=9), nullable=False),
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('age_band', sa.String(length=60), nullable=False),
    sa.Column('activity', sa.String(length=200), nullable=False),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('source_file', sa.String(length=255), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_leaver_statistic')),
    sa.UniqueConstraint('period', 'authority_code', 'age_band', 'activity', name='uq_care_leaver_statistic_figure')
    )
    with op.batch_alter_table('care_leaver_statistic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_leaver_statistic_authority_code'), ['authority_code'], unique=False)

    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.create_index('ix_referral_event_to_status_occurred_at', ['to_status', 'occurred_at', 'referral_id'], unique=False)

    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_created_at_care_leaver_id', ['created_at', 'care_leaver_id'], unique=False)


def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_created_at_care_leaver_id')

    with op.batch_alter_table('referral_event', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_event_to_status_occurred_at')

    with op.batch_alter_table('care_leaver_statistic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_leaver_statistic_authority_code'))

    op.drop_table('care_leaver_statistic')
