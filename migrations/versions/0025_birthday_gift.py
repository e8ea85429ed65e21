"""the birthday's reward may be a gift; a birthday notification

Revision ID: 0025
Revises: 0023_segment_targets
Create Date: 2026-12-01 22:15:00

"""

from alembic import op
import sqlalchemy as sa

revision = "0025"
down_revision = "0023_segment_targets"
branch_labels = None
depends_on = None

OLD = (
    "'points_expiring', 'pickup_ready', 'shipped', 'appointment', 'back_in_stock', 'on_sale', "
    "'tier_up', 'tier_down', 'campaign'"
)
NEW = OLD + ", 'birthday'"


def _kinds(kinds: str) -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(op.f("ck_notifications_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_notifications_kind"), f"kind IN ({kinds})")


def upgrade():
    with op.batch_alter_table("task_rules") as batch:
        batch.add_column(sa.Column("gift_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_task_rules_gift_id_gifts"), "gifts", ["gift_id"], ["id"])
    _kinds(NEW)


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'birthday'")
    _kinds(OLD)
    with op.batch_alter_table("task_rules") as batch:
        batch.drop_constraint(op.f("fk_task_rules_gift_id_gifts"), type_="foreignkey")
        batch.drop_column("gift_id")
