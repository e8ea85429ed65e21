"""the member's remembered pickup counter (the flash card's "Pick up at …", changed there)

Revision ID: 0022_pickup_store
Revises: 0021_gift_pairs
Create Date: 2026-12-01 21:40:00

"""

from alembic import op
import sqlalchemy as sa

revision = "0022_pickup_store"
down_revision = "0021_gift_pairs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("pickup_store_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_members_pickup_store_id_stores", "stores", ["pickup_store_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("members") as batch:
        batch.drop_constraint("fk_members_pickup_store_id_stores", type_="foreignkey")
        batch.drop_column("pickup_store_id")
