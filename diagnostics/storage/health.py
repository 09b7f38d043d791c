"""Is the database ready? Reachable, at the schema revision this code expects, and how full.

Used by `python -m diagnostics check-db` (a container health check, a monitoring probe, or an
operator after a migration). The web server's own liveness answer is Streamlit's
`/_stcore/health`; this one looks behind it, at the shared database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import Engine, func, inspect, select, table
from sqlalchemy.exc import SQLAlchemyError

from diagnostics.errors import StorageError
from diagnostics.storage import store

VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class DatabaseHealth:
    database: str  # the URL with any password hidden
    dialect: str
    revision: str | None
    head: str
    row_counts: dict[str, int]

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "up_to_date": self.up_to_date}


def check_database(engine: Engine) -> DatabaseHealth:
    """Connect, read the schema revision and count the rows of every table."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            from alembic.runtime.migration import MigrationContext

            revision = MigrationContext.configure(connection).get_current_revision()
            names = sorted(n for n in inspect(connection).get_table_names() if n != VERSION_TABLE)
            counts = {
                name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in names
            }
    except SQLAlchemyError as exc:
        raise StorageError(
            f"The database at {where} cannot be reached ({type(exc).__name__}). "
            "Check DATABASE_URL and that the database server is running."
        ) from None
    return DatabaseHealth(
        database=where,
        dialect=engine.dialect.name,
        revision=revision,
        head=store.head_revision(),
        row_counts=counts,
    )
