"""The table of pilots found in a sheet: the header row below any title block, unique column
names, and the cells below it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from diagnostics.errors import ImportFileError
from diagnostics.sheets.file_kinds import column_label, too_many_rows
from diagnostics.sheets.limits import (
    HEADER_SCAN_ROWS,
    MAX_ROWS,
)


@dataclass
class Table:
    """The table of pilots found in a file.

    `header_row` is the 1-based row number of the header in the sheet (or line in a csv);
    `first_data_row` the row number of `cells[0]`. `columns` are unique (duplicates get
    " (2)", blanks "Column C"); `cells` is a 2-D object array, one row per data row.
    """

    columns: list[str]
    cells: np.ndarray
    header_row: int
    first_data_row: int
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)  # the worksheets a reader sees
    hidden_sheets: list[str] = field(default_factory=list)  # hidden ones, offered on request
    warnings: list[str] = field(default_factory=list)
    row_numbers: np.ndarray | None = None

    @property
    def rows(self) -> int:
        return int(self.cells.shape[0])

    def column(self, name: str) -> pd.Series:
        """One column as an object Series indexed 0..rows-1."""
        return pd.Series(self.cells[:, self.columns.index(name)], dtype=object, copy=False)

    def frame(self) -> pd.DataFrame:
        """All columns as an object DataFrame (no copy)."""
        return pd.DataFrame(self.cells, columns=self.columns, dtype=object, copy=False)


# Finding the table ---------------------------------------------------------------------------


def table_from_rows(rows: list[list], name: str, start_row: int) -> Table:
    if not rows:
        raise _empty_sheet(name)
    grid = np.array(rows, dtype=object)
    if grid.ndim != 2:  # ragged rows (should not happen with calamine): pad them
        width = max(len(r) for r in rows)
        grid = np.array([list(r) + [""] * (width - len(r)) for r in rows], dtype=object)
    return table_from_grid(grid, name, start_row)


def _empty_sheet(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} has no data: the sheet is empty. Check that you saved the right file, or "
        "choose the sheet that holds the list of pilots."
    )


def table_from_grid(grid: np.ndarray, name: str, start_row: int) -> Table:
    """Split a grid of cells into header and data; drop fully blank rows and columns."""
    if grid.size == 0:
        raise _empty_sheet(name)
    scan = grid[:HEADER_SCAN_ROWS].tolist()
    if max((filled_cells(r) for r in scan), default=0) == 0:
        raise _empty_sheet(name)
    index = header_index(scan)
    header = grid[index]
    body = grid[index + 1 :]
    row_numbers = np.arange(index + 2, index + 2 + len(body)) + start_row
    texts = [cell_text(c) for c in header]
    # A column without a name is kept when it holds something; a row when any cell does.
    keep_cols = np.array(
        [bool(t) or not _blank_mask(body[:, j]).all() for j, t in enumerate(texts)]
    )
    if not keep_cols.any():
        raise _empty_sheet(name)
    if not keep_cols.all():  # copy the cells only when something is dropped
        body = body[:, keep_cols]
    texts = [t for t, keep in zip(texts, keep_cols, strict=True) if keep]
    labels = [column_label(i + 1) for i, keep in enumerate(keep_cols) if keep]
    keep_rows = ~_blank_rows(body)
    if not keep_rows.all():
        body = body[keep_rows]
        row_numbers = row_numbers[keep_rows]
    if len(body) > MAX_ROWS:
        raise too_many_rows(name, len(body))
    if not len(body):
        raise ImportFileError(
            f"{name} has column names (row {index + 1 + start_row}) but no rows of pilots "
            "below them. Add the pilots, one per row, under the header and upload again."
        )
    columns, warnings = unique_columns(texts, labels)
    return Table(
        columns=columns,
        cells=body,
        header_row=index + 1 + start_row,
        first_data_row=int(row_numbers[0]),
        warnings=warnings,
        row_numbers=row_numbers,
    )


def _blank_rows(cells: np.ndarray) -> np.ndarray:
    """Rows whose every cell is blank. Column by column, looking only at the rows still blank
    so far: after the first column that is always filled (an ID, a name) none are left, so a
    table costs one column's look instead of every cell's."""
    blank = np.ones(cells.shape[0], dtype=bool)
    for j in range(cells.shape[1]):
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        blank[rows[~_blank_mask(cells[rows, j])]] = False
    return blank


def _blank_mask(cells: np.ndarray) -> np.ndarray:
    """True where a cell is empty (None, NaN or ""), element-wise in C, no Python loop."""
    return pd.isna(cells) | (cells == "")


def unique_columns(texts: list[str], labels: list[str]) -> tuple[list[str], list[str]]:
    """Unique column names: blanks become "Column C", repeats get " (2)", " (3)"..."""
    warnings: list[str] = []
    seen: dict[str, int] = {}
    columns: list[str] = []
    repeated: list[str] = []
    for text, label in zip(texts, labels, strict=True):
        base = text or f"Column {label}"
        key = base.casefold()
        if key in seen:
            seen[key] += 1
            name = f"{base} ({seen[key]})"
            repeated.append(base)
        else:
            seen[key] = 1
            name = base
        columns.append(name)
    if repeated:
        names = ", ".join(repr(r) for r in dict.fromkeys(repeated))
        warnings.append(
            f"Some column names appear more than once ({names}); the later ones were "
            "numbered, e.g. 'Name (2)'. Check the mapping uses the column you mean."
        )
    return columns, warnings


def cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def filled_cells(row: list) -> int:
    return sum(1 for c in row if cell_text(c))


_NUMBERISH = re.compile(r"^[\s$€£%()+\-.,0-9:/]*$")


def _is_label(value: object) -> bool:
    """A cell that could name a column: text that is not a number or a date."""
    if isinstance(value, bool) or not isinstance(value, str):
        return False
    text = value.strip()
    return bool(text) and not _NUMBERISH.match(text)


def header_index(scan: list[list]) -> int:
    """The header row among the first rows: skip blank, title and banner rows.

    The header is the first row that fills at least half as many cells as the widest of
    the rows scanned (titles and banners fill one or two), holds at least two cells (unless
    the table has a single column), and is mostly labels rather than numbers or dates.
    """
    fills = [filled_cells(r) for r in scan]
    widest = max(fills)
    for i, row in enumerate(scan):
        filled = fills[i]
        if filled == 0 or (widest >= 2 and filled < 2) or filled < 0.5 * widest:
            continue
        labels = sum(1 for c in row if _is_label(c))
        if labels >= 0.6 * filled:
            return i
    return next(i for i, f in enumerate(fills) if f == widest)
