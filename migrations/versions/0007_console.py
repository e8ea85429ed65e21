"""console: the finance role, the append-only audit log

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:05:00

"""

from alembic import op
import sqlalchemy as sa

from app.models.triggers import AUDIT_TABLES, statements

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_ROLES = "role IN ('member', 'advisor', 'operator')"
NEW_ROLES = "role IN ('member', 'advisor', 'operator', 'finance')"


def _roles(check: str) -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.create_check_constraint("role", check)


def upgrade():
    _roles(NEW_ROLES)
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target_type", sa.String(length=30), nullable=False),
        sa.Column("target_id", sa.String(length=40), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_log_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_audit_log_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_target", "audit_log", ["target_type", "target_id"])
    op.create_index(op.f("ix_audit_log_member_id"), "audit_log", ["member_id"])
    for sql in statements(op.get_bind().dialect.name, AUDIT_TABLES):
        op.execute(sql)


def downgrade():
    op.drop_table("audit_log")  # its triggers go with it
    op.execute("DELETE FROM users WHERE role = 'finance'")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
    _roles(OLD_ROLES)
