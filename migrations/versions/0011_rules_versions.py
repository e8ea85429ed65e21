"""versioned rules, campaigns' tiers, the monthly issue cap, points clearing

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:30:00

"""

from alembic import op
import sqlalchemy as sa

from app.models.triggers import RULE_TABLES, statements

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    # Every rules section as a whole, from its effective time on (campaigns carry their tiers
    # in the payload); append-only like the ledger.
    op.create_table(
        "rule_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_rule_versions_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_versions")),
    )
    op.create_index(
        "ix_rule_versions_section_effective", "rule_versions", ["section", "effective_at"]
    )
    for sql in statements(op.get_bind().dialect.name, RULE_TABLES):
        op.execute(sql)
    op.create_table(
        "point_clearings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("earned_before", sa.Date(), nullable=False),
        sa.Column("run_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("preview_members", sa.Integer(), nullable=False),
        sa.Column("preview_points", sa.Integer(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_members", sa.Integer(), nullable=False),
        sa.Column("cleared_points", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('requested', 'approved', 'done', 'cancelled')",
            name=op.f("ck_point_clearings_status"),
        ),
        sa.CheckConstraint("earned_before <= run_on", name=op.f("ck_point_clearings_dates")),
        sa.CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> requested_by_id",
            name=op.f("ck_point_clearings_four_eyes"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_point_clearings_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_point_clearings_approved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_clearings")),
    )
    # the monthly issue cap: 0 = none (its row is also what capped earning locks)
    settings = sa.table("earning_settings", sa.column("key"), sa.column("value"))
    op.bulk_insert(settings, [{"key": "monthly_issue_cap", "value": 0}])


def downgrade():
    op.execute("DELETE FROM earning_settings WHERE key = 'monthly_issue_cap'")
    op.drop_table("point_clearings")
    op.drop_table("rule_versions")  # its triggers go with it
