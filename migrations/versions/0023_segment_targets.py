"""segment targets: campaigns, tier benefits and flash events may be for one segment only

Revision ID: 0023_segment_targets
Revises: 0022_pickup_store
Create Date: 2026-12-01 21:40:00

NULL (every existing row) keeps them for everyone, as before.
"""

from alembic import op
import sqlalchemy as sa

revision = "0023_segment_targets"
down_revision = "0022_pickup_store"
branch_labels = None
depends_on = None

TABLES = ("campaigns", "benefits", "flash_events")
CHECK = (
    "segment IS NULL OR segment IN "
    "('loyal', 'opportunity', 'random', 'at_risk', 'lapsed', 'none')"
)


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("segment", sa.String(length=12), nullable=True))
            batch.create_check_constraint("segment", CHECK)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(f"ck_{table}_segment"), type_="check")
            batch.drop_column("segment")
