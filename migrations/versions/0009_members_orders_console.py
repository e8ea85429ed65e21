"""members and orders in the console: adjustments with approval, freezes, shipping

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

THRESHOLD = "adjustment_approval_threshold"


def _adjustments() -> None:
    op.create_table(
        "point_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason_code", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("request_key", sa.String(length=80), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.String(length=200), nullable=False),
        sa.Column("txn_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("points <> 0", name=op.f("ck_point_adjustments_points")),
        sa.CheckConstraint(
            "status IN ('pending', 'applied', 'rejected')", name=op.f("ck_point_adjustments_status")
        ),
        sa.CheckConstraint(
            "reason_code IN ('goodwill', 'correction', 'complaint', 'campaign', 'other')",
            name=op.f("ck_point_adjustments_reason_code"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_point_adjustments_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_point_adjustments_requested_by_id_users"),
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_point_adjustments_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["txn_id"], ["point_txns.id"], name=op.f("fk_point_adjustments_txn_id_point_txns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_point_adjustments")),
        sa.UniqueConstraint("request_key", name=op.f("uq_point_adjustments_request_key")),
    )
    op.create_index(op.f("ix_point_adjustments_member_id"), "point_adjustments", ["member_id"])
    op.create_index("ix_point_adjustments_status", "point_adjustments", ["status", "requested_at"])


def _freezes() -> None:
    op.create_table(
        "member_freezes",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("frozen_by_id", sa.Integer(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_freezes_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["frozen_by_id"], ["users.id"], name=op.f("fk_member_freezes_frozen_by_id_users")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_freezes")),
    )
    op.create_table(
        "held_lots",
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["point_lots.id"], name=op.f("fk_held_lots_lot_id_point_lots")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_held_lots_member_id_members")
        ),
        sa.PrimaryKeyConstraint("lot_id", name=op.f("pk_held_lots")),
    )
    op.create_index("ix_held_lots_member_open", "held_lots", ["member_id", "released_at"])


def _shipments() -> None:
    op.create_table(
        "shipments",
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=16), nullable=False),
        sa.Column("tracking_no", sa.String(length=40), nullable=False),
        sa.Column("shipped_by_id", sa.Integer(), nullable=False),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["shipped_by_id"], ["users.id"], name=op.f("fk_shipments_shipped_by_id_users")
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_shipments")),
    )


def upgrade():
    _adjustments()
    _freezes()
    _shipments()
    with op.batch_alter_table("stores") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("service_slots") as batch:
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    settings = sa.table("earning_settings", sa.column("key"), sa.column("value"))
    op.bulk_insert(settings, [{"key": THRESHOLD, "value": 1_000}])


def downgrade():
    op.execute(f"DELETE FROM earning_settings WHERE key = '{THRESHOLD}'")
    with op.batch_alter_table("service_slots") as batch:
        batch.drop_column("closed_at")
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("closed_at")
    op.drop_table("shipments")
    op.drop_index("ix_held_lots_member_open", table_name="held_lots")
    op.drop_table("held_lots")
    op.drop_table("member_freezes")
    op.drop_index("ix_point_adjustments_status", table_name="point_adjustments")
    op.drop_index(op.f("ix_point_adjustments_member_id"), table_name="point_adjustments")
    op.drop_table("point_adjustments")
