"""Workshops: join codes, per-question locks and reveals, participants, votes, join attempts."""

import sqlalchemy as sa
from alembic import op

from diagnostics.storage.migrations.columns import (
    create_table_with_id,
    in_own_workshop,
    moment,
    reference,
)

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    create_table_with_id(
        "workshops",
        reference("workshops", "pilot_id", "pilots", nullable=False),
        reference("workshops", "assessment_id", "assessments", ondelete="SET NULL"),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("join_code", sa.String(12), nullable=False),
        sa.Column("facilitator_hash", sa.String(64), nullable=False),
        sa.Column("position", sa.String(40), nullable=False),
        sa.Column("content_version", sa.String(40), nullable=False),
        sa.Column("pacing", sa.String(20), nullable=False),
        sa.Column("current_reason", sa.String(80)),
        sa.Column("current_question", sa.String(80)),
        sa.Column("ask_names", sa.Boolean(), nullable=False),
        sa.Column("join_open", sa.Boolean(), nullable=False),
        moment("created_at"),
        moment("updated_at"),
        moment("ended_at", required=False),
        sa.UniqueConstraint("join_code", name="uq_workshops_join_code"),
        sa.UniqueConstraint("facilitator_hash", name="uq_workshops_facilitator_hash"),
    )
    op.create_index("ix_workshops_pilot_id", "workshops", ["pilot_id"])
    op.create_table(
        "workshop_questions",
        reference("workshop_questions", "workshop_id", "workshops", primary_key=True),
        sa.Column("question_id", sa.String(80), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("revealed", sa.Boolean(), nullable=False),
    )
    create_table_with_id(
        "workshop_participants",
        reference("workshop_participants", "workshop_id", "workshops", nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(80)),
        sa.Column("role", sa.String(20)),
        moment("joined_at"),
        sa.UniqueConstraint("token_hash", name="uq_workshop_participants_token_hash"),
        sa.UniqueConstraint("id", "workshop_id", name="uq_workshop_participants_id"),
    )
    op.create_index(
        "ix_workshop_participants_workshop_id", "workshop_participants", ["workshop_id"]
    )
    create_table_with_id(
        "workshop_votes",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(80), nullable=False),
        sa.Column("value", sa.String(20), nullable=False),
        moment("updated_at"),
        # One vote per participant and question: the upsert relies on it.
        sa.UniqueConstraint(
            "participant_id", "question_id", name="uq_workshop_votes_participant_id"
        ),
        *in_own_workshop("workshop_votes"),
    )
    op.create_index("ix_workshop_votes_workshop_id", "workshop_votes", ["workshop_id"])
    create_table_with_id(
        "workshop_join_attempts",
        sa.Column("client_key", sa.String(64), nullable=False),
        moment("attempted_at"),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_workshop_join_attempts_client_key", "workshop_join_attempts", ["client_key"]
    )


def downgrade() -> None:
    op.drop_table("workshop_join_attempts")
    op.drop_table("workshop_votes")
    op.drop_table("workshop_participants")
    op.drop_table("workshop_questions")
    op.drop_table("workshops")
