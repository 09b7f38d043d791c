"""Pilots: the currency their value and budget were entered in (a code such as EUR; none by
default, amounts are never converted).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    with op.batch_alter_table("pilots") as batch:
        batch.add_column(sa.Column("currency", sa.String(3)))


def downgrade() -> None:
    with op.batch_alter_table("pilots") as batch:
        batch.drop_column("currency")
