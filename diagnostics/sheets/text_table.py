"""Reading a csv (or tsv, txt) file: its encoding, its delimiter, and its cells as a grid.

The encoding is worked out from byte-order marks and trial decoding (utf-8, cp1252, utf-16),
the delimiter from the lines themselves; binary content is refused with a plain message.
"""

from __future__ import annotations

import codecs
import csv
import io
import re

import numpy as np
import pandas as pd

from diagnostics.errors import ImportFileError
from diagnostics.sheets.file_kinds import (
    MAX_SHEET_ROWS,
    SAVE_AS,
    short_reason,
    too_many_columns,
    too_many_rows,
)
from diagnostics.sheets.limits import (
    MAX_COLUMNS,
    MAX_UPLOAD_BYTES,
)
from diagnostics.sheets.table import Table, table_from_grid

# CSV ---------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DELIMITERS = (",", ";", "\t", "|")
# The csv module refuses fields over 128 KB by default; a cell may be as long as the file.
csv.field_size_limit(max(csv.field_size_limit(), MAX_UPLOAD_BYTES))


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The text of a csv file and the encoding found: utf-8 (with or without BOM),
    utf-16, or cp1252; binary content is refused."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data, encoding, name), encoding
    head = data[:4096]
    zeros = head.count(b"\x00")
    if zeros > len(head) // 4:
        even = head[0::2].count(b"\x00")
        odd = head[1::2].count(b"\x00")
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        return _decode(data, encoding, name), encoding
    for encoding in ("utf-8", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        _refuse_binary(text, name)
        return text, encoding
    raise _binary_error(name)


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{name} starts like {encoding.upper()} text but holds bytes that are not. "
            "Save it again as 'CSV UTF-8' and upload that."
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    _refuse_binary(text, name)
    return text


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _refuse_binary(text: str, name: str) -> None:
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > max(8, len(sample) // 200):
        raise _binary_error(name)


def _binary_error(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} is not a text table: its content is binary, not comma-separated values. "
        f"If it is a workbook, give it its .xlsx name; otherwise {SAVE_AS[0].lower()}"
        f"{SAVE_AS[1:]}"
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, most consistent, fields."""
    lines = text[:65536].splitlines()[:60]
    best, best_score = ",", -1.0
    for delimiter in _DELIMITERS:
        counts = [
            len(r) for r in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in r)
        ]
        if not counts:
            continue
        widest = max(counts)
        if widest < 2:
            continue
        common = max(set(counts), key=counts.count)
        score = counts.count(common) / len(counts) * np.log2(common + 1)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_table(data: bytes, name: str, tab: bool = False) -> Table:
    text, encoding = decode_text(data, name)
    if not text.strip():
        raise ImportFileError(f"{name} holds no text. Export the list again and upload it.")
    delimiter = "\t" if tab else sniff_delimiter(text)
    lines = text.count("\n") + 1
    if lines > MAX_SHEET_ROWS * 4:  # far beyond the cap even if every row spans lines
        raise too_many_rows(name, lines)
    width = max(
        (len(r) for r in csv.reader(text[:262144].splitlines()[:200], delimiter=delimiter)),
        default=1,
    )
    if width > MAX_COLUMNS:
        raise too_many_columns(name, width)
    grid = _parse_csv(text, delimiter, width, name)
    if grid.shape[1] > MAX_COLUMNS:
        raise too_many_columns(name, grid.shape[1])
    if grid.shape[0] > MAX_SHEET_ROWS:
        raise too_many_rows(name, grid.shape[0])
    table = table_from_grid(grid, name, start_row=0)
    if encoding not in ("utf-8", "utf-8-sig"):
        table.warnings.insert(0, f"Read the file as {encoding} text (it is not UTF-8).")
    return table


def _parse_csv(text: str, delimiter: str, width: int, name: str) -> np.ndarray:
    def parse(columns: int) -> pd.DataFrame:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=list(range(columns)),
            dtype=object,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            nrows=MAX_SHEET_ROWS + 1,
            engine="c",
            quotechar='"',
        )

    try:
        try:
            frame = parse(width)
        except pd.errors.ParserError:
            # A longer row further down: count the widest row once and read again.
            width = max(
                (len(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)), default=1
            )
            if width > MAX_COLUMNS:
                raise too_many_columns(name, width) from None
            frame = parse(width)
    except ImportFileError:
        raise
    except (pd.errors.ParserError, csv.Error, ValueError, MemoryError) as exc:
        raise ImportFileError(
            f"{name} could not be read as a comma-separated file ({short_reason(exc)}). Check that "
            "quotes are balanced, or save it again from Excel as CSV UTF-8."
        ) from None
    return frame.to_numpy(dtype=object)
