"""member segments: RFM scores per member, recomputed nightly

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member_segments",
        sa.Column("member_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("segment", sa.String(length=12), nullable=False),
        sa.Column("recency_days", sa.Integer(), nullable=True),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary_fen", sa.BigInteger(), nullable=False),
        sa.Column("r_score", sa.SmallInteger(), nullable=True),
        sa.Column("f_score", sa.SmallInteger(), nullable=True),
        sa.Column("m_score", sa.SmallInteger(), nullable=True),
        sa.Column("last_purchase_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("redeemed", sa.Boolean(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "segment IN ('loyal', 'opportunity', 'random', 'at_risk', 'lapsed', 'none')",
            name=op.f("ck_member_segments_segment"),
        ),
        sa.CheckConstraint(
            "(r_score IS NULL AND f_score IS NULL AND m_score IS NULL) OR "
            "(r_score BETWEEN 1 AND 5 AND f_score BETWEEN 1 AND 5 AND m_score BETWEEN 1 AND 5)",
            name=op.f("ck_member_segments_scores"),
        ),
        sa.CheckConstraint(
            "frequency >= 0 AND monetary_fen >= 0", name=op.f("ck_member_segments_figures")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_segments")),
    )
    op.create_index("ix_member_segments_segment", "member_segments", ["segment", "monetary_fen"])
    op.create_table(
        "segment_totals",
        sa.Column("segment", sa.String(length=12), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("held", sa.BigInteger(), nullable=False),
        sa.Column("redeemed", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("segment", name=op.f("pk_segment_totals")),
    )


def downgrade():
    op.drop_table("segment_totals")
    op.drop_index("ix_member_segments_segment", table_name="member_segments")
    op.drop_table("member_segments")
