"""Is the header row really a header? A sheet whose first row is already a pilot (a date, an
amount, a stage where column names should be), or whose header names nothing we know, is
refused with a message saying how to fix it, rather than imported as nonsense.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from diagnostics.errors import ImportFileError
from diagnostics.portfolio.mapping import ColumnMatch
from diagnostics.portfolio.stages import load_stage_synonyms, stage_key
from diagnostics.portfolio.values import parse_dates, parse_money
from diagnostics.sheets.reader import Table


def check_header(table: Table, matches: Mapping[str, ColumnMatch], name: str) -> None:
    """Refuse a table whose "header" is really a first row of data, or names nothing we know."""
    by_name = [m for m in matches.values() if m.column and m.source in ("header", "profile")]
    cells = [c for c in table.columns if not c.startswith("Column ")]
    value_like = int(looks_like_values(cells).sum())
    if by_name and value_like < 0.5 * max(len(cells), 1):
        return
    shown = ", ".join(repr(c[:40]) for c in table.columns[:8])
    raise ImportFileError(
        f"{name}: no row of column names was found (row {table.header_row} reads {shown}"
        f"{' ...' if len(table.columns) > 8 else ''}). Add a header row above the pilots with "
        "names such as ID, Name, Business unit, Stage, Start date, Pilot budget, or choose "
        "the columns by hand in the mapping."
    )


def looks_like_values(cells: list[str]) -> pd.Series:
    """Header cells that read as a date, an amount or a stage rather than a column name."""
    series = pd.Series(cells, dtype=object)
    synonyms = load_stage_synonyms().exact
    stage_like = series.map(lambda c: stage_key(c) in synonyms).astype(bool)
    return parse_money(series).values.notna() | parse_dates(series).values.notna() | stage_like
