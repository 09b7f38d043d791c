"""Pilot links and the demo scope: a portfolio row confirmed as (or told apart from) a saved
pilot, and a flag that keeps demo pilots out of every real portfolio's view.
"""

import sqlalchemy as sa
from alembic import op

from diagnostics.storage.migrations.columns import create_table_with_id, moment, reference

revision = "0007"
down_revision = "0006"

DEMO_PILOT_NAMES = (
    "Support ticket routing assistant",
    "Invoice matching for accounts payable",
    "Spare-parts demand forecast",
    "Contract clause extraction",
)


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy would recreate `pilots` and, with foreign keys on,
    # SQLite would delete every assessment that points at it.
    op.add_column(
        "pilots", sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    create_table_with_id(
        "pilot_links",
        sa.Column("portfolio_name", sa.String(200), nullable=False),
        sa.Column("row_key", sa.String(400), nullable=False),
        reference("pilot_links", "pilot_id", "pilots", nullable=False),
        sa.Column("linked", sa.Boolean(), nullable=False),
        moment("created_at"),
        sa.UniqueConstraint(
            "portfolio_name", "row_key", "pilot_id", name="uq_pilot_links_portfolio_name"
        ),
    )
    op.create_index("ix_pilot_links_pilot_id", "pilot_links", ["pilot_id"])
    # A database seeded with the demo before this revision: its made-up pilots join the demo
    # scope (the names the demo gave them when this revision was written, now kept in
    # data/demo_pilots.yaml; listed here as they were, since a revision never changes).
    pilots = sa.table("pilots", sa.column("name", sa.String), sa.column("is_demo", sa.Boolean))
    portfolios = sa.table("portfolios", sa.column("is_demo", sa.Boolean))
    op.execute(
        pilots.update()
        .where(pilots.c.name.in_(DEMO_PILOT_NAMES))
        .where(sa.exists().where(portfolios.c.is_demo.is_(True)))
        .values(is_demo=True)
    )


def downgrade() -> None:
    op.drop_index("ix_pilot_links_pilot_id", table_name="pilot_links")
    op.drop_table("pilot_links")
    op.drop_column("pilots", "is_demo")  # SQLite 3.35+ drops a column in place
