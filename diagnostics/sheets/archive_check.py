"""Checks a workbook's archive before anything parses it: size, zip bombs, XML declarations, extent.

python-calamine neither limits what a sheet unpacks to nor survives a cell at a far-away corner
(it aborts the whole process), so these checks look at the archive bytes and the cell
references first, cheaply, and refuse with a message that says how to fix the file.
"""

from __future__ import annotations

import copy
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator

import numpy as np

from diagnostics.errors import ImportFileError
from diagnostics.sheets.file_kinds import (
    MAX_SHEET_ROWS,
    SAVE_AS,
    column_label,
    password_error,
    short_reason,
    too_many_rows,
)
from diagnostics.sheets.limits import (
    MAX_ARCHIVE_MEMBERS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    MAX_UNPACKED_MB,
)

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
            f"{name} looks like a workbook but its archive is damaged ({short_reason(exc)}). "
            f"{SAVE_AS}"
        ) from None
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise ImportFileError(
            f"{name} holds {len(members):,} parts, far more than a spreadsheet has. {SAVE_AS}"
        )
    names = {m.filename for m in members}
    if suffix == ".ods":
        if "content.xml" not in names:
            raise ImportFileError(
                f"{name} is a zip archive but not an OpenDocument spreadsheet. {SAVE_AS}"
            )
    elif "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        kind = "a Word document" if "word/document.xml" in names else "not an Excel workbook"
        raise ImportFileError(f"{name} is a zip archive but {kind}. {SAVE_AS}")
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
        f"{SAVE_AS}"
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
            f"{name} uses a compression method spreadsheet programs do not use. {SAVE_AS}"
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
            raise password_error(name) from None
        raise ImportFileError(
            f"{name}: a part of the workbook ({member.filename}) is damaged ({short_reason(exc)}). "
            f"{SAVE_AS}"
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
    return [b"".join(run) for run in _runs(chunks, least)] or [b""]


def _runs(pieces: Iterable[bytes], least: int) -> Iterator[list[bytes]]:
    """The pieces in consecutive runs of at least `least` bytes (the last run may hold less)."""
    run: list[bytes] = []
    held = 0
    for piece in pieces:
        run.append(piece)
        held += len(piece)
        if held >= least:
            yield run
            run, held = [], 0
    if run:
        yield run


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
    taken = next(_runs(parts, size), [])
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
            f"{name} has cells in column {column_label(columns)} (column {columns:,}); at most "
            f"{MAX_COLUMNS} columns can be read. Delete the unused columns at the right "
            "(including empty but formatted ones), save, and upload again."
        )
    if rows > MAX_SHEET_ROWS:
        raise too_many_rows(name, rows)
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
            f"readable sheet holds. {SAVE_AS}"
        )
