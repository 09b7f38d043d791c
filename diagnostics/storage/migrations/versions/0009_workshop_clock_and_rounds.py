"""Workshops may run a countdown per question and open a second round of votes on a question."""

import sqlalchemy as sa
from alembic import op

from diagnostics.storage.migrations.columns import create_table_with_id, in_own_workshop, moment

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch copy would recreate `workshops` and `workshop_questions` and,
    # with foreign keys on, SQLite would delete the rows that point at them.
    op.add_column("workshops", sa.Column("countdown_seconds", sa.Integer(), nullable=True))
    op.add_column("workshops", moment("clock_started_at", required=False))
    op.add_column("workshops", moment("deadline_at", required=False))
    op.add_column(
        "workshop_questions",
        sa.Column("round", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )
    # The votes of a round that was voted again: kept as they were, one row per vote.
    create_table_with_id(
        "workshop_round_votes",
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(80), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(20), nullable=False),
        moment("updated_at"),
        sa.UniqueConstraint(
            "participant_id",
            "question_id",
            "round",
            name="uq_workshop_round_votes_participant_id",
        ),
        *in_own_workshop("workshop_round_votes"),
    )
    op.create_index("ix_workshop_round_votes_workshop_id", "workshop_round_votes", ["workshop_id"])


def downgrade() -> None:
    op.drop_index("ix_workshop_round_votes_workshop_id", "workshop_round_votes")
    op.drop_table("workshop_round_votes")
    op.drop_column("workshop_questions", "round")  # SQLite 3.35+ drops a column in place
    op.drop_column("workshops", "deadline_at")
    op.drop_column("workshops", "clock_started_at")
    op.drop_column("workshops", "countdown_seconds")
