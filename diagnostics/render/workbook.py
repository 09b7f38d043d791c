"""Workbooks people can use: widths that fit, a frozen bold header, filters, number formats.

Every report's xlsx goes through `workbook_bytes`. Cells are neutralised against formulas by
`safe_export.neutralise_frame` first (a pilot named `=HYPERLINK(...)` stays text), then each
sheet is laid out: each column as wide as its content (within limits, long text wrapped), the
header row frozen and filterable, whole numbers as `1,234`, decimals as `12.5`, shares as
percentages and dates as dates.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from diagnostics.sheets.safe_export import _sheet_name, neutralise_frame

WHOLE = "#,##0"
ONE_DECIMAL = "#,##0.0"
PERCENT = "0%"
DAY = "yyyy-mm-dd"
MIN_WIDTH, MAX_WIDTH = 8, 60
SAMPLE_ROWS = 500  # widths are measured on the first rows: enough to fit, cheap on big sheets
_HEADER_FILL = PatternFill("solid", fgColor="F2F4F7")


@dataclass
class Sheet:
    """A frame and how to show it: explicit number formats per column name, else guessed."""

    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)


def _guess_format(series: pd.Series) -> str | None:
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return WHOLE
    if pd.api.types.is_float_dtype(series):
        values = series.dropna()
        return WHOLE if len(values) and (values == values.round()).all() else ONE_DECIMAL
    if pd.api.types.is_datetime64_any_dtype(series):
        return DAY
    return None


def _cell_format(value: object) -> str | None:
    """For a column of mixed values (such as a summary's Value): one format per cell."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return WHOLE
    if isinstance(value, float):
        return WHOLE if value == round(value) else ONE_DECIMAL
    return None


def _width(series: pd.Series, header: str) -> float:
    sample = series.head(SAMPLE_ROWS).dropna()
    longest = max([len(str(header)), *(len(line) for v in sample for line in str(v).split("\n"))])
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


def workbook_bytes(sheets: Mapping[str, Sheet | pd.DataFrame]) -> bytes:
    """An xlsx with one laid-out sheet per entry, every text cell neutralised."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, spec in sheets.items():
            sheet = spec if isinstance(spec, Sheet) else Sheet(spec)
            safe = neutralise_frame(sheet.frame)
            for column in safe.columns:
                # openpyxl rejects timezone-aware datetimes; exports are in local dates anyway.
                if isinstance(safe[column].dtype, pd.DatetimeTZDtype):
                    safe[column] = safe[column].dt.tz_localize(None)
            title = _sheet_name(name, used)
            safe.to_excel(writer, sheet_name=title, index=False)
            _lay_out(writer.sheets[title], safe, sheet.formats, sheet.frame.columns)
    return buffer.getvalue()


def _lay_out(ws, frame: pd.DataFrame, formats: Mapping[str, str], original_columns) -> None:
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = _HEADER_FILL
        cell.alignment = wrap
    ws.freeze_panes = "A2"
    if len(frame.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(frame.columns))}{len(frame) + 1}"
    rows = len(frame) + 1
    for i, (column, original) in enumerate(zip(frame.columns, original_columns, strict=True)):
        letter = get_column_letter(i + 1)
        series = frame[column]
        width = _width(series, column)
        ws.column_dimensions[letter].width = width
        number_format = formats.get(original) or _guess_format(series)
        long_text = width >= MAX_WIDTH
        mixed = series.dtype == object
        for (cell,) in ws.iter_rows(min_row=2, max_row=rows, min_col=i + 1, max_col=i + 1):
            if number_format:
                cell.number_format = number_format
            elif mixed and (fmt := _cell_format(cell.value)):
                cell.number_format = fmt
            if long_text:
                cell.alignment = wrap
            elif mixed:
                cell.alignment = top
