"""for you: co-redemption pairs, popularity per tier and segment, the shelves' daily figures

Revision ID: 0021_gift_pairs
Revises: 0020
Create Date: 2026-12-01 22:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "0021_gift_pairs"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gift_pairs",
        sa.Column("gift_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("other_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("gift_id", "other_id", name=op.f("pk_gift_pairs")),
    )
    op.create_table(
        "gift_popularity",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("gift_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("scope IN ('tier', 'segment')", name=op.f("ck_gift_popularity_scope")),
        sa.PrimaryKeyConstraint("scope", "code", "gift_id", name=op.f("pk_gift_popularity")),
    )
    op.create_table(
        "shelf_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("via", sa.String(length=8), nullable=False),
        sa.Column("impressions", sa.Integer(), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("redemptions", sa.Integer(), nullable=False),
        sa.CheckConstraint("via IN ('for_you', 'shelf')", name=op.f("ck_shelf_daily_via")),
        sa.PrimaryKeyConstraint("day", "via", name=op.f("pk_shelf_daily")),
    )


def downgrade():
    op.drop_table("shelf_daily")
    op.drop_table("gift_popularity")
    op.drop_table("gift_pairs")
