"""Reading a spreadsheet of pilots safely: any common format, any layout above the table.

Workbooks (xlsx, xlsm, xls, ods) are read with python-calamine, csv files with pandas after
the encoding and delimiter are worked out. Before anything is parsed in full, the file is
checked against the limits in `limits.py`: calamine does not guard against zip bombs and
aborts the whole process (no exception to catch) on a sheet whose cells reach far-away
corners, so those are found first by looking at the archive and the cell references.

The result is a `Table`: the chosen sheet, the header row (found by skipping blank, title
and banner rows), unique column names, and the cells below as a 2-D object array.
"""

from __future__ import annotations

import gc
import io
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import python_calamine

from diagnostics.errors import ImportFileError
from diagnostics.sheets.archive_check import check_archive
from diagnostics.sheets.file_kinds import (
    CFB_MAGIC,
    MAX_SHEET_ROWS,
    SAVE_AS,
    SUPPORTED_SUFFIXES,
    SUPPORTED_TEXT,
    TEXT_SUFFIXES,
    ZIP_MAGIC,
    password_error,
    short_reason,
    too_many_columns,
    too_many_rows,
)
from diagnostics.sheets.limits import (
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
)
from diagnostics.sheets.table import Table, cell_text, filled_cells, header_index, table_from_rows
from diagnostics.sheets.text_table import read_csv_table

# Entry point ----------------------------------------------------------------------------

_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Hold off Python's cyclic garbage collector during a bulk read or write.

    Reading 100,000 rows creates about two million objects (cells, row lists, row tuples);
    the collector walked all of them again and again (0.3 s of a 3.7 s import and save),
    though none form cycles: reference counting frees them either way. Nested and
    concurrent uses are counted; the collector runs again when the last one ends, unless
    it was off before the first began.
    """
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_holders += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


def read_table(
    data: bytes,
    filename: str,
    sheet: str | None = None,
    header_hint: Callable[[list[str]], float] | None = None,
) -> Table:
    """Find the table of pilots in a file's bytes; `ImportFileError` when it cannot.

    `header_hint(headers)` scores how much a row of headers looks like a pilot table (used
    to pick the sheet); without it, the sheet with the most filled cells at its top wins.
    """
    name = filename or "the file"
    if not data:
        raise ImportFileError(
            f"{name} is empty (0 bytes). Export the spreadsheet again and upload the saved file."
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB; the limit is {MAX_UPLOAD_MB} MB. "
            "Remove columns or sheets you don't need, or split the file, and upload again."
        )
    suffix = _suffix(filename)
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportFileError(
            f"{name}: files of type {suffix or '(no extension)'} cannot be read. "
            f"Upload a {SUPPORTED_TEXT} file."
        )
    if suffix in TEXT_SUFFIXES:
        return read_csv_table(data, name, tab=suffix == ".tsv")
    return _read_workbook(data, name, suffix, sheet, header_hint)


def _suffix(filename: str) -> str:
    match = re.search(r"(\.[A-Za-z0-9]+)$", filename or "")
    return match.group(1).lower() if match else ""


# Workbooks -------------------------------------------------------------------------------


def _read_workbook(
    data: bytes,
    name: str,
    suffix: str,
    sheet: str | None,
    header_hint: Callable[[list[str]], float] | None,
) -> Table:
    if data.startswith(CFB_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise password_error(name)
        if suffix != ".xls":
            raise ImportFileError(
                f"{name} is an old-style Excel file (.xls) with a {suffix} name. "
                "Rename it to .xls, or open it in Excel and save it as .xlsx."
            )
    elif data.startswith(ZIP_MAGIC):
        if suffix == ".xls":
            suffix = ".xlsx"  # a modern workbook with an old name: calamine reads it anyway
        check_archive(data, name, suffix)
    else:
        raise ImportFileError(_not_a_workbook(data, name, suffix))

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [m.name for m in book.sheets_metadata]
        worksheets = [
            m for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        # A hidden sheet (lookup lists, last year's copy) is not offered unless asked for;
        # a workbook whose every sheet is hidden shows them all.
        visible = [
            m.name for m in worksheets if m.visible == python_calamine.SheetVisibleEnum.Visible
        ] or [m.name for m in worksheets]
        hidden = [m.name for m in worksheets if m.name not in visible]
        if not visible:
            raise ImportFileError(f"{name} has no worksheets. {SAVE_AS}")
        if sheet is not None:
            if sheet not in sheets:
                raise ImportFileError(
                    f"{name} has no sheet called {sheet!r}. Its sheets are: "
                    f"{', '.join(repr(s) for s in sheets)}."
                )
            candidates = [sheet]
        else:
            candidates = visible
        loaded = [(s, _sheet_rows(book, s, name)) for s in candidates]
    except ImportFileError:
        raise
    except python_calamine.PasswordError:
        raise password_error(name) from None
    except (python_calamine.CalamineError, ValueError, OSError, RuntimeError) as exc:
        raise ImportFileError(
            f"{name} could not be read as a {suffix} workbook ({short_reason(exc)}). "
            f"It may be damaged or of another kind. {SAVE_AS}"
        ) from None
    chosen, rows, start_row = _choose_sheet(loaded, name, header_hint)
    table = table_from_rows(rows, name, start_row)
    table.sheet = chosen
    table.sheets = visible if chosen in visible else [*visible, chosen]
    table.hidden_sheets = hidden
    if sheet is None and len(visible) > 1:
        others = [s for s in visible if s != chosen]
        table.warnings.insert(
            0,
            f"Read the sheet {chosen!r}, which looks most like a list of pilots; the file also "
            f"has {', '.join(repr(s) for s in others[:5])}"
            + (" and more" if len(others) > 5 else "")
            + ". Choose another sheet if this is not the right one.",
        )
    return table


def _sheet_rows(book, sheet: str, name: str) -> tuple[list[list], int]:
    ws = book.get_sheet_by_name(sheet)
    if ws.height > MAX_SHEET_ROWS:
        raise too_many_rows(name, ws.height, sheet)
    if ws.width > MAX_COLUMNS:
        raise too_many_columns(name, ws.width, sheet)
    start_row = ws.start[0] if ws.start else 0
    return ws.to_python(), start_row


def _choose_sheet(
    loaded: list[tuple[str, tuple[list[list], int]]],
    name: str,
    header_hint: Callable[[list[str]], float] | None,
) -> tuple[str, list[list], int]:
    best: tuple[float, int] | None = None
    choice = loaded[0]
    for order, (sheet, (rows, _start)) in enumerate(loaded):
        score = _sheet_score(sheet, rows, header_hint)
        if best is None or score > best[0]:
            best = (score, order)
            choice = (sheet, (rows, _start))
    sheet, (rows, start) = choice
    return sheet, rows, start


_GOOD_SHEET = re.compile(r"pilot|portfolio|inventory|use ?case|project|initiative|register", re.I)
_POOR_SHEET = re.compile(r"read ?me|instruction|help|lookup|list|dropdown|note|legend|about", re.I)


def _sheet_score(
    sheet: str, rows: list[list], header_hint: Callable[[list[str]], float] | None
) -> float:
    """How much a sheet looks like a table of pilots: header words, rows, sheet name."""
    if not rows:
        return -100.0
    scan = rows[:HEADER_SCAN_ROWS]
    fills = [filled_cells(r) for r in scan]
    if max(fills, default=0) == 0:
        return -100.0
    index = header_index(scan)
    headers = [cell_text(c) for c in scan[index]]
    score = header_hint(headers) * 10 if header_hint else 0.0
    score += min(len(rows) - index - 1, 1000) / 200 + max(fills) / 10
    if _GOOD_SHEET.search(sheet):
        score += 3
    if _POOR_SHEET.search(sheet):
        score -= 5
    return score


def _not_a_workbook(data: bytes, name: str, suffix: str) -> str:
    head = data[:2048]
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        what = "a web page (HTML)"
    elif head.startswith(b"%PDF"):
        what = "a PDF document"
    elif _looks_like_text(head):
        what = "plain text"
    else:
        what = "not a spreadsheet"
    hint = (
        "If it is a comma-separated list, give it a .csv name." if what == "plain text" else SAVE_AS
    )
    return f"{name} has a {suffix} name but its content is {what}. {hint}"


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head
