"""Answer sheets: the template offers the scale in dropdowns, reading names every bad cell."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from diagnostics.errors import ImportFileError
from diagnostics.framework.content import load_content
from diagnostics.organisation.answer_sheet import (
    META_COLUMNS,
    answer_template_bytes,
    infer_position,
    read_answer_sheet,
)


@pytest.fixture(scope="module")
def content():
    return load_content()


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_template_has_one_column_per_question_with_dropdown_and_comment(content) -> None:
    workbook = load_workbook(io.BytesIO(answer_template_bytes(content)))
    sheet = workbook["Answers"]
    header = [c.value for c in sheet[1]]
    assert header[: len(META_COLUMNS)] == list(META_COLUMNS)
    assert header[len(META_COLUMNS) :] == [q.id for q in content.questions]
    first_q = content.questions[0]
    cell = sheet.cell(row=1, column=len(META_COLUMNS) + 1)
    assert first_q.text in cell.comment.text
    # Every question column carries a list rule; N/A is offered only where a question allows it.
    rules = sheet.data_validations.dataValidation
    by_column: dict[str, str] = {}
    for rule in rules:
        for cell_range in rule.sqref.ranges:
            by_column[cell_range.coord.split(":")[0].rstrip("0123456789")] = rule.formula1
    for j, q in enumerate(content.questions, start=len(META_COLUMNS) + 1):
        formula = by_column[get_column_letter(j)]
        assert "Don't know" in formula, q.id
        assert "Partly" in formula, q.id
        assert ("N/A" in formula) == q.allow_na, q.id


def test_template_filled_in_reads_back(content) -> None:
    workbook = load_workbook(io.BytesIO(answer_template_bytes(content)))
    sheet = workbook["Answers"]
    sheet.append(["P-1", "Ticket routing", "Customer Service", "At the decision point"])
    sheet.cell(row=2, column=5, value="Yes")
    sheet.cell(row=2, column=6, value="Don't know")
    sheet.cell(row=2, column=7, value="partly")
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = read_answer_sheet(buffer.getvalue(), "filled.xlsx", content)
    assert read.problems == []
    (pilot,) = read.pilots
    q = [x.id for x in content.questions]
    assert pilot.answers == {q[0]: "yes", q[1]: "dont_know", q[2]: "partly"}
    assert (pilot.pilot_id, pilot.name, pilot.business_unit) == (
        "P-1",
        "Ticket routing",
        "Customer Service",
    )
    assert pilot.position == "decision_point"
    assert pilot.row == 2


def test_bad_cells_are_named_and_the_row_is_kept(content) -> None:
    na_ok = next(q for q in content.questions if q.allow_na)
    no_na = next(q for q in content.questions if not q.allow_na)
    data = _xlsx(
        [
            ["pilot_name", no_na.id, na_ok.id],
            ["Alpha", "Maybe", "N/A"],
            ["Beta", "N/A", "No"],
        ]
    )
    read = read_answer_sheet(data, "answers.xlsx", content)
    assert [p.name for p in read.pilots] == ["Alpha", "Beta"]
    assert read.pilots[0].answers == {na_ok.id: "na"}
    assert read.pilots[1].answers == {na_ok.id: "no"}
    assert [(p.cell, p.column) for p in read.problems] == [("B2", no_na.id), ("B3", no_na.id)]
    assert "'Maybe' is not an answer" in read.problems[0].message
    with pytest.raises(ImportFileError, match=r"B2 .*Maybe.*B3 .*N/A is not allowed"):
        read.raise_for_problems()


def test_csv_with_semicolons_and_header_below_a_title(content) -> None:
    q = content.questions[0].id
    text = f"Answers of our pilots;;\npilot_id;name;{q}\nX1;First;Yes\nX2;;No\n"
    read = read_answer_sheet(text.encode("utf-8"), "answers.csv", content)
    assert read.header_row == 2
    assert [(p.pilot_id, p.name, p.answers) for p in read.pilots] == [
        ("X1", "First", {q: "yes"}),
        ("X2", "X2", {q: "no"}),
    ]


def test_unknown_columns_are_reported_not_fatal(content) -> None:
    q = content.questions[0].id
    read = read_answer_sheet(
        _xlsx([["name", q, "bp_not_a_question"], ["A", "yes", "yes"]]), "a.xlsx", content
    )
    assert read.ignored_columns == ["bp_not_a_question"]
    assert any("bp_not_a_question" in w for w in read.warnings)


def test_sheet_without_question_columns_is_refused_with_a_way_out(content) -> None:
    with pytest.raises(ImportFileError, match="no column is headed by a question id"):
        read_answer_sheet(_xlsx([["name", "score"], ["A", 3]]), "plain.xlsx", content)


def test_header_without_rows_is_refused(content) -> None:
    with pytest.raises(ImportFileError, match="no pilot rows"):
        read_answer_sheet(_xlsx([["name", content.questions[0].id]]), "empty.xlsx", content)


def test_not_a_workbook_and_wrong_type(content) -> None:
    with pytest.raises(ImportFileError, match="not a readable xlsx"):
        read_answer_sheet(b"this is not a zip", "fake.xlsx", content)
    with pytest.raises(ImportFileError, match=r"\.xlsx or \.csv"):
        read_answer_sheet(b"{}", "answers.json", content)


def test_zip_bomb_is_refused_before_parsing(content) -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * 5_000_000 + b">")
    with pytest.raises(ImportFileError, match="bomb"):
        read_answer_sheet(buffer.getvalue(), "bomb.xlsx", content)


def _with_stray_cell(content, ref: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", content.questions[0].id])
    sheet.append(["A", "Yes"])
    sheet[ref] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_stray_cells_far_right_or_far_down_do_not_exhaust_memory(content) -> None:
    """Test that a cell at the sheet's far corner is refused with a message, before parsing."""
    with pytest.raises(ImportFileError, match="column XFD"):
        read_answer_sheet(_with_stray_cell(content, "XFD30"), "wide.xlsx", content)
    with pytest.raises(ImportFileError, match="rows"):
        read_answer_sheet(_with_stray_cell(content, "B1048576"), "long.xlsx", content)
    # Within the limits, a stray cell far down is a row like any other, kept and reported.
    read = read_answer_sheet(_with_stray_cell(content, "A40"), "stray.xlsx", content)
    assert [p.name for p in read.pilots] == ["A", "x"]
    assert "Row 40 (x) has no answers yet." in read.warnings


def test_position_inferred_from_the_latest_phase_answered(content) -> None:
    start = next(q.id for q in content.questions if q.phase == "start")
    during = next(q.id for q in content.questions if q.phase == "during")
    decision = next(q.id for q in content.questions if q.phase == "decision")
    assert infer_position({start: "yes"}, content) == "about_to_start"
    assert infer_position({start: "yes", during: "no"}, content) == "running"
    assert infer_position({during: "no", decision: "no"}, content) == "decision_point"


def test_bad_position_is_a_named_problem(content) -> None:
    start = next(q.id for q in content.questions if q.phase == "start")
    read = read_answer_sheet(
        _xlsx([["name", "position", start], ["A", "halfway", "yes"], ["B", "running", "no"]]),
        "p.xlsx",
        content,
    )
    assert [p.position for p in read.pilots] == ["about_to_start", "running"]
    assert [(p.cell, p.column) for p in read.problems] == [("B2", "position")]
