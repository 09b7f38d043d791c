"""Workshops may reveal a question's results by themselves once everyone who joined answered."""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy would recreate `workshops` and, with foreign keys on,
    # SQLite would delete the votes and participants that point at it.
    op.add_column(
        "workshops",
        sa.Column("auto_reveal", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("workshops", "auto_reveal")  # SQLite 3.35+ drops a column in place
