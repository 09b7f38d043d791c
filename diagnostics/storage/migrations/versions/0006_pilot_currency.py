"""Pilots: the currency their value and budget were entered in (a code such as EUR; none by
default, amounts are never converted).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pilots") as batch:
        batch.add_column(sa.Column("currency", sa.String(3)))


def downgrade() -> None:
    with op.batch_alter_table("pilots") as batch:
        batch.drop_column("currency")
