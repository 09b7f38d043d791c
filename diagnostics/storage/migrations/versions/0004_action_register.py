"""Action register: actions adopted from results or added by hand, and their status changes.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "register_actions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "pilot_id",
            sa.Integer(),
            sa.ForeignKey(
                "pilots.id", ondelete="CASCADE", name="fk_register_actions_pilot_id_pilots"
            ),
        ),
        sa.Column(
            "assessment_id",
            sa.Integer(),
            sa.ForeignKey(
                "assessments.id",
                ondelete="SET NULL",
                name="fk_register_actions_assessment_id_assessments",
            ),
        ),
        sa.Column("question_id", sa.String(80)),
        sa.Column("reason", sa.String(80)),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(120)),
        sa.Column("due_date", sa.Date()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("source_ref", sa.String(120)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_register_actions_pilot_id", "register_actions", ["pilot_id"])
    op.create_index("ix_register_actions_source_ref", "register_actions", ["source_ref"])
    op.create_table(
        "register_action_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "action_id",
            sa.Integer(),
            sa.ForeignKey(
                "register_actions.id",
                ondelete="CASCADE",
                name="fk_register_action_changes_action_id_register_actions",
            ),
            nullable=False,
        ),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("via", sa.String(20), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_register_action_changes_action_id", "register_action_changes", ["action_id"]
    )


def downgrade() -> None:
    op.drop_table("register_action_changes")
    op.drop_table("register_actions")
