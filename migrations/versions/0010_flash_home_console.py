"""flash events and the home layout in the console

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD_KINDS = "kind IN ('banner', 'flash', 'shelf')"
NEW_KINDS = "kind IN ('banner', 'flash', 'shelf', 'for_you')"
WINDOW = "ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at"
# "For you" used to lead the home above every section: keep it there on existing arrangements.
FOR_YOU_FIRST = (
    "INSERT INTO home_sections (kind, sort, title, titles, image, link, visible) "
    "SELECT 'for_you', MIN(sort) - 1, '', CAST('{}' AS JSON), '', '', :yes FROM home_sections "
    "HAVING COUNT(*) > 0"
)


def upgrade():
    op.create_table(
        "flash_cancellations",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_flash_cancellations_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["flash_events.id"],
            name=op.f("fk_flash_cancellations_event_id_flash_events"),
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_flash_cancellations")),
    )
    with op.batch_alter_table("home_sections") as batch:
        batch.add_column(
            sa.Column("visible", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
        batch.alter_column("image", existing_type=sa.String(length=40), type_=sa.String(length=120))
        batch.drop_constraint(op.f("ck_home_sections_kind"), type_="check")
        batch.create_check_constraint("kind", NEW_KINDS)
        batch.create_check_constraint("window", WINDOW)
    with op.batch_alter_table("home_sections") as batch:
        batch.alter_column("visible", server_default=None)
    op.execute(sa.text(FOR_YOU_FIRST).bindparams(yes=True))


def downgrade():
    op.execute("DELETE FROM home_sections WHERE kind = 'for_you'")
    with op.batch_alter_table("home_sections") as batch:
        batch.drop_constraint(op.f("ck_home_sections_window"), type_="check")
        batch.drop_constraint(op.f("ck_home_sections_kind"), type_="check")
        batch.create_check_constraint("kind", OLD_KINDS)
        batch.alter_column("image", existing_type=sa.String(length=120), type_=sa.String(length=40))
        batch.drop_column("ends_at")
        batch.drop_column("starts_at")
        batch.drop_column("visible")
    op.drop_table("flash_cancellations")
