"""What every command shares: exit statuses, JSON in and out, the database option."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from diagnostics.errors import DiagnosticError

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _read_json_file(path: str) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise DiagnosticError(f"{path}: file not found.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        message = f"{path} is not valid JSON ({exc}). Fix the file and retry."
        raise DiagnosticError(message) from None


def add_database_option(parser: argparse.ArgumentParser) -> None:
    """`--database-url`, for the commands that read or write saved data."""
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: DATABASE_URL or SQLite)")


def migrated_engine(args: argparse.Namespace):
    """The engine of `--database-url`, its schema brought up to date first when behind."""
    from diagnostics.storage import store

    engine = store.make_engine(args.database_url)
    if store.current_revision(engine) != store.head_revision():
        store.migrate(engine)
    return engine
