"""monitoring alerts: rules, thresholds, alerts with evidence and their handling

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 14:00:00

"""

from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _users_fk(table: str, column: str):
    return sa.ForeignKeyConstraint([column], ["users.id"], name=op.f(f"fk_{table}_{column}_users"))


def upgrade():
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("subject_type", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("dedup_key", sa.String(length=160), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledge_note", sa.String(length=200), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolve_note", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "severity IN ('high', 'medium', 'low')", name=op.f("ck_alerts_severity")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'resolved')", name=op.f("ck_alerts_status")
        ),
        sa.CheckConstraint(
            "subject_type IN ('member', 'store', 'ip', 'device', 'gift', 'advisor', 'ledger', 'account')",
            name=op.f("ck_alerts_subject_type"),
        ),
        _users_fk("alerts", "acknowledged_by_id"),
        _users_fk("alerts", "resolved_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_alerts_dedup_key")),
    )
    op.create_index("ix_alerts_status_severity", "alerts", ["status", "severity"])
    op.create_index("ix_alerts_subject", "alerts", ["rule", "subject_type", "subject", "opened_at"])
    # an operator's thresholds for one rule, append-only: the latest row is in force
    op.create_table(
        "alert_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=30), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        _users_fk("alert_settings", "created_by_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_settings")),
    )
    op.create_index("ix_alert_settings_rule", "alert_settings", ["rule", "id"])
    op.create_table(
        "alert_cursors",
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_alert_cursors")),
    )
    op.create_table(
        "alert_tallies",
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("metric", "subject", "day", name=op.f("pk_alert_tallies")),
    )
    op.create_index("ix_alert_tallies_metric_day", "alert_tallies", ["metric", "day"])
    op.create_table(
        "alert_observations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_alert_observations_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_observations")),
    )
    op.create_index("ix_alert_observations_kind_at", "alert_observations", ["kind", "at"])
    op.create_index(
        "ix_alert_observations_kind_subject_at", "alert_observations", ["kind", "subject", "at"]
    )


def downgrade():
    op.drop_index("ix_alert_observations_kind_subject_at", table_name="alert_observations")
    op.drop_index("ix_alert_observations_kind_at", table_name="alert_observations")
    op.drop_table("alert_observations")
    op.drop_index("ix_alert_tallies_metric_day", table_name="alert_tallies")
    op.drop_table("alert_tallies")
    op.drop_table("alert_cursors")
    op.drop_index("ix_alert_settings_rule", table_name="alert_settings")
    op.drop_table("alert_settings")
    op.drop_index("ix_alerts_subject", table_name="alerts")
    op.drop_index("ix_alerts_status_severity", table_name="alerts")
    op.drop_table("alerts")
