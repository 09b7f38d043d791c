"""Pilots, assessments, answers and action items."""

import sqlalchemy as sa
from alembic import op

from diagnostics.storage.migrations.columns import create_table_with_id, moment, reference

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_table_with_id(
        "pilots",
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("business_unit", sa.String(300)),
        sa.Column("owner", sa.String(300)),
        sa.Column("start_date", sa.Date()),
        sa.Column("expected_annual_value", sa.Float()),
        sa.Column("pilot_budget", sa.Float()),
        sa.Column("portfolio_ref", sa.String(300)),
        moment("created_at"),
    )
    create_table_with_id(
        "assessments",
        reference("assessments", "pilot_id", "pilots", nullable=False),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("position", sa.String(40), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("content_version", sa.String(40), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=False),
        moment("created_at"),
        moment("updated_at"),
        moment("completed_at", required=False),
        sa.UniqueConstraint("token", name="uq_assessments_token"),
    )
    op.create_index("ix_assessments_pilot_id", "assessments", ["pilot_id"])
    create_table_with_id(
        "answers",
        reference("answers", "assessment_id", "assessments", nullable=False),
        sa.Column("question_id", sa.String(80), nullable=False),
        sa.Column("value", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text()),
        moment("updated_at"),
        sa.UniqueConstraint("assessment_id", "question_id", name="uq_answers_assessment_id"),
    )
    op.create_index("ix_answers_assessment_id", "answers", ["assessment_id"])
    create_table_with_id(
        "action_items",
        reference("action_items", "assessment_id", "assessments", nullable=False),
        sa.Column("question_id", sa.String(80)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(300)),
        sa.Column("due_date", sa.Date()),
        moment("created_at"),
    )
    op.create_index("ix_action_items_assessment_id", "action_items", ["assessment_id"])


def downgrade() -> None:
    op.drop_table("action_items")
    op.drop_table("answers")
    op.drop_table("assessments")
    op.drop_table("pilots")
