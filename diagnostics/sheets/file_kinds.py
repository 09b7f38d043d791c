"""What the reader accepts and the words it refuses with: file kinds, their signatures, and the
messages shared by the workbook, archive and csv readers (too many rows or columns, a password).
"""

from __future__ import annotations

from diagnostics.errors import ImportFileError
from diagnostics.sheets.limits import HEADER_SCAN_ROWS, MAX_COLUMNS, MAX_ROWS

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SUPPORTED_SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES
SUPPORTED_TEXT = "xlsx, xlsm, xls, ods or csv"

ZIP_MAGIC = b"PK\x03\x04"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Office container (xls, encrypted xlsx)
SAVE_AS = "Open it in Excel or LibreOffice and save it as .xlsx or .csv, then upload that."
# Rows a sheet may have above and within the table: the pilots, the header, a title block.
MAX_SHEET_ROWS = MAX_ROWS + HEADER_SCAN_ROWS + 1


def password_error(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} is protected with a password, so its cells cannot be read. Open it in Excel, "
        "remove the password (File > Info > Protect Workbook), save, and upload it again."
    )


def short_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def column_label(number: int) -> str:
    label = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        label = chr(65 + rest) + label
    return label or "A"


def too_many_rows(name: str, rows: int, sheet: str | None = None) -> ImportFileError:
    where = f"the sheet {sheet!r} of {name}" if sheet else name
    return ImportFileError(
        f"{where} has {rows:,} rows; at most {MAX_ROWS:,} pilots can be imported at once. "
        "Split the file, or delete empty but formatted rows at the bottom, and upload again."
    )


def too_many_columns(name: str, columns: int, sheet: str | None = None) -> ImportFileError:
    where = f"the sheet {sheet!r} of {name}" if sheet else name
    return ImportFileError(
        f"{where} has {columns:,} columns; at most {MAX_COLUMNS} can be read. Delete the "
        "columns you don't need (including empty but formatted ones) and upload again."
    )
