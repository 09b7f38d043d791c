"""Action register: actions adopted from results or added by hand, and their status changes."""

import sqlalchemy as sa
from alembic import op

from diagnostics.storage.migrations.columns import create_table_with_id, moment, reference

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_table_with_id(
        "register_actions",
        reference("register_actions", "pilot_id", "pilots"),
        reference("register_actions", "assessment_id", "assessments", ondelete="SET NULL"),
        sa.Column("question_id", sa.String(80)),
        sa.Column("reason", sa.String(80)),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(120)),
        sa.Column("due_date", sa.Date()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("source_ref", sa.String(120)),
        moment("created_at"),
        moment("updated_at"),
        moment("completed_at", required=False),
    )
    op.create_index("ix_register_actions_pilot_id", "register_actions", ["pilot_id"])
    op.create_index("ix_register_actions_source_ref", "register_actions", ["source_ref"])
    create_table_with_id(
        "register_action_changes",
        reference("register_action_changes", "action_id", "register_actions", nullable=False),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("via", sa.String(20), nullable=False),
        moment("changed_at"),
    )
    op.create_index(
        "ix_register_action_changes_action_id", "register_action_changes", ["action_id"]
    )


def downgrade() -> None:
    op.drop_table("register_action_changes")
    op.drop_table("register_actions")
