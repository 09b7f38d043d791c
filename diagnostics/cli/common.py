"""What every command shares: exit statuses, JSON in and out."""

from __future__ import annotations

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
