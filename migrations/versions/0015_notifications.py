"""notifications: the in-app centre, the SMS outbox, preferences, "notify me" on gifts

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 17:30:00

"""

from alembic import op
import sqlalchemy as sa

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

KINDS = (
    "'points_expiring', 'pickup_ready', 'shipped', 'appointment', 'back_in_stock', 'on_sale', "
    "'tier_up', 'tier_down', 'campaign'"
)


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("occasion", sa.String(length=20), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_notifications_kind")),
        _fk("notifications", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "member_id", "kind", "subject", "occasion", name="uq_notifications_once"
        ),
    )
    op.create_index("ix_notifications_member_id", "notifications", ["member_id", "id"])
    op.create_index(
        "ix_notifications_unread",
        "notifications",
        ["member_id"],
        sqlite_where=sa.text("read_at IS NULL"),
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("to", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.CheckConstraint("channel IN ('sms')", name=op.f("ck_notification_outbox_channel")),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')",
            name=op.f("ck_notification_outbox_status"),
        ),
        _fk("notification_outbox", "notification_id", "notifications"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
        sa.UniqueConstraint("notification_id", "channel", name="uq_notification_outbox_once"),
    )
    op.create_index(
        "ix_notification_outbox_due", "notification_outbox", ["status", "not_before"]
    )
    op.create_table(
        "notification_preferences",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=8), nullable=False),
        sa.Column("marketing", sa.String(length=8), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "service IN ('app_sms', 'app')", name=op.f("ck_notification_preferences_service")
        ),
        sa.CheckConstraint(
            "marketing IN ('app_sms', 'app', 'off')",
            name=op.f("ck_notification_preferences_marketing"),
        ),
        _fk("notification_preferences", "member_id", "members"),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_notification_preferences")),
    )
    op.create_table(
        "gift_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("gift_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "reason IN ('back_in_stock', 'on_sale')", name=op.f("ck_gift_subscriptions_reason")
        ),
        _fk("gift_subscriptions", "member_id", "members"),
        _fk("gift_subscriptions", "gift_id", "gifts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_subscriptions")),
        sa.UniqueConstraint("member_id", "gift_id", name="uq_gift_subscriptions_member_gift"),
    )
    op.create_index(
        "ix_gift_subscriptions_open", "gift_subscriptions", ["notified_at", "gift_id"]
    )
    op.create_index("ix_shipments_shipped_at", "shipments", ["shipped_at"])
    op.create_index("ix_tier_changes_at", "tier_changes", ["at"])


def downgrade():
    op.drop_index("ix_tier_changes_at", table_name="tier_changes")
    op.drop_index("ix_shipments_shipped_at", table_name="shipments")
    op.drop_table("gift_subscriptions")
    op.drop_table("notification_preferences")
    op.drop_table("notification_outbox")
    op.drop_table("notifications")
