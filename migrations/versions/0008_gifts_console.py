"""the gift console: library templates, stock movements, images, code imports

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:30:00

"""

from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("gifts") as batch:
        batch.add_column(sa.Column("photo", sa.String(length=64), nullable=True))
    op.create_table(
        "gift_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("descriptions", sa.JSON(), nullable=False),
        sa.Column("image", sa.String(length=20), nullable=False),
        sa.Column("shelf_id", sa.Integer(), nullable=True),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("badges", sa.JSON(), nullable=False),
        sa.Column("points_price", sa.Integer(), nullable=False),
        sa.Column("cash_fen", sa.Integer(), nullable=False),
        sa.Column("cost_fen", sa.Integer(), nullable=False),
        sa.Column("tier_codes", sa.JSON(), nullable=False),
        sa.Column("limit_count", sa.Integer(), nullable=True),
        sa.Column("limit_period", sa.String(length=8), nullable=True),
        sa.Column("per_order_max", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('physical', 'coupon', 'virtual', 'service')",
            name=op.f("ck_gift_templates_kind"),
        ),
        sa.CheckConstraint("points_price > 0", name=op.f("ck_gift_templates_points_price")),
        sa.CheckConstraint(
            "cash_fen >= 0 AND cost_fen >= 0", name=op.f("ck_gift_templates_money")
        ),
        sa.CheckConstraint(
            "limit_count IS NULL OR limit_count > 0", name=op.f("ck_gift_templates_limit_count")
        ),
        sa.CheckConstraint("per_order_max > 0", name=op.f("ck_gift_templates_per_order_max")),
        sa.ForeignKeyConstraint(
            ["shelf_id"], ["shelves.id"], name=op.f("fk_gift_templates_shelf_id_shelves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_templates")),
        sa.UniqueConstraint("code", name=op.f("uq_gift_templates_code")),
    )
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("gift_id", sa.Integer(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stock_after", sa.Integer(), nullable=False),
        sa.CheckConstraint("delta <> 0", name=op.f("ck_stock_movements_delta")),
        sa.CheckConstraint("stock_after >= 0", name=op.f("ck_stock_movements_stock_after")),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_stock_movements_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["gift_id"], ["gifts.id"], name=op.f("fk_stock_movements_gift_id_gifts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index("ix_stock_movements_gift_at", "stock_movements", ["gift_id", "at"])


def downgrade():
    op.drop_index("ix_stock_movements_gift_at", table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_table("gift_templates")
    with op.batch_alter_table("gifts") as batch:
        batch.drop_column("photo")
