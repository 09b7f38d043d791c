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

import codecs
import copy
import csv
import gc
import io
import re
import struct
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import python_calamine

from diagnostics.errors import ImportFileError
from diagnostics.sheets.limits import (
    HEADER_SCAN_ROWS,
    MAX_ARCHIVE_MEMBERS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    MAX_UNPACKED_MB,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
)

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
SUPPORTED_SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES
SUPPORTED_TEXT = "xlsx, xlsm, xls, ods or csv"

_ZIP_MAGIC = b"PK\x03\x04"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old Office container (xls, encrypted xlsx)
_SAVE_AS = "Open it in Excel or LibreOffice and save it as .xlsx or .csv, then upload that."
# Rows a sheet may have above and within the table: the pilots, the header, a title block.
_MAX_SHEET_ROWS = MAX_ROWS + HEADER_SCAN_ROWS + 1


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
    sheets: list[str] = field(default_factory=list)
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
        return _read_csv(data, name, tab=suffix == ".tsv")
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
    if data.startswith(_CFB_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise _password_error(name)
        if suffix != ".xls":
            raise ImportFileError(
                f"{name} is an old-style Excel file (.xls) with a {suffix} name. "
                "Rename it to .xls, or open it in Excel and save it as .xlsx."
            )
    elif data.startswith(_ZIP_MAGIC):
        if suffix == ".xls":
            suffix = ".xlsx"  # a modern workbook with an old name: calamine reads it anyway
        check_archive(data, name, suffix)
    else:
        raise ImportFileError(_not_a_workbook(data, name, suffix))

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [m.name for m in book.sheets_metadata]
        visible = [
            m.name
            for m in book.sheets_metadata
            if m.visible == python_calamine.SheetVisibleEnum.Visible
            and m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ] or [
            m.name for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        if not visible:
            raise ImportFileError(f"{name} has no worksheets. {_SAVE_AS}")
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
        raise _password_error(name) from None
    except (python_calamine.CalamineError, ValueError, OSError, RuntimeError) as exc:
        raise ImportFileError(
            f"{name} could not be read as a {suffix} workbook ({_short(exc)}). "
            f"It may be damaged or of another kind. {_SAVE_AS}"
        ) from None
    chosen, rows, start_row = _choose_sheet(loaded, name, header_hint)
    table = _table_from_rows(rows, name, start_row)
    table.sheet = chosen
    table.sheets = sheets
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
    if ws.height > _MAX_SHEET_ROWS:
        raise _too_many_rows(name, ws.height, sheet)
    if ws.width > MAX_COLUMNS:
        raise _too_many_columns(name, ws.width, sheet)
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
    fills = [_filled(r) for r in scan]
    if max(fills, default=0) == 0:
        return -100.0
    index = _header_index(scan)
    headers = [_cell_text(c) for c in scan[index]]
    score = header_hint(headers) * 10 if header_hint else 0.0
    score += min(len(rows) - index - 1, 1000) / 200 + max(fills) / 10
    if _GOOD_SHEET.search(sheet):
        score += 3
    if _POOR_SHEET.search(sheet):
        score -= 5
    return score


def _password_error(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} is protected with a password, so its cells cannot be read. Open it in Excel, "
        "remove the password (File > Info > Protect Workbook), save, and upload it again."
    )


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
        "If it is a comma-separated list, give it a .csv name."
        if what == "plain text"
        else _SAVE_AS
    )
    return f"{name} has a {suffix} name but its content is {what}. {hint}"


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


# Archive checks (xlsx, xlsm, ods) ----------------------------------------------------------


def check_archive(data: bytes, name: str, suffix: str) -> None:
    """Refuse zip bombs, XML entity tricks and sheets reaching far-away cells, cheaply.

    Every part is unpacked in chunks, counting the bytes actually produced (the sizes an
    archive declares can lie), so a bomb is stopped at the limit, not after filling memory.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise ImportFileError(
            f"{name} looks like a workbook but its archive is damaged ({_short(exc)}). {_SAVE_AS}"
        ) from None
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise ImportFileError(
            f"{name} holds {len(members):,} parts, far more than a spreadsheet has. {_SAVE_AS}"
        )
    names = {m.filename for m in members}
    if suffix == ".ods":
        if "content.xml" not in names:
            raise ImportFileError(
                f"{name} is a zip archive but not an OpenDocument spreadsheet. {_SAVE_AS}"
            )
    elif "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        kind = "a Word document" if "word/document.xml" in names else "not an Excel workbook"
        raise ImportFileError(f"{name} is a zip archive but {kind}. {_SAVE_AS}")
    elif "xl/workbook.bin" in names:
        raise ImportFileError(
            f"{name} is a binary workbook (xlsb). Open it in Excel and save it as .xlsx."
        )
    total = 0
    for member in members:
        if member.is_dir():
            continue
        parts = _unpack(archive, member, name, MAX_UNPACKED_BYTES - total, data)
        size = sum(len(part) for part in parts)
        total += size
        if _too_tight(size, member):
            raise _bomb_error(name)
        if not member.filename.endswith((".xml", ".rels")):
            continue
        if re.fullmatch(r"xl/worksheets/[^/]+\.xml", member.filename) and len(parts) > 1:
            # A large sheet: scanned part by part, joined only if a closer look is needed.
            _check_sheet_parts(parts, name)
            continue
        content = b"".join(parts)
        del parts
        head = content[:4096]
        if _declaration(content) or b"<!doctype" in head:
            raise _declaration_error(name)
        if re.fullmatch(r"xl/worksheets/[^/]+\.xml", member.filename):
            _check_sheet_extent(content, name)
        elif member.filename == "content.xml":
            _check_ods_extent(content, name)
        elif member.filename == "xl/sharedStrings.xml":
            _check_shared_strings(content, name)


# "<!DOCTYPE" or "<!ENTITY" anywhere in a part: one pass instead of one per word.
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")


def _declaration(text: bytes) -> re.Match | None:
    """The first "<!DOCTYPE" or "<!ENTITY"; a part without any "!" (most sheets) is ruled
    out by a byte search, many times faster than the pattern."""
    return _DECLARATION.search(text) if b"!" in text else None


def _declaration_error(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} contains XML declarations (DOCTYPE / ENTITY) that spreadsheet programs "
        "never write; such files can be used to attack the reader, so it was refused. "
        f"{_SAVE_AS}"
    )


def _too_tight(size: int, member: zipfile.ZipInfo) -> bool:
    """A part packed far more tightly than real spreadsheet XML ever is."""
    return size > 1_000_000 and size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1)


def _unpack(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, room: int, data: bytes = b""
) -> list[bytes]:
    """A part's content, as the consecutive pieces it was inflated in."""
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ImportFileError(
            f"{name} uses a compression method spreadsheet programs do not use. {_SAVE_AS}"
        )
    parts = _inflate(data, member, name, room) if data else None
    if parts is not None:
        return parts
    # Anything unusual (encryption, a damaged stream, a wrong checksum): zipfile's own reader,
    # which words the problem.
    # Read past the declared size: only the real end of the packed data stops the reading.
    honest = copy.copy(member)
    honest.file_size = room + 1
    chunks: list[bytes] = []
    got = 0
    try:
        with archive.open(honest) as stream:
            while True:
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                got += len(chunk)
                if got > room:
                    raise _bomb_error(name)
                chunks.append(chunk)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError, RuntimeError) as exc:
        if "password" in str(exc).lower() or member.flag_bits & 0x1:
            raise _password_error(name) from None
        raise ImportFileError(
            f"{name}: a part of the workbook ({member.filename}) is damaged ({_short(exc)}). "
            f"{_SAVE_AS}"
        ) from None
    return [b"".join(chunks)]


_LOCAL_HEADER = struct.Struct("<4s22xHH")
_PACKED_STEP = 1 << 14


def _inflate(data: bytes, member: zipfile.ZipInfo, name: str, room: int) -> list[bytes] | None:
    """A plainly stored or deflated part, inflated straight from the archive's bytes.

    Cheaper than zipfile's reader (which fed zlib 4 KB at a time), and it stops as soon as
    the output shows a bomb: past the room left, or packed more tightly than any real part.
    The sizes the archive declares are not trusted; the checksum is. Returns None when
    anything is unusual, for zipfile's reader to handle and word.
    """
    if member.flag_bits & 0x61:  # encrypted, patched or strongly encrypted
        return None
    start = member.header_offset
    if start < 0 or start + _LOCAL_HEADER.size > len(data):
        return None
    magic, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, start)
    local_name = data[start + 30 : start + 30 + name_length]
    encoding = "utf-8" if member.flag_bits & 0x800 else "cp437"
    if magic != b"PK\x03\x04" or local_name != member.orig_filename.encode(encoding, "replace"):
        return None
    start += 30 + name_length + extra_length
    packed = memoryview(data)[start : start + member.compress_size]
    if len(packed) < member.compress_size:
        return None
    if member.compress_type == zipfile.ZIP_STORED:
        if len(packed) > room or _too_tight(len(packed), member):
            return None
        content = bytes(packed)
        return [content] if zlib.crc32(content) == member.CRC else None
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    chunks: list[bytes] = []
    got = crc = 0
    try:
        # A slice of packed data at a time: deflate expands at most about 1,000-fold, so each
        # step adds a bounded amount before the bomb checks look again.
        for offset in range(0, len(packed), _PACKED_STEP):
            chunk = inflater.decompress(packed[offset : offset + _PACKED_STEP])
            got += len(chunk)
            if got > room or _too_tight(got, member):
                raise _bomb_error(name)
            crc = zlib.crc32(chunk, crc)
            chunks.append(chunk)
            if inflater.eof:
                break
    except zlib.error:
        return None
    if not inflater.eof or crc != member.CRC:
        return None  # the packed data ended before the stream did, or it was altered
    return _merge_small(chunks)


def _merge_small(chunks: list[bytes], least: int = 1 << 16) -> list[bytes]:
    """The pieces, small ones joined to the next, so that every piece but the last holds at
    least `least` bytes (scans look a fixed distance into the next piece)."""
    parts: list[bytes] = []
    pending: list[bytes] = []
    held = 0
    for chunk in chunks:
        pending.append(chunk)
        held += len(chunk)
        if held >= least:
            parts.append(pending[0] if len(pending) == 1 else b"".join(pending))
            pending, held = [], 0
    if pending or not parts:
        parts.append(b"".join(pending))
    return parts


def _bomb_error(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} unpacks to more than {MAX_UNPACKED_MB} MB or is packed far more tightly than "
        "a real spreadsheet (a 'zip bomb'), so it was refused. If it is a genuine file, remove "
        "empty formatted rows and columns or unused sheets, save, and upload it again."
    )


def _find_all(buffer: np.ndarray, pattern: bytes) -> np.ndarray:
    """Start offsets of `pattern` in a byte array, vectorised (no Python loop over bytes)."""
    n = len(buffer) - len(pattern) + 1
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    hits = buffer[:n] == pattern[0]
    for k in range(1, len(pattern)):
        hits &= buffer[k : k + n] == pattern[k]
    return np.flatnonzero(hits)


# A cell reference beyond the column limit (SF = 500) or the row limit (200,000 pilots plus a
# header block), written as ` r="..."`. The literal start lets the regex engine skip ahead
# quickly; one pass over a 100 MB sheet costs a fraction of parsing it.
_FAR_REFERENCE = re.compile(
    rb""" r=["'](?:[A-Z]{3,}|[T-Z][A-Z]|S[G-Z]|"""
    rb"""[A-Z]{0,3}(?:\d{7,}|[3-9]\d{5}|2[1-9]\d{4}|20[1-9]\d{3}))"""
)
_REFERENCE = re.compile(rb"""([A-Z]{1,3})?(\d{1,7})["']""")
# Every far reference matches this too, and the usual ones (up to two letters below S, rows
# below 200,000) fail it within a few bytes, so the scan costs half the exact one; the exact
# pattern only looks again where this one found something.
_MAYBE_FAR = re.compile(rb""" r=["'](?:[S-Z][A-Z]|[A-Z]{0,2}+(?!\d{1,5}["']|1\d{5}["']))""")


def _first_far_reference(xml: bytes) -> re.Match | None:
    """`_FAR_REFERENCE.search(xml)`, found by checking the rough matches only."""
    rough = _MAYBE_FAR.search(xml)
    while rough:
        if _FAR_REFERENCE.match(xml, rough.start()):
            return _FAR_REFERENCE.search(xml, rough.start())
        rough = _MAYBE_FAR.search(xml, rough.end())
    return None


def _has_unplaced_cell(xml: bytes, prefix: bytes) -> bool:
    """Whether a cell has no reference (`<c>`, `<c/>`, `<c t=...>`). The rough pattern
    matches wherever the exact one does and is cheaper; the exact one checks its finds."""
    cell = b"<" + re.escape(prefix) + b"c"
    rough = re.compile(cell + rb"(?! r=)[>/\s]")
    exact = re.compile(cell + rb"(?:>|/>|[ \t\r\n]+(?!r=))")
    found = rough.search(xml)
    while found:
        if exact.match(xml, found.start()):
            return True
        found = rough.search(xml, found.end())
    return False


_OVERLAP = 64  # bytes each scanned part repeats from the one before (longer than any find)
_ENDS = 1 << 21  # bytes at each end of a sheet kept for its first and last rows


def _check_sheet_parts(parts: list[bytes], name: str) -> None:
    """`_check_sheet_extent` (and the DOCTYPE check) on a sheet held in consecutive parts,
    without joining them: each part is scanned in place, and the seam between two parts
    separately; the rectangle is read from the sheet's two ends. Whenever a scan finds
    something, or an end does not hold what the rectangle needs, the joined sheet gets the
    exact check."""
    start = _gather(parts, _ENDS)
    prefix_at = start.find(b"sheetData")
    unsure = prefix_at < 0 or _namespace_prefix(start, b"sheetData") != b""
    declared = b"<!doctype" in start[:4096]
    rough_cell = re.compile(rb"<c(?! r=)[>/\s]")
    exact_cell = re.compile(rb"<c(?:>|/>|[ \t\r\n]+(?!r=))")
    last = len(parts) - 1
    for number, part in enumerate(parts):
        # Finds starting in a part's last bytes are looked at in the seam with the next part,
        # so every find has the bytes after it that its exact check reads.
        pieces = [(part, len(part) if number == last else len(part) - _OVERLAP)]
        if number < last:
            pieces.append((part[-_OVERLAP:] + parts[number + 1][:_OVERLAP], _OVERLAP))
        for text, limit in pieces:
            found = _declaration(text)
            declared = declared or bool(found and found.start() < limit)
            if not unsure:
                unsure = _rough_finds(_MAYBE_FAR, _FAR_REFERENCE, text, limit) or _rough_finds(
                    rough_cell, exact_cell, text, limit
                )
    if declared:
        raise _declaration_error(name)
    if not unsure:
        end = _gather(parts[::-1], _ENDS, reverse=True)
        ends = _ends_extent(start, end, whole=len(start) == sum(len(p) for p in parts))
        if ends is not None:
            _check_extent(name, *ends)
            return
    _check_sheet_extent(b"".join(parts), name)


def _rough_finds(rough: re.Pattern, exact: re.Pattern, text: bytes, limit: int) -> bool:
    """Whether a rough find before `limit` is confirmed by the exact pattern at its start."""
    found = rough.search(text)
    while found and found.start() < limit:
        if exact.match(text, found.start()):
            return True
        found = rough.search(text, found.end())
    return False


def _gather(parts: list[bytes], size: int, reverse: bool = False) -> bytes:
    """At least `size` bytes (or all) from the first parts given, in document order."""
    taken: list[bytes] = []
    held = 0
    for part in parts:
        taken.append(part)
        held += len(part)
        if held >= size:
            break
    return b"".join(taken[::-1] if reverse else taken)


def _ends_extent(start: bytes, end: bytes, whole: bool) -> tuple[int, int] | None:
    """(last row, widest of the first and last rows) as `_check_sheet_extent` reads them
    from the whole sheet, here from its first and last bytes; None when they do not hold
    what is needed (a row longer than an end, say)."""
    if whole:
        return _last_row_number(start, b""), max(
            _row_width(start, b"", first=True), _row_width(start, b"", first=False)
        )
    first = start.find(b"<row")
    if first < 0 or start.find(b"</row>", first) < 0:
        return None
    last = end.rfind(b"<row")
    if last < 0 or end.rfind(b"<row ") < 0:
        return None
    return _last_row_number(end, b""), max(
        _row_width(start, b"", first=True), _row_width(end, b"", first=False)
    )


def _check_sheet_extent(xml: bytes, name: str) -> None:
    """Refuse a sheet whose cells reach beyond the row, column or cell limits.

    calamine allocates the whole rectangle from the first to the last cell, so one cell at
    XFD1048576 asks for billions of cells and aborts the process.
    """
    far = _first_far_reference(xml)
    if far:
        ref = _REFERENCE.match(xml, far.start() + 4)
        letters = ref.group(1) if ref and ref.group(1) else b""
        column = _column_number(letters.decode()) if letters else 0
        row = int(ref.group(2)) if ref else 1 << 30
        if not ref and re.match(rb"[A-Z]{4}", xml[far.start() + 4 : far.start() + 8]):
            column = 1 << 20
        _check_extent(name, row, column)
    prefix = _namespace_prefix(xml, b"sheetData")
    # Cells without a reference are placed one after another by the reader; bound those too.
    if _has_unplaced_cell(xml, prefix):
        buffer = np.frombuffer(xml, dtype=np.uint8)
        rows = len(_find_all(buffer, b"<" + prefix + b"row"))
        _check_extent(name, rows, _most_cells_in_a_row(buffer, prefix))
    # The rectangle: the last row, and the widest of the first and last rows.
    last_row = _last_row_number(xml, prefix)
    widest = max(_row_width(xml, prefix, first=True), _row_width(xml, prefix, first=False))
    _check_extent(name, last_row, widest)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _last_row_number(xml: bytes, prefix: bytes) -> int:
    at = xml.rfind(b"<" + prefix + b"row ")
    match = re.compile(rb"""[^>]*? r=["'](\d{1,9})""").match(xml, at) if at >= 0 else None
    return int(match.group(1)) if match else 0


def _row_width(xml: bytes, prefix: bytes, first: bool) -> int:
    tag = b"<" + prefix + b"row"
    at = xml.find(tag) if first else xml.rfind(tag)
    if at < 0:
        return 0
    end = xml.find(b"</" + prefix + b"row>", at)
    segment = xml[at : end if end > 0 else at + 1_000_000]
    letters = re.findall(rb""" r=["']([A-Z]{1,3})\d""", segment)
    return max((_column_number(x.decode()) for x in letters), default=0)


def _most_cells_in_a_row(buffer: np.ndarray, prefix: bytes) -> int:
    rows = _find_all(buffer, b"<" + prefix + b"row")
    cells = np.sort(
        np.concatenate(
            [_find_all(buffer, b"<" + prefix + b"c" + end) for end in (b" ", b">", b"/")]
        )
    )
    if not len(cells):
        return 0
    owner = np.searchsorted(rows, cells, side="right")
    return int(np.bincount(owner).max())


def _namespace_prefix(xml: bytes, tag: bytes) -> bytes:
    at = xml.find(tag)
    if at <= 0:
        return b""
    opening = xml.rfind(b"<", 0, at)
    return xml[opening + 1 : at] if opening >= 0 else b""


def _check_extent(name: str, rows: int, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise ImportFileError(
            f"{name} has cells in column {_column_label(columns)} (column {columns:,}); at most "
            f"{MAX_COLUMNS} columns can be read. Delete the unused columns at the right "
            "(including empty but formatted ones), save, and upload again."
        )
    if rows > _MAX_SHEET_ROWS:
        raise _too_many_rows(name, rows)
    if rows * columns > MAX_CELLS:
        raise ImportFileError(
            f"{name} spans {rows:,} rows × {columns:,} columns, more than the {MAX_CELLS:,} "
            "cells that can be read at once. Delete unused rows and columns or split the file."
        )


_ODS_REPEAT = re.compile(rb'number-(rows|columns)-repeated="(\d+)"')
_ODS_CONTENT = re.compile(rb"<text:p|office:value-type=")


def _check_ods_extent(xml: bytes, name: str) -> None:
    """OpenDocument sheets repeat rows and cells with an attribute. Empty repeats at the end
    of a row or a table (LibreOffice always writes them) hold nothing; a filled repeat, or
    anything filled after a long empty one, stretches the sheet beyond the limits."""
    for match in _ODS_REPEAT.finditer(xml):
        count = int(match.group(2)[:12])
        rows = match.group(1) == b"rows"
        if count <= (MAX_ROWS if rows else MAX_COLUMNS):
            continue
        opening_end = xml.find(b">", match.end())
        closing = b"</table:table-row>" if rows else b"</table:table-cell>"
        self_closing = xml[opening_end - 1 : opening_end] == b"/"
        body_end = opening_end if self_closing else xml.find(closing, opening_end)
        tag_start = xml.rfind(b"<", 0, match.start())
        element = xml[tag_start : max(body_end, opening_end) + 1]
        container_end = xml.find(b"</table:table>" if rows else b"</table:table-row>", body_end)
        after = xml[max(body_end, opening_end) : container_end if container_end > 0 else None]
        if _ODS_CONTENT.search(element) or _ODS_CONTENT.search(after):
            if rows:
                _check_extent(name, count, 1)
            else:
                _check_extent(name, 1, count)


def _check_shared_strings(xml: bytes, name: str) -> None:
    match = re.search(rb'uniqueCount="(\d+)"', xml[:2048])
    if match and int(match.group(1)[:12]) > MAX_CELLS:
        raise ImportFileError(
            f"{name} declares {int(match.group(1)[:12]):,} distinct texts, more than a "
            f"readable sheet holds. {_SAVE_AS}"
        )


def _column_label(number: int) -> str:
    label = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        label = chr(65 + rest) + label
    return label or "A"


def _too_many_rows(name: str, rows: int, sheet: str | None = None) -> ImportFileError:
    where = f"the sheet {sheet!r} of {name}" if sheet else name
    return ImportFileError(
        f"{where} has {rows:,} rows; at most {MAX_ROWS:,} pilots can be imported at once. "
        "Split the file, or delete empty but formatted rows at the bottom, and upload again."
    )


def _too_many_columns(name: str, columns: int, sheet: str | None = None) -> ImportFileError:
    where = f"the sheet {sheet!r} of {name}" if sheet else name
    return ImportFileError(
        f"{where} has {columns:,} columns; at most {MAX_COLUMNS} can be read. Delete the "
        "columns you don't need (including empty but formatted ones) and upload again."
    )


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
        f"If it is a workbook, give it its .xlsx name; otherwise {_SAVE_AS[0].lower()}"
        f"{_SAVE_AS[1:]}"
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


def _read_csv(data: bytes, name: str, tab: bool = False) -> Table:
    text, encoding = decode_text(data, name)
    if not text.strip():
        raise ImportFileError(f"{name} holds no text. Export the list again and upload it.")
    delimiter = "\t" if tab else sniff_delimiter(text)
    lines = text.count("\n") + 1
    if lines > _MAX_SHEET_ROWS * 4:  # far beyond the cap even if every row spans lines
        raise _too_many_rows(name, lines)
    width = max(
        (len(r) for r in csv.reader(text[:262144].splitlines()[:200], delimiter=delimiter)),
        default=1,
    )
    if width > MAX_COLUMNS:
        raise _too_many_columns(name, width)
    grid = _parse_csv(text, delimiter, width, name)
    if grid.shape[1] > MAX_COLUMNS:
        raise _too_many_columns(name, grid.shape[1])
    if grid.shape[0] > _MAX_SHEET_ROWS:
        raise _too_many_rows(name, grid.shape[0])
    table = _table_from_grid(grid, name, start_row=0)
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
            nrows=_MAX_SHEET_ROWS + 1,
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
                raise _too_many_columns(name, width) from None
            frame = parse(width)
    except ImportFileError:
        raise
    except (pd.errors.ParserError, csv.Error, ValueError, MemoryError) as exc:
        raise ImportFileError(
            f"{name} could not be read as a comma-separated file ({_short(exc)}). Check that "
            "quotes are balanced, or save it again from Excel as CSV UTF-8."
        ) from None
    return frame.to_numpy(dtype=object)


# Finding the table ---------------------------------------------------------------------------


def _table_from_rows(rows: list[list], name: str, start_row: int) -> Table:
    if not rows:
        raise _empty_sheet(name)
    grid = np.array(rows, dtype=object)
    if grid.ndim != 2:  # ragged rows (should not happen with calamine): pad them
        width = max(len(r) for r in rows)
        grid = np.array([list(r) + [""] * (width - len(r)) for r in rows], dtype=object)
    return _table_from_grid(grid, name, start_row)


def _empty_sheet(name: str) -> ImportFileError:
    return ImportFileError(
        f"{name} has no data: the sheet is empty. Check that you saved the right file, or "
        "choose the sheet that holds the list of pilots."
    )


def _table_from_grid(grid: np.ndarray, name: str, start_row: int) -> Table:
    """Split a grid of cells into header and data; drop fully blank rows and columns."""
    if grid.size == 0:
        raise _empty_sheet(name)
    scan = grid[:HEADER_SCAN_ROWS].tolist()
    if max((_filled(r) for r in scan), default=0) == 0:
        raise _empty_sheet(name)
    index = _header_index(scan)
    header = grid[index]
    body = grid[index + 1 :]
    row_numbers = np.arange(index + 2, index + 2 + len(body)) + start_row
    texts = [_cell_text(c) for c in header]
    # A column without a name is kept when it holds something; a row when any cell does.
    keep_cols = np.array(
        [bool(t) or not _blank_mask(body[:, j]).all() for j, t in enumerate(texts)]
    )
    if not keep_cols.any():
        raise _empty_sheet(name)
    if not keep_cols.all():  # copy the cells only when something is dropped
        body = body[:, keep_cols]
    texts = [t for t, keep in zip(texts, keep_cols, strict=True) if keep]
    labels = [_column_label(i + 1) for i, keep in enumerate(keep_cols) if keep]
    keep_rows = ~_blank_rows(body)
    if not keep_rows.all():
        body = body[keep_rows]
        row_numbers = row_numbers[keep_rows]
    if len(body) > MAX_ROWS:
        raise _too_many_rows(name, len(body))
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


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _filled(row: list) -> int:
    return sum(1 for c in row if _cell_text(c))


_NUMBERISH = re.compile(r"^[\s$€£%()+\-.,0-9:/]*$")


def _is_label(value: object) -> bool:
    """A cell that could name a column: text that is not a number or a date."""
    if isinstance(value, bool) or not isinstance(value, str):
        return False
    text = value.strip()
    return bool(text) and not _NUMBERISH.match(text)


def _header_index(scan: list[list]) -> int:
    """The header row among the first rows: skip blank, title and banner rows.

    The header is the first row that fills at least half as many cells as the widest of
    the rows scanned (titles and banners fill one or two), holds at least two cells (unless
    the table has a single column), and is mostly labels rather than numbers or dates.
    """
    fills = [_filled(r) for r in scan]
    widest = max(fills)
    for i, row in enumerate(scan):
        filled = fills[i]
        if filled == 0 or (widest >= 2 and filled < 2) or filled < 0.5 * widest:
            continue
        labels = sum(1 for c in row if _is_label(c))
        if labels >= 0.6 * filled:
            return i
    return next(i for i, f in enumerate(fills) if f == widest)
