"""store names in English and Traditional Chinese (zh_Hans stays in `name`)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 17:45:00

"""

from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("stores") as batch:
        batch.add_column(sa.Column("names", sa.JSON(), nullable=False, server_default="{}"))


def downgrade():
    with op.batch_alter_table("stores") as batch:
        batch.drop_column("names")
