"""points rollups: daily issued / consumed / expired per flow, channel, source, store and tier

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-01 18:00:00

The rollups job backfills the table on its first run (a batch of ids at a time); until then the
analytics read the ledger after the cursor, so every figure is exact from the start.
"""

from alembic import op
import sqlalchemy as sa

revision = "0020"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "points_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("flow", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("store", sa.String(length=16), nullable=False),
        sa.Column("tier_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("issued", sa.BigInteger(), nullable=False),
        sa.Column("consumed", sa.BigInteger(), nullable=False),
        sa.Column("expired", sa.BigInteger(), nullable=False),
        sa.Column("for_cash", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "flow IN ('issue', 'spend', 'expire', 'other')", name=op.f("ck_points_daily_flow")
        ),
        sa.PrimaryKeyConstraint(
            "day", "flow", "channel", "source", "store", "tier_id", name=op.f("pk_points_daily")
        ),
    )
    op.create_index("ix_points_daily_store_day", "points_daily", ["store", "day"])
    op.create_table(
        "rollup_cursors",
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("pending_upto", sa.BigInteger(), nullable=False),
        sa.Column("pending_xmax", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rollup_cursors")),
    )
    op.create_index(
        "ix_point_lots_open_expiry",
        "point_lots",
        ["expires_at", "remaining"],
        postgresql_where=sa.text("remaining > 0"),
        sqlite_where=sa.text("remaining > 0"),
    )


def downgrade():
    op.drop_index("ix_point_lots_open_expiry", table_name="point_lots")
    op.drop_table("rollup_cursors")
    op.drop_index("ix_points_daily_store_day", table_name="points_daily")
    op.drop_table("points_daily")
