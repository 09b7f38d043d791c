"""Portfolios: uploaded spreadsheets of pilots, one row per pilot in canonical form."""

import sqlalchemy as sa
from alembic import op

from diagnostics.storage.migrations.columns import create_table_with_id, moment, reference

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    create_table_with_id(
        "portfolios",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("source_filename", sa.Text()),
        sa.Column("source_hash", sa.String(64)),
        sa.Column("sheet", sa.Text()),
        sa.Column("mapping_json", sa.JSON()),
        moment("created_at"),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_portfolios_name", "portfolios", ["name"])
    op.create_table(
        "portfolio_pilots",
        reference("portfolio_pilots", "portfolio_id", "portfolios", nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("pilot_id", sa.Text()),
        sa.Column("name", sa.Text()),
        sa.Column("business_unit", sa.Text()),
        sa.Column("owner", sa.Text()),
        sa.Column("technology", sa.Text()),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("stage_raw", sa.Text()),
        sa.Column("start_date", sa.Date()),
        sa.Column("decision_date", sa.Date()),
        sa.Column("pilot_budget", sa.Float()),
        sa.Column("production_estimate", sa.Float()),
        sa.Column("expected_annual_value", sa.Float()),
        sa.Column("live_users", sa.Float()),
        sa.Column("data_sources", sa.Float()),
        sa.Column("extra", sa.JSON()),
        sa.PrimaryKeyConstraint("portfolio_id", "row_number", name="pk_portfolio_pilots"),
    )


def downgrade() -> None:
    op.drop_table("portfolio_pilots")
    op.drop_index("ix_portfolios_name", table_name="portfolios")
    op.drop_table("portfolios")
