"""orders: location quality, and orders and sites waiting for a location

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

QUALITIES = "location_quality IN ('exact', 'street', 'district', 'unknown')"
PLACED = "region_id IS NOT NULL OR location_quality = 'unknown'"
LOCATED = "(lat IS NULL AND lon IS NULL) OR (lat IS NOT NULL AND lon IS NOT NULL AND region_id IS NOT NULL)"


def _foreign_keys(on: bool) -> None:
    # SQLite rebuilds a table to change it; with foreign keys enforced, dropping the old `orders` that visits
    # and order items point at fails on any database with orders in it.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    _foreign_keys(False)
    _upgrade()
    _foreign_keys(True)


def _upgrade():
    # Orders taken in before this revision all came with a point or a street the gazetteer knew.
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("location_quality", sa.String(length=8), server_default="exact", nullable=False)
        )
        batch_op.alter_column("region_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(op.f("ck_orders_location_quality"), QUALITIES)
        batch_op.create_check_constraint(op.f("ck_orders_placed"), PLACED)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column("location_quality", existing_type=sa.String(length=8), server_default=None)

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column("lat", existing_type=sa.Double(), nullable=True)
        batch_op.alter_column("lon", existing_type=sa.Double(), nullable=True)
        batch_op.alter_column("region_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(op.f("ck_sites_located"), LOCATED)


def downgrade():
    _foreign_keys(False)
    _downgrade()
    _foreign_keys(True)


def _downgrade():
    # Orders and sites still waiting for a location have no place in the older schema: place them first.
    waiting = op.get_bind().scalar(sa.text("SELECT count(*) FROM sites WHERE region_id IS NULL"))
    if waiting:
        raise RuntimeError(f"{waiting} sites still wait for a location; place or delete them first")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sites_located"), type_="check")
        batch_op.alter_column("region_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("lon", existing_type=sa.Double(), nullable=False)
        batch_op.alter_column("lat", existing_type=sa.Double(), nullable=False)
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_orders_placed"), type_="check")
        batch_op.drop_constraint(op.f("ck_orders_location_quality"), type_="check")
        batch_op.alter_column("region_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("location_quality")
