"""Structured logs: one JSON object per line on stderr, for people running a team deployment.

Events worth a line: a portfolio import, a workshop event (created, joined, voted, revealed,
closed), a schema migration, an error. A line carries ids, counts and durations, never
personal data: names, e-mail addresses, comments, file names or passwords are dropped by key
before anything is written, so a careless call cannot leak them into a log collector.

    configure_logging()                       # once per process (app.py, the command line)
    log_event("portfolio_import", portfolio_id=7, rows=3611, seconds=1.9)
    log_error("workshop_vote_failed", exc, workshop_id=3)

Alembic's "Running upgrade A -> B" messages are turned into `migration` events here, so
migrations are logged without touching the migration scripts.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import traceback
from datetime import UTC, datetime
from typing import IO

LOGGER_NAME = "poctrap"
LEVEL_ENV = "POCTRAP_LOG_LEVEL"
# Keys whose values are (or may be) personal or secret; their values never reach a log line.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "display_name",
        "participant_name",
        "pilot_name",
        "owner",
        "email",
        "user",
        "username",
        "comment",
        "text",
        "filename",
        "source_filename",
        "password",
        "password_hash",
        "token",
        "url",
        "database_url",
    }
)
REMOVED = "[removed]"
MAX_VALUE_CHARS = 200
_MIGRATION_MESSAGE = re.compile(r"Running (upgrade|downgrade) ([^\s,]*) -> ([^\s,]*)")
_ALEMBIC_LOGGER = "alembic.runtime.migration"

logger = logging.getLogger(LOGGER_NAME)


class JsonLineFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, event, then the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", None) or record.getMessage(),
            "pid": record.process,
        }
        line.update(getattr(record, "fields", {}))
        return json.dumps(line, ensure_ascii=False, default=str, separators=(",", ":"))


class _MigrationLines(logging.Handler):
    """Re-emits Alembic's own migration messages as `migration` events."""

    def emit(self, record: logging.LogRecord) -> None:
        match = _MIGRATION_MESSAGE.search(record.getMessage())
        if match:
            direction, source, target = match.groups()
            log_event(
                "migration",
                direction=direction,
                from_revision=source or None,
                to_revision=target or None,
            )


def _clean(fields: dict[str, object]) -> dict[str, object]:
    cleaned: dict[str, object] = {}
    for key, value in fields.items():
        if key.lower() in PERSONAL_KEYS:
            cleaned[key] = REMOVED
        elif value is None or isinstance(value, bool | int | float):
            cleaned[key] = value
        else:
            cleaned[key] = str(value)[:MAX_VALUE_CHARS]
    return cleaned


def configure_logging(level: str | int | None = None, stream: IO[str] | None = None) -> None:
    """Send `poctrap` events to stderr (or `stream`) as JSON lines; safe to call repeatedly.

    Without arguments an existing set-up is kept (app.py calls this on every rerun).
    """
    if (
        level is None
        and stream is None
        and any(getattr(h, "_poctrap", False) for h in logger.handlers)
    ):
        return
    level = level or os.environ.get(LEVEL_ENV, "INFO").upper()
    for handler in list(logger.handlers):
        if getattr(handler, "_poctrap", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLineFormatter())
    handler._poctrap = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False  # Streamlit's own log format must not repeat our lines

    alembic_logger = logging.getLogger(_ALEMBIC_LOGGER)
    if not any(isinstance(h, _MigrationLines) for h in alembic_logger.handlers):
        alembic_logger.addHandler(_MigrationLines())
    alembic_logger.setLevel(logging.INFO)


def log_event(event: str, *, level: int = logging.INFO, **fields: object) -> None:
    """Write one line for `event` with its fields (ids, counts, durations)."""
    logger.log(level, event, extra={"event": event, "fields": _clean(fields)})


def log_error(event: str, exc: BaseException, **fields: object) -> None:
    """One line for a failure: the error's type and where it was raised, not its message.

    Messages can quote user data (a cell, a pilot name), so they stay out of the log; the
    type and the code location are enough to find the cause.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else None
    log_event(event, level=logging.ERROR, error=type(exc).__name__, where=where, **fields)
