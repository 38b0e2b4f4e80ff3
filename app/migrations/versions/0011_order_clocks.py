"""order_clocks: each order's service-level clocks, with indexed due and next-alert times

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('order_clocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=24), nullable=False),
    sa.Column('policy_name', sa.String(length=40), nullable=False),
    sa.Column('policy_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paused_s', sa.Integer(), nullable=False),
    sa.Column('next_alert_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_clocks_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_clocks')),
    sa.UniqueConstraint('order_id', 'target', name=op.f('uq_order_clocks_order_id_target'))
    )
    with op.batch_alter_table('order_clocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_clocks_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_clocks_next_alert_at'), ['next_alert_at'], unique=False)
        batch_op.create_index('ix_order_clocks_status_due_at', ['status', 'due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('order_clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_order_clocks_status_due_at')
        batch_op.drop_index(batch_op.f('ix_order_clocks_next_alert_at'))
        batch_op.drop_index(batch_op.f('ix_order_clocks_order_id'))

    op.drop_table('order_clocks')
