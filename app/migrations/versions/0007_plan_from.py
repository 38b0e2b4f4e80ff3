"""plans: the moment a plan places work from

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plan_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("not_before", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("plan_runs", schema=None) as batch_op:
        batch_op.drop_column("not_before")
