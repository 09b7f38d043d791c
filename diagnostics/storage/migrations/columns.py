"""Column shapes the revisions share: a reference to another table's row, with its constraint
named as `models.NAMING_CONVENTION` names it, and a timezone-aware moment.

A revision never changes once released, so neither may what it builds here: add a new shape
rather than editing one a revision already uses.
"""

import sqlalchemy as sa


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
