"""Importing an organisation's spreadsheet of pilots into the canonical portfolio frame.

One call does it all: read the file safely (`spreadsheet`), find the table, map its columns to
our fields (`mapping`), parse every column as a whole (`values`, `stages`) and collect, per
row, what could not be read. Rows are never dropped: a row with an unreadable date or an
unknown stage is kept with a warning, so the counts always match the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from diagnostics.errors import ImportFileError
from diagnostics.portfolio_fields import CANONICAL_COLUMNS
from diagnostics.stages import CANONICAL_STAGES, STARTED_STAGES, stage_counts


@dataclass(frozen=True)
class ColumnMatch:
    """Which source column feeds a field, how sure the mapping is (0-1) and why."""

    field: str
    column: str | None
    confidence: float
    source: str  # "header", "values", "profile", "user" or "none"

    def to_dict(self) -> dict:
        return {
            "column": self.column,
            "confidence": round(self.confidence, 2),
            "source": self.source,
        }


@dataclass
class PortfolioImport:
    """A portfolio read from a file: the canonical frame and everything the user should see.

    `source` holds the table's own columns (deduplicated headers), aligned row for row with
    `frame`, for exports that keep the original columns. `row_problems` lists, per row and
    field, what could not be read (`row` is the row number in the sheet, 1-based).
    """

    frame: pd.DataFrame
    mapping: dict[str, ColumnMatch]
    warnings: list[str]
    sheet: str | None
    header_row: int
    rows_read: int
    source_hash: str
    filename: str = ""
    sheets: list[str] = field(default_factory=list)
    source: pd.DataFrame = field(default_factory=pd.DataFrame)
    row_problems: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmapped_stage_values: dict[str, int] = field(default_factory=dict)

    @property
    def rows_imported(self) -> int:
        return len(self.frame)

    @property
    def rows_with_warnings(self) -> int:
        if self.row_problems.empty:
            return 0
        return int(self.row_problems["row"].nunique())

    def stage_counts(self) -> dict[str, int]:
        return stage_counts(self.frame["stage"])

    def production_rate(self) -> float | None:
        """Production ÷ pilots that started (None when none started)."""
        counts = self.stage_counts()
        started = sum(counts[s] for s in STARTED_STAGES)
        return counts["production"] / started if started else None


def source_bytes(source: str | Path | bytes) -> bytes:
    """The file's bytes, from a path or bytes as given."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{source}: file not found. Check the path and retry.") from None
    except IsADirectoryError:
        raise ImportFileError(
            f"{source} is a folder, not a file. Give a spreadsheet file."
        ) from None
    except OSError as exc:
        raise ImportFileError(f"{source} cannot be read ({exc.strerror}).") from None


def import_portfolio(
    source: str | Path | bytes,
    filename: str,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    stage_overrides: Mapping[str, str] | None = None,
    profile: str | Path | None = None,
) -> PortfolioImport:
    """Read a spreadsheet of pilots (path or bytes) into the canonical portfolio frame.

    `filename` gives the file's kind by its extension. `sheet` picks a worksheet (default: the
    one that looks most like a table of pilots); `mapping` sets field → source column (None
    leaves a field unmapped) over the automatic mapping and `profile`; `stage_overrides` maps
    stage texts the synonyms table does not know. Raises `ImportFileError` with a message
    saying what is wrong and how to fix it when the file cannot be read.
    """
    raise NotImplementedError


__all__ = [
    "CANONICAL_COLUMNS",
    "CANONICAL_STAGES",
    "ColumnMatch",
    "PortfolioImport",
    "import_portfolio",
]
