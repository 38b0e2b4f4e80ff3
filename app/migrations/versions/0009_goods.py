"""orders: the seller's last goods report and the day it expects the goods

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

GOODS_STATUS = "goods_status IN ('in_transit', 'delivered')"


def _foreign_keys(on: bool) -> None:
    # SQLite rebuilds `orders` to add a check constraint; with foreign keys enforced, dropping the old table
    # that visits and order items point at fails on any database with orders in it.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    _foreign_keys(False)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goods_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("goods_expected_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_orders_goods_status"), GOODS_STATUS)
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_goods_status"), type_="check")
        batch_op.drop_column("goods_expected_on")
        batch_op.drop_column("goods_status")
    _foreign_keys(True)
