"""Rows that are not pilots: a stray mark left below the table (a backtick, a dot) after one
or more blank rows. They are left out of the portfolio and listed in the row report, so the
count of pilots matches what the sheet means, and nothing is dropped silently.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from diagnostics.formats import count_of

_MARK = re.compile(r"^[\W_]*$")  # nothing but punctuation, symbols or spaces


def _stray(cell: object) -> bool:
    """A cell that is blank, punctuation only, or one stray character."""
    if cell is None or (isinstance(cell, float) and cell != cell):
        return True
    text = str(cell).strip()
    return len(text) <= 1 or bool(_MARK.match(text))


def stray_rows(source: pd.DataFrame, row_numbers: pd.Series, header_row: int) -> pd.Series:
    """Rows below one or more blank rows holding nothing but a stray mark (a backtick, a
    dot), and any such rows right after them: leftovers of editing, not pilots.

    Only rows after a gap are looked at, so a 100,000-row sheet costs a handful of checks.
    """
    junk = pd.Series(False, index=source.index)
    numbers = row_numbers.to_numpy()
    previous = np.concatenate(([header_row], numbers[:-1]))
    for start in np.flatnonzero(numbers - previous > 1):
        i = int(start)
        while i < len(numbers) and all(_stray(c) for c in source.iloc[i].tolist()):
            junk.iloc[i] = True
            i += 1
            if i < len(numbers) and numbers[i] - numbers[i - 1] > 1:
                break  # a new gap starts its own run
    return junk


def left_out_report(source: pd.DataFrame, row_numbers: pd.Series, junk: pd.Series) -> pd.DataFrame:
    """Row-report lines for the stray rows left out."""
    where = np.flatnonzero(junk.to_numpy())
    cells = source.to_numpy(dtype=object)[where]
    shown = [
        " ".join(str(c).strip() for c in row if c is not None and str(c).strip() not in ("", "nan"))
        for row in cells
    ]
    return pd.DataFrame(
        {
            "row": row_numbers.to_numpy()[where],
            "pilot_id": "",
            "field": "",
            "column": "",
            "value": shown,
            "problem": "only a stray mark below blank rows: left out, not a pilot",
        }
    )


def drop_stray_rows(
    source: pd.DataFrame, row_numbers: pd.Series, header_row: int
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame | None]:
    """The sheet's rows without the stray ones, their row numbers, and the row-report lines
    for what was left out (None when nothing was)."""
    junk = stray_rows(source, row_numbers, header_row)
    if not junk.any():
        return source, row_numbers, None
    left_out = left_out_report(source, row_numbers, junk)
    kept = ~junk.to_numpy()
    return (
        source.loc[kept].reset_index(drop=True),
        row_numbers[kept].reset_index(drop=True),
        left_out,
    )


def left_out_warning(left_out: pd.DataFrame) -> str:
    """One sentence naming the first rows left out as stray marks."""
    rows = ", ".join(str(r) for r in left_out["row"].head(5))
    more = " …" if len(left_out) > 5 else ""
    holds = "holds" if len(left_out) == 1 else "hold"
    return (
        f"{count_of(len(left_out), 'row').capitalize()} below blank rows {holds} only a stray "
        f"mark (row {rows}{more}); left out, not counted as pilots."
    )
