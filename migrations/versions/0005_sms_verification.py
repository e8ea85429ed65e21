"""one-time SMS codes for registration and password reset

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00

"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "verification_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=11), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_verification_codes_attempts")),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_verification_codes_expiry")),
        sa.CheckConstraint(
            "purpose IN ('register', 'reset')", name=op.f("ck_verification_codes_purpose")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_codes")),
        sa.UniqueConstraint("phone", "purpose", name="uq_verification_codes_phone_purpose"),
    )
    op.create_table(
        "sms_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
    )
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.create_index("ix_sms_messages_to_id", ["to", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_messages_to_id")
    op.drop_table("sms_messages")
    op.drop_table("verification_codes")
