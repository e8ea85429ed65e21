"""tasks and occasions: task rules and completions, gift reviews, member days and their prices

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 18:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade():
    op.create_table(
        "task_rules",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("monthly_max", sa.Integer(), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.CheckConstraint("points >= 0 AND points <= 100000", name=op.f("ck_task_rules_points")),
        sa.CheckConstraint("monthly_max >= 0", name=op.f("ck_task_rules_monthly_max")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_task_rules")),
    )
    op.create_table(
        "task_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("task_code", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("points >= 0", name=op.f("ck_task_completions_points")),
        _fk("task_completions", "member_id", "members"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_completions")),
        sa.UniqueConstraint("member_id", "task_code", "ref", name="uq_task_completions_once"),
    )
    op.create_index(
        op.f("ix_task_completions_member_id"), "task_completions", ["member_id"], unique=False
    )
    op.create_table(
        "gift_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("gift_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(length=500), nullable=False),
        sa.Column("photo", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("moderated_by_id", sa.Integer(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_gift_reviews_status")
        ),
        _fk("gift_reviews", "member_id", "members"),
        _fk("gift_reviews", "gift_id", "gifts"),
        _fk("gift_reviews", "order_id", "orders"),
        _fk("gift_reviews", "moderated_by_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_reviews")),
        sa.UniqueConstraint("member_id", "gift_id", name="uq_gift_reviews_member_gift"),
        sa.UniqueConstraint("order_id", name=op.f("uq_gift_reviews_order_id")),
    )
    op.create_index(op.f("ix_gift_reviews_gift_id"), "gift_reviews", ["gift_id"], unique=False)
    op.create_table(
        "member_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.CheckConstraint("kind IN ('weekly', 'monthly')", name=op.f("ck_member_days_kind")),
        sa.CheckConstraint(
            "(kind = 'weekly' AND day BETWEEN 0 AND 6) OR "
            "(kind = 'monthly' AND day BETWEEN 1 AND 28)",
            name=op.f("ck_member_days_day"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_days")),
    )
    op.create_table(
        "member_day_prices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gift_id", sa.Integer(), nullable=False),
        sa.Column("tier_code", sa.String(length=10), nullable=False),
        sa.Column("points_price", sa.Integer(), nullable=False),
        sa.CheckConstraint("points_price > 0", name=op.f("ck_member_day_prices_points_price")),
        _fk("member_day_prices", "gift_id", "gifts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_day_prices")),
        sa.UniqueConstraint("gift_id", "tier_code", name="uq_member_day_prices_gift_tier"),
    )
    rules = sa.table(
        "task_rules", sa.column("code"), sa.column("points"), sa.column("enabled"),
        sa.column("monthly_max"), sa.column("sort"),
    )  # fmt: skip
    op.bulk_insert(
        rules,
        [
            {"code": code, "points": points, "enabled": True, "monthly_max": most, "sort": sort}
            for code, points, most, sort in (
                ("first_redemption", 30, 0, 1),
                ("share_gift", 5, 6, 2),
                ("review_gift", 20, 3, 3),
                ("birthday", 100, 0, 9),
            )
        ],
    )
    days = sa.table(
        "member_days", sa.column("id"), sa.column("kind"), sa.column("day"), sa.column("enabled")
    )
    op.bulk_insert(days, [{"id": 1, "kind": "weekly", "day": 2, "enabled": False}])


def downgrade():
    op.drop_table("member_day_prices")
    op.drop_table("member_days")
    op.drop_index(op.f("ix_gift_reviews_gift_id"), table_name="gift_reviews")
    op.drop_table("gift_reviews")
    op.drop_index(op.f("ix_task_completions_member_id"), table_name="task_completions")
    op.drop_table("task_completions")
    op.drop_table("task_rules")
