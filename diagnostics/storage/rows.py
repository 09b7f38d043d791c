"""From database rows to the engine's plain records.

Records are frozen dataclasses whose fields mostly bear their column's name, so one function
copies those across: a column added to a record cannot be forgotten in one of its copies.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import Any, TypeVar

Record = TypeVar("Record")


def record_from(record_type: type[Record], source: object, **given: Any) -> Record:
    """A `record_type` with the values given, every other field read from the source's
    attribute of the same name (a row, or a record a view is made of)."""
    copied = {f.name: getattr(source, f.name) for f in fields(record_type) if f.name not in given}
    return record_type(**copied, **given)


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes (stored as UTC), PostgreSQL aware ones: make all aware."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
