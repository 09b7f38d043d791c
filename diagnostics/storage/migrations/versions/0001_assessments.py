"""Pilots, assessments, answers and action items.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pilots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("business_unit", sa.String(300)),
        sa.Column("owner", sa.String(300)),
        sa.Column("start_date", sa.Date()),
        sa.Column("expected_annual_value", sa.Float()),
        sa.Column("pilot_budget", sa.Float()),
        sa.Column("portfolio_ref", sa.String(300)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "pilot_id",
            sa.Integer(),
            sa.ForeignKey("pilots.id", ondelete="CASCADE", name="fk_assessments_pilot_id_pilots"),
            nullable=False,
        ),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("position", sa.String(40), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("content_version", sa.String(40), nullable=False),
        sa.Column("current_step", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("token", name="uq_assessments_token"),
    )
    op.create_index("ix_assessments_pilot_id", "assessments", ["pilot_id"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "assessment_id",
            sa.Integer(),
            sa.ForeignKey(
                "assessments.id", ondelete="CASCADE", name="fk_answers_assessment_id_assessments"
            ),
            nullable=False,
        ),
        sa.Column("question_id", sa.String(80), nullable=False),
        sa.Column("value", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("assessment_id", "question_id", name="uq_answers_assessment_id"),
    )
    op.create_index("ix_answers_assessment_id", "answers", ["assessment_id"])
    op.create_table(
        "action_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "assessment_id",
            sa.Integer(),
            sa.ForeignKey(
                "assessments.id",
                ondelete="CASCADE",
                name="fk_action_items_assessment_id_assessments",
            ),
            nullable=False,
        ),
        sa.Column("question_id", sa.String(80)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(300)),
        sa.Column("due_date", sa.Date()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_action_items_assessment_id", "action_items", ["assessment_id"])


def downgrade() -> None:
    op.drop_table("action_items")
    op.drop_table("answers")
    op.drop_table("assessments")
    op.drop_table("pilots")
