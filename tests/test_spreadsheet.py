"""Reading spreadsheets safely: formats, encodings, header rows, sheet choice, limits, attacks."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest

from diagnostics.errors import ImportFileError
from diagnostics.portfolio.mapping import header_hint
from diagnostics.sheets import limits
from diagnostics.sheets.reader import read_table
from diagnostics.sheets.table import unique_columns
from diagnostics.sheets.text_table import sniff_delimiter
from tests.harness import REPO_ROOT

PILOTS = [
    ["ID", "Name", "Business unit", "Stage", "Pilot budget"],
    ["P-1", "Invoice matching", "Finance", "Pilot", "$120k"],
    ["P-2", "Ticket routing", "Customer Service", "Live", "80,000"],
    ["P-3", "Churn model", "Sales", "Idea", ""],
]


def xlsx_bytes(sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_part(data: bytes, part: str, change) -> bytes:
    """The same workbook with one of its XML parts changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = change(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def ods_bytes(rows: list[list[str]], tail: str = "") -> bytes:
    cells = (
        "".join(
            "<table:table-row>"
            + "".join(
                f'<table:table-cell office:value-type="string"><text:p>{escape(c)}</text:p>'
                "</table:table-cell>"
                for c in row
            )
            + "</table:table-row>"
            for row in rows
        )
        + tail
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Pilots">'
        f"{cells}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def csv_bytes(rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def cells(table) -> list[list[str]]:
    return [["" if v is None or v != v else str(v) for v in row] for row in table.cells.tolist()]


# Formats ------------------------------------------------------------------------------------


def test_xlsx_table_read_as_is():
    table = read_table(xlsx_bytes({"Pilots": PILOTS}), "p.xlsx")
    assert table.columns == PILOTS[0]
    assert table.header_row == 1
    assert table.first_data_row == 2
    assert table.rows == 3
    assert table.cells[1, 1] == "Ticket routing"
    assert table.sheet == "Pilots"


def test_ods_read_like_xlsx():
    table = read_table(ods_bytes(PILOTS), "p.ods")
    assert table.columns == PILOTS[0]
    assert cells(table)[0][:4] == ["P-1", "Invoice matching", "Finance", "Pilot"]


EMPTY_CELL = '<table:table-cell table:number-columns-repeated="{n}"/>'
FILLED_CELL = (
    '<table:table-cell office:value-type="string"{repeat}><text:p>x</text:p></table:table-cell>'
)


def test_ods_trailing_empty_repeats_are_harmless():
    """LibreOffice ends every sheet with a million empty rows written as one repeat."""
    tail = (
        '<table:table-row table:number-rows-repeated="1048572">'
        + EMPTY_CELL.format(n=1024)
        + "</table:table-row>"
    )
    assert read_table(ods_bytes(PILOTS, tail), "p.ods").rows == 3


@pytest.mark.parametrize(
    ("tail", "words"),
    [
        (  # a filled row repeated a million times
            '<table:table-row table:number-rows-repeated="1000000">'
            + FILLED_CELL.format(repeat="")
            + "</table:table-row>",
            "1,000,000 rows",
        ),
        (  # a filled cell repeated across 16,384 columns
            "<table:table-row>"
            + FILLED_CELL.format(repeat=' table:number-columns-repeated="16384"')
            + "</table:table-row>",
            "column XFD",
        ),
        (  # a long empty stretch, then a filled cell far away
            '<table:table-row table:number-rows-repeated="900000">'
            + EMPTY_CELL.format(n=1000)
            + "</table:table-row><table:table-row>"
            + FILLED_CELL.format(repeat="")
            + "</table:table-row>",
            "900,000 rows",
        ),
    ],
)
def test_ods_repeats_stretching_the_sheet_are_refused(tail, words):
    with pytest.raises(ImportFileError, match=words):
        read_table(ods_bytes(PILOTS, tail), "p.ods")


def test_xlsm_name_is_read_as_a_workbook():
    table = read_table(xlsx_bytes({"Pilots": PILOTS}), "p.xlsm")
    assert table.rows == 3


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", "\t"), ("utf-16", ","), ("utf-16-le", "|")],
)
def test_csv_encodings_and_delimiters(encoding, delimiter):
    rows = [*PILOTS, ["P-4", "Prévision de la demande – €", "Opérations", "Pilot", "€ 900k"]]
    table = read_table(csv_bytes(rows, delimiter, encoding), "p.csv")
    assert table.columns == PILOTS[0]
    assert cells(table)[3][1] == "Prévision de la demande – €"
    assert cells(table)[3][2] == "Opérations"


def test_cp1252_is_named_in_a_warning():
    table = read_table(
        csv_bytes([*PILOTS, ["P-9", "Café", "R&D", "Pilot", "1"]], encoding="cp1252"), "p.csv"
    )
    assert any("cp1252" in w for w in table.warnings)


def test_delimiter_sniffing_prefers_the_consistent_split():
    assert sniff_delimiter("a;b;c\n1;2,5;3\n4;5,5;6\n") == ";"
    assert sniff_delimiter("a,b,c\n1,2,3\n") == ","
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"


def test_csv_with_quoted_delimiters_and_line_breaks():
    text = 'ID,Name,Stage\nP-1,"Matching, invoices","Pilot"\nP-2,"Two\nlines",Live\n'
    table = read_table(text.encode(), "p.csv")
    assert cells(table) == [["P-1", "Matching, invoices", "Pilot"], ["P-2", "Two\nlines", "Live"]]


def test_csv_with_a_longer_row_further_down_keeps_every_cell():
    rows = "ID,Name\n" + "".join(f"P-{i},n{i}\n" for i in range(300)) + "P-x,late,extra,cells\n"
    table = read_table(rows.encode(), "p.csv")
    assert table.rows == 301
    assert cells(table)[-1] == ["P-x", "late", "extra", "cells"]


# Finding the table ----------------------------------------------------------------------------


def test_header_found_below_blank_title_and_banner_rows():
    rows = [
        [],
        ["AI pilot portfolio – confidential"],
        ["Status as of 1 Nov 2026", None, None],
        [],
        *PILOTS,
    ]
    table = read_table(xlsx_bytes({"Pilots": rows}), "p.xlsx")
    assert table.columns == PILOTS[0]
    assert table.header_row == 5
    assert table.first_data_row == 6
    assert table.rows == 3


def test_header_found_in_a_csv_with_a_title_line():
    rows = [["Portfolio export"], [], *PILOTS]
    table = read_table(csv_bytes(rows), "p.csv")
    assert table.header_row == 3
    assert table.columns == PILOTS[0]


def test_blank_rows_and_columns_inside_the_table_are_dropped():
    rows = [
        ["ID", None, "Name"],
        ["P-1", None, "A"],
        [None, None, None],
        ["P-2", None, "B"],
    ]
    table = read_table(xlsx_bytes({"S": rows}), "p.xlsx")
    assert table.columns == ["ID", "Name"]
    assert cells(table) == [["P-1", "A"], ["P-2", "B"]]
    assert table.row_numbers.tolist() == [2, 4]


def test_a_row_is_kept_when_any_of_its_cells_is_filled():
    rows = [
        ["ID", "Name", "", "Stage"],
        ["P-1", "A", "", "Pilot"],
        ["", "", "", ""],
        ["", "", "note", ""],
        ["", "B", "", ""],
        ["", "", "", "Live"],
        [None, "", None, ""],
    ]
    for data, name in ((xlsx_bytes({"S": rows}), "p.xlsx"), (csv_bytes(rows), "p.csv")):
        table = read_table(data, name)
        assert table.columns == ["ID", "Name", "Column C", "Stage"], name
        assert table.row_numbers.tolist() == [2, 4, 5, 6], name


def test_duplicate_and_blank_headers_become_unique():
    columns, warnings = unique_columns(["Name", "Stage", "name", "", "Name"], list("ABCDE"))
    assert columns == ["Name", "Stage", "name (2)", "Column D", "Name (3)"]
    assert len(warnings) == 1
    assert "more than once" in warnings[0]


def test_sheet_that_looks_like_pilots_is_chosen():
    book = xlsx_bytes(
        {
            "Read me": [["How to fill this workbook"], ["Use one row per pilot"]],
            "Lists": [["Stages"], ["Idea"], ["Pilot"], ["Live"]],
            "Pilots": PILOTS,
        }
    )
    table = read_table(book, "p.xlsx", header_hint=header_hint)
    assert table.sheet == "Pilots"
    assert table.sheets == ["Read me", "Lists", "Pilots"]
    assert any("Pilots" in w and "Read me" in w for w in table.warnings)


def test_named_sheet_is_read_and_a_missing_one_refused():
    book = xlsx_bytes({"A": [["x", "y"], ["1", "2"]], "B": PILOTS})
    assert read_table(book, "p.xlsx", sheet="A").columns == ["x", "y"]
    with pytest.raises(ImportFileError, match=r"no sheet called 'C'.*'A', 'B'"):
        read_table(book, "p.xlsx", sheet="C")


def test_hidden_sheets_are_not_chosen():
    book = xlsx_bytes({"Pilots": PILOTS, "Old pilots": PILOTS * 3}, hidden=("Old pilots",))
    assert read_table(book, "p.xlsx", header_hint=header_hint).sheet == "Pilots"


# Refused files: each message says what is wrong and what to do --------------------------------


def refused(data: bytes, name: str) -> str:
    with pytest.raises(ImportFileError) as caught:
        read_table(data, name)
    return str(caught.value)


def test_empty_file():
    assert "empty" in refused(b"", "p.xlsx")


def test_only_a_header():
    message = refused(csv_bytes([PILOTS[0]]), "p.csv")
    assert "no rows of pilots" in message
    assert "Add the pilots" in message


def test_empty_sheet():
    assert "empty" in refused(xlsx_bytes({"S": []}), "p.xlsx")


def test_unsupported_extension():
    message = refused(b"abc", "p.pdf")
    assert ".pdf" in message
    assert "xlsx" in message


def test_text_renamed_xlsx():
    message = refused(csv_bytes(PILOTS), "p.xlsx")
    assert "plain text" in message
    assert ".csv" in message


def test_binary_garbage_as_csv():
    garbage = bytes(range(256)) * 40
    message = refused(garbage, "p.csv")
    assert "binary" in message


def test_word_document_renamed_xlsx():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    message = refused(out.getvalue(), "p.xlsx")
    assert "Word document" in message
    assert "save it as .xlsx" in message


def test_password_protected_workbook():
    # An encrypted xlsx is an old-style compound file holding an "EncryptedPackage" stream.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    message = refused(header + directory, "p.xlsx")
    assert "password" in message
    assert "remove the password" in message


def test_zip_bomb():
    bomb = rewrite_part(
        xlsx_bytes({"S": PILOTS}),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + b" " * 30_000_000),
    )
    assert len(bomb) < 200_000
    message = refused(bomb, "p.xlsx")
    assert "zip bomb" in message


def test_xml_entity_declaration():
    attack = rewrite_part(
        xlsx_bytes({"S": PILOTS}),
        "xl/worksheets/sheet1.xml",
        lambda xml: (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + xml.split(b"?>", 1)[-1]
        ),
    )
    assert "DOCTYPE" in refused(attack, "p.xlsx")


def _far_cell(reference: str):
    def change(xml: bytes) -> bytes:
        row = re.match(r"[A-Z]+(\d+)", reference).group(1)
        extra = f'<row r="{row}"><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace(b"</sheetData>", extra.encode() + b"</sheetData>")

    return change


@pytest.mark.parametrize(
    ("reference", "words"),
    [("XFD1048576", "rows"), ("XFD2", "column XFD"), ("C1048576", "1,048,576 rows")],
)
def test_cells_at_far_corners_refused_before_parsing(reference, words):
    """calamine would abort the whole process on these; they must be refused first."""
    attack = rewrite_part(
        xlsx_bytes({"S": PILOTS}), "xl/worksheets/sheet1.xml", _far_cell(reference)
    )
    message = refused(attack, "p.xlsx")
    assert words in message


def test_far_cells_refused_in_a_sheet_too_large_to_inflate_at_once():
    filler = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>Pilot {i}</t></is></c></row>'
        for i in range(10, 8000)
    )

    def change(xml: bytes) -> bytes:
        return _far_cell("XFD2")(xml.replace(b"</sheetData>", filler.encode() + b"</sheetData>"))

    attack = rewrite_part(xlsx_bytes({"S": PILOTS}), "xl/worksheets/sheet1.xml", change)
    assert "column XFD" in refused(attack, "p.xlsx")


def test_huge_declared_dimension_alone_is_harmless():
    claim = rewrite_part(
        xlsx_bytes({"S": PILOTS}),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml),
    )
    assert read_table(claim, "p.xlsx").rows == 3


def test_cells_without_references_are_bounded_too():
    wide = "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(limits.MAX_COLUMNS + 5))
    attack = rewrite_part(
        xlsx_bytes({"S": PILOTS}),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b"</sheetData>", f'<row r="9">{wide}</row></sheetData>'.encode()),
    )
    assert "columns" in refused(attack, "p.xlsx")


def test_rough_scans_find_exactly_what_the_exact_patterns_find():
    """The cheap scans for far references and unplaced cells agree with the exact patterns
    on every kind of reference: near and far columns, rows around 100,000 and 200,000."""
    from diagnostics.sheets import archive_check as spreadsheet

    columns = ["A", "Q", "R", "S", "SA", "SF", "SG", "SZ", "T", "TA", "Z", "ZZ", "AA", "RZ"]
    columns += ["AAA", "XFD", "ABCD", ""]
    rows = ["1", "99999", "100000", "199999", "200000", "200031", "200999", "201000"]
    rows += ["210000", "299999", "300000", "999999", "1000000", "1048576", ""]
    for column in columns:
        for row in rows:
            for quote in ('"', "'"):
                xml = f'<row r="1"><c r={quote}{column}{row}{quote} t="n"><v>1</v></c></row>'
                xml = xml.encode()
                exact = spreadsheet._FAR_REFERENCE.search(xml)
                found = spreadsheet._first_far_reference(xml)
                assert (found and found.span()) == (exact and exact.span()), xml
    exact = re.compile(rb"<c(?:>|/>|[ \t\r\n]+(?!r=))")
    for cell in ('<c r="A1">', "<c>", "<c/>", '<c t="s">', '<c  r="A1">', '<c\tr="A1">'):
        for before in ("", '<row r="1"><c r="B1"/>', '<cols><col min="1"/></cols>'):
            xml = (before + cell + "<v>1</v></c>").encode()
            assert spreadsheet._has_unplaced_cell(xml, b"") == bool(exact.search(xml)), xml


def _sheet(rows: int, extra: str = "", at: int | None = None, ns: str = "") -> bytes:
    """A plain sheet of `rows` rows, with `extra` put in after row `at` (default: the end)."""
    body = []
    for i in range(1, rows + 1):
        body.append(
            f'<{ns}row r="{i}"><{ns}c r="A{i}" t="inlineStr"><{ns}is><{ns}t>Pilot {i}'
            f'</{ns}t></{ns}is></{ns}c><{ns}c r="B{i}"><{ns}v>{i * 7}</{ns}v></{ns}c></{ns}row>'
        )
        if i == at:
            body.append(extra)
    if at is None:
        body.append(extra)
    xmlns = f' xmlns:{ns[:-1]}="main"' if ns else ""
    return (
        f'<?xml version="1.0"?><{ns}worksheet{xmlns}><{ns}sheetData>{"".join(body)}'
        f"</{ns}sheetData></{ns}worksheet>"
    ).encode()


def _verdict(check) -> str | None:
    try:
        check()
    except ImportFileError as exc:
        return str(exc)
    return None


WIDE_ROW = "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(limits.MAX_COLUMNS + 5))


@pytest.mark.parametrize(
    ("xml", "refused"),
    [
        (_sheet(3000), False),
        (_sheet(3000, '<row r="3001"><c r="XFD3001"><v>1</v></c></row>', at=1500), True),
        (_sheet(3000, "<row r=\"3001\"><c r='C1048576'><v>1</v></c></row>", at=2999), True),
        (_sheet(3000, f'<row r="3001">{WIDE_ROW}</row>', at=10), True),
        (_sheet(3000, '<!DOCTYPE x [<!ENTITY a "b">]>', at=1700), True),
        (_sheet(3000, '<row r="150000"><c r="GR150000"><v>1</v></c></row>'), True),
        # Left to the reader's own row count (the sheet's height), as before.
        (_sheet(3000, '<row r="200001"><c r="B200001"><v>1</v></c></row>', at=5), False),
        (_sheet(3000, ns="x:"), False),
    ],
    ids=["plain", "far", "far-row", "unplaced", "doctype", "rectangle", "row-limit", "prefix"],
)
def test_a_large_sheet_is_checked_in_parts_as_it_is_whole(monkeypatch, xml, refused):
    """A sheet inflated in many parts gets the same verdict, word for word, as the whole
    sheet, wherever the parts are cut (also through the middle of what is refused)."""
    from diagnostics.sheets import archive_check as spreadsheet

    monkeypatch.setattr(spreadsheet, "_ENDS", 5000)  # the rows' ends are read from the parts

    def whole() -> None:
        if spreadsheet._DECLARATION.search(xml) or b"<!doctype" in xml[:4096]:
            raise spreadsheet._declaration_error("p.xlsx")
        spreadsheet._check_sheet_extent(xml, "p.xlsx")

    expected = _verdict(whole)
    assert (expected is not None) == refused, expected
    for step in (64, 97, 1000, 4099, 65536):
        parts = [xml[i : i + step] for i in range(0, len(xml), step)]
        got = _verdict(lambda parts=parts: spreadsheet._check_sheet_parts(parts, "p.xlsx"))
        assert got == expected, step


def test_a_part_that_fails_its_checksum_is_named_as_damaged():
    stored = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes({"S": PILOTS}))) as source,
        zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
    data = stored.getvalue()
    assert data.count(b"Invoice matching") == 1
    message = refused(data.replace(b"Invoice matching", b"Invoice matchinG"), "p.xlsx")
    assert "(xl/worksheets/sheet1.xml) is damaged" in message
    assert "CRC" in message


def test_too_many_columns_in_a_csv():
    header = ",".join(f"c{i}" for i in range(limits.MAX_COLUMNS + 1))
    message = refused(f"{header}\n{header}\n".encode(), "p.csv")
    assert f"{limits.MAX_COLUMNS + 1:,} columns" in message
    assert f"at most {limits.MAX_COLUMNS}" in message


def test_too_many_rows_in_a_csv(monkeypatch):
    monkeypatch.setattr("diagnostics.sheets.table.MAX_ROWS", 50)  # the check
    monkeypatch.setattr("diagnostics.sheets.file_kinds.MAX_ROWS", 50)  # its message
    rows = "ID,Stage\n" + "".join(f"P-{i},Pilot\n" for i in range(51))
    message = refused(rows.encode(), "p.csv")
    assert "51 rows" in message
    assert "at most 50 pilots" in message


def test_file_over_the_upload_limit():
    message = refused(b"x" * (limits.MAX_UPLOAD_BYTES + 1), "p.csv")
    assert f"the limit is {limits.MAX_UPLOAD_MB} MB" in message


def test_upload_limit_matches_the_server_setting():
    config = (REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    setting = re.search(r"^maxUploadSize\s*=\s*(\d+)", config, re.M)
    assert setting is not None
    assert int(setting.group(1)) == limits.MAX_UPLOAD_MB


def test_the_garbage_collector_is_paused_only_while_reading():
    import gc

    from diagnostics.sheets.reader import paused_gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer read is still going on
    assert gc.isenabled()
    with pytest.raises(ImportFileError), paused_gc():
        read_table(b"", "p.csv")
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # it was off before: left off
    finally:
        gc.enable()
