"""Portfolio pilots: the sub-unit (bureau inside an agency) and the stop / retirement date."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("portfolio_pilots") as batch:
        batch.add_column(sa.Column("business_subunit", sa.Text()))
        batch.add_column(sa.Column("stop_date", sa.Date()))


def downgrade() -> None:
    with op.batch_alter_table("portfolio_pilots") as batch:
        batch.drop_column("stop_date")
        batch.drop_column("business_subunit")
