"""columns the money and points fixes need (counter cash, upgrade causes)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    # the POS order whose growth made an upgrade, so refunding it can undo that upgrade at once
    with op.batch_alter_table("tier_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pos_order_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tier_changes_pos_order_id_pos_orders"),
            "pos_orders",
            ["pos_order_id"],
            ["id"],
        )
    # a booked appointment is its own step of the timeline (it was written as another 'to_book')
    op.execute(
        "UPDATE order_events SET status = 'booked' "
        "WHERE status = 'to_book' AND note LIKE 'slot %'"
    )


def downgrade():
    op.execute(
        "UPDATE order_events SET status = 'to_book' WHERE status IN ('booked', 'rebooked')"
    )
    with op.batch_alter_table("tier_changes", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_tier_changes_pos_order_id_pos_orders"), type_="foreignkey"
        )
        batch_op.drop_column("pos_order_id")
