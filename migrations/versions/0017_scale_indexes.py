"""scale: an index on point_txns.created_at for the month-range scans

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 18:20:00

"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    # analytics' monthly flows and the console's trailing months, the monthly issue cap's usage
    # (read on every credit while a cap is set): ranges of created_at over every member
    op.create_index("ix_point_txns_created_at", "point_txns", ["created_at"], unique=False)


def downgrade():
    op.drop_index("ix_point_txns_created_at", table_name="point_txns")
