"""Shapes the revisions share: a table whose rows are numbered by an integer `id`, a reference
to another table's row, with its constraint named as `models.NAMING_CONVENTION` names it, a
timezone-aware moment, and the keys that hold a workshop vote inside its own workshop.

A revision never changes once released, so neither may what it builds here: add a new shape
rather than editing one a revision already uses.
"""

import sqlalchemy as sa
from alembic import op


def create_table_with_id(name: str, *columns: sa.schema.SchemaItem) -> sa.Table:
    """`op.create_table` for a table whose rows are numbered: an integer `id` primary key first."""
    return op.create_table(name, sa.Column("id", sa.Integer(), primary_key=True), *columns)


def reference(
    table: str, column: str, target: str, *, ondelete: str = "CASCADE", **options
) -> sa.Column:
    """`table.column`: an integer pointing at `target.id`, keyed fk_<table>_<column>_<target>."""
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(f"{target}.id", ondelete=ondelete, name=f"fk_{table}_{column}_{target}"),
        **options,
    )


def moment(name: str, *, required: bool = True) -> sa.Column:
    """A date and time with its zone; `required` makes it NOT NULL."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=not required)


def in_own_workshop(table: str) -> list[sa.ForeignKeyConstraint]:
    """A vote table's keys: its participant and its question belong to the vote's workshop."""
    return [
        sa.ForeignKeyConstraint(
            ["participant_id", "workshop_id"],
            ["workshop_participants.id", "workshop_participants.workshop_id"],
            ondelete="CASCADE",
            name=f"fk_{table}_participant_id_workshop_participants",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id", "question_id"],
            ["workshop_questions.workshop_id", "workshop_questions.question_id"],
            ondelete="CASCADE",
            name=f"fk_{table}_workshop_id_workshop_questions",
        ),
    ]
