"""Spreadsheets of answers: one row per pilot, one column per question id.

An organisation that already knows the answers for many pilots (from a survey, a review or
an earlier tool) fills in the template this module builds, then uploads it. Reading keeps
every pilot row: a cell that is not an answer is reported by its reference (for example
`F7`) and left unanswered, so one typo never silently removes a pilot from the picture.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from diagnostics.errors import ImportFileError
from diagnostics.framework.content import Content
from diagnostics.framework.scoring import normalise_answer
from diagnostics.sheets import limits
from diagnostics.sheets.archive_check import check_archive
from diagnostics.sheets.text_table import decode_text, sniff_delimiter

ANSWER_SHEET_NAME = "Answers"
TEMPLATE_ROWS = 500  # rows prepared with dropdowns in the template
MAX_SHEET_ROWS = 20_000  # pilots per answer sheet; far above any real organisation
MAX_SHEET_COLUMNS = 300
HEADER_SCAN_ROWS = 10
MAX_PROBLEMS_IN_MESSAGE = 12

# Descriptive columns recognised next to the question ids (normalised header -> field).
META_ALIASES: dict[str, str] = {
    "pilot_id": "pilot_id",
    "id": "pilot_id",
    "project_id": "pilot_id",
    "pilot_ref": "pilot_id",
    "pilot_name": "name",
    "name": "name",
    "pilot": "name",
    "project": "name",
    "project_name": "name",
    "business_unit": "business_unit",
    "unit": "business_unit",
    "department": "business_unit",
    "position": "position",
    "where_the_pilot_stands": "position",
}
META_COLUMNS = ("pilot_id", "pilot_name", "business_unit", "position")
META_HELP = {
    "pilot_id": "Your own reference for the pilot (optional). Rows with the same reference "
    "update the same pilot when imported again.",
    "pilot_name": "The pilot's name, as people know it.",
    "business_unit": "The business unit or department that owns the pilot (optional).",
    "position": "Where the pilot stands. Leave blank to infer it from the questions answered.",
}
# Phase names people use for the position, mapped onto the content's position keys.
PHASE_POSITIONS = {"start": "about_to_start", "during": "running", "decision": "decision_point"}


@dataclass(frozen=True)
class CellProblem:
    """One cell that could not be used, named the way a spreadsheet user finds it."""

    cell: str
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.cell} ({self.column}): {self.message}"


@dataclass(frozen=True)
class SheetPilot:
    """One pilot row of an answer sheet, its answers already on the scale's keys."""

    row: int
    pilot_id: str | None
    name: str
    business_unit: str | None
    position: str
    answers: dict[str, str]


@dataclass(frozen=True)
class AnswerSheet:
    filename: str
    sheet: str | None
    header_row: int
    question_columns: list[str]
    ignored_columns: list[str]
    pilots: list[SheetPilot]
    problems: list[CellProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.pilots)

    def problem_lines(self) -> list[str]:
        return [str(p) for p in self.problems]

    def raise_for_problems(self) -> None:
        """Raise ImportFileError naming the bad cells, for callers that accept no problem."""
        if self.problems:
            raise ImportFileError(problems_message(self.problems, self.filename))


def problems_message(problems: Sequence[CellProblem], filename: str) -> str:
    shown = "; ".join(str(p) for p in problems[:MAX_PROBLEMS_IN_MESSAGE])
    more = len(problems) - MAX_PROBLEMS_IN_MESSAGE
    tail = f"; and {more} more" if more > 0 else ""
    return (
        f"{filename}: {len(problems)} cell(s) cannot be used: {shown}{tail}. "
        "Use Yes, Partly, No, Don't know or N/A (the template offers them in a dropdown), "
        "then upload the file again."
    )


# Reading ----------------------------------------------------------------------------------


def read_cells(source: str | Path | bytes, filename: str, sheet: str | None = None):
    """The cells of one sheet as rows of plain values, plus the sheet's name.

    Hostile files are refused by the shared checks of `diagnostics.sheets.reader` (zip bombs,
    XML tricks, cells in far-away corners) before anything is parsed. Workbooks are then read
    with openpyxl, not through `read_table`, because naming a bad cell (`F7`) needs the
    sheet's own column letters, which a table with blank columns dropped no longer knows;
    answer sheets are small, so the slower reader costs little.
    """
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else bytes(source)
    if not data:
        raise ImportFileError(f"{filename} is empty (0 bytes). Save the file again and retry.")
    if len(data) > limits.MAX_UPLOAD_BYTES:
        raise ImportFileError(
            f"{filename} is {len(data) / 1e6:.1f} MB; answer sheets may be at most "
            f"{limits.MAX_UPLOAD_MB} MB."
        )
    suffix = Path(filename).suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(data, filename), None
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(data, filename, sheet)
    raise ImportFileError(
        f"{filename}: answer sheets must be .xlsx or .csv files. Download the template, "
        "fill it in and upload it as it is."
    )


def _read_csv(data: bytes, filename: str) -> list[list[object]]:
    text, _encoding = decode_text(data, filename)
    delimiter = sniff_delimiter(text)
    rows = []
    for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        if i > MAX_SHEET_ROWS:
            raise _too_many_rows(filename)
        rows.append(row[:MAX_SHEET_COLUMNS])
    return rows


def _read_xlsx(data: bytes, filename: str, sheet: str | None):
    from openpyxl import load_workbook

    if not data.startswith(b"PK"):
        raise ImportFileError(
            f"{filename} is not a readable xlsx workbook (it may be damaged, password "
            "protected or another format renamed). Save it again from Excel as .xlsx."
        )
    check_archive(data, filename, ".xlsx")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise ImportFileError(
            f"{filename} cannot be opened as a workbook ({type(exc).__name__}). "
            "Save it again from Excel as .xlsx."
        ) from None
    try:
        names = workbook.sheetnames
        if sheet is None:
            sheet = ANSWER_SHEET_NAME if ANSWER_SHEET_NAME in names else names[0]
        elif sheet not in names:
            raise ImportFileError(
                f"{filename} has no sheet {sheet!r}; its sheets are {', '.join(names)}."
            )
        rows: list[list[object]] = []
        # max_col bounds the width even when a stray cell sits far to the right;
        # the row cap stops a file whose last cell is far down.
        for i, row in enumerate(
            workbook[sheet].iter_rows(max_col=MAX_SHEET_COLUMNS, values_only=True)
        ):
            if i > MAX_SHEET_ROWS:
                raise _too_many_rows(filename)
            rows.append(list(row))
        return rows, sheet
    finally:
        workbook.close()


def _too_many_rows(filename: str) -> ImportFileError:
    return ImportFileError(
        f"{filename} has cells below row {MAX_SHEET_ROWS:,}. An answer sheet holds one row "
        "per pilot: delete stray cells under the table, or split it into smaller sheets."
    )


def _normal_header(value: object) -> str:
    text = "" if value is None else str(value).strip().lower()
    return re.sub(r"[\s\-/]+", "_", text)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_answer_sheet(
    source: str | Path | bytes,
    filename: str,
    content: Content,
    *,
    sheet: str | None = None,
) -> AnswerSheet:
    """Read an answer sheet; bad cells become `problems`, never dropped rows."""
    rows, sheet_name = read_cells(source, filename, sheet)
    header_index = _header_row(rows, filename, content)
    layout = _Layout.of(rows[header_index], content)
    warnings = list(layout.warnings)
    pilots: list[SheetPilot] = []
    problems: list[CellProblem] = []
    seen_refs: dict[str, int] = {}
    for i in range(header_index + 1, len(rows)):
        row = rows[i]
        if not any(_cell_text(v) for v in row):
            continue  # a blank row separates nothing and holds nothing
        pilot = _read_pilot(row, i + 1, layout, content, problems)
        if pilot.pilot_id:
            if pilot.pilot_id in seen_refs:
                warnings.append(
                    f"Row {pilot.row} repeats the pilot reference {pilot.pilot_id!r} of row "
                    f"{seen_refs[pilot.pilot_id]}; both rows are kept, the later one counts last."
                )
            seen_refs.setdefault(pilot.pilot_id, pilot.row)
        if not pilot.answers:
            warnings.append(f"Row {pilot.row} ({pilot.name}) has no answers yet.")
        pilots.append(pilot)
    if not pilots:
        raise ImportFileError(
            f"{filename}: the sheet has a header row but no pilot rows below it. "
            "Add one row per pilot."
        )
    return AnswerSheet(
        filename=filename,
        sheet=sheet_name,
        header_row=header_index + 1,
        question_columns=list(layout.columns.values()),
        ignored_columns=layout.ignored,
        pilots=pilots,
        problems=problems,
        warnings=warnings,
    )


def _header_row(rows: list[list], filename: str, content: Content) -> int:
    """The first row (of the first few) with a question id among its cells."""
    question_ids = set(content.questions_by_id)
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if any(_normal_header(v) in question_ids for v in row):
            return i
    example = content.questions[0].id
    raise ImportFileError(
        f"{filename}: no column is headed by a question id (such as {example}) in the "
        f"first {HEADER_SCAN_ROWS} rows. Download the answer template and keep its header row."
    )


@dataclass(frozen=True)
class _Layout:
    """Which column holds which question, which the pilot's details, and what was ignored."""

    columns: dict[int, str]
    meta: dict[str, int]
    ignored: list[str]
    warnings: list[str]

    @classmethod
    def of(cls, header: list, content: Content) -> _Layout:
        question_ids = set(content.questions_by_id)
        columns: dict[int, str] = {}
        meta: dict[str, int] = {}
        ignored: list[str] = []
        warnings: list[str] = []
        for j, value in enumerate(header):
            key = _normal_header(value)
            if not key:
                continue
            if key in question_ids:
                if key in columns.values():
                    letter = get_column_letter(j + 1)
                    warnings.append(f"Column {letter} repeats {key}; it was ignored.")
                    continue
                columns[j] = key
            elif key in META_ALIASES and META_ALIASES[key] not in meta:
                meta[META_ALIASES[key]] = j
            else:
                ignored.append(str(value).strip())
        if ignored:
            warnings.append(
                "Columns that are not question ids of the framework were ignored: "
                + ", ".join(ignored[:20])
                + (" …" if len(ignored) > 20 else "")
            )
        return cls(columns, meta, ignored, warnings)


def _read_pilot(
    row: list, row_number: int, layout: _Layout, content: Content, problems: list[CellProblem]
) -> SheetPilot:
    """One pilot row: its answers (a bad cell goes to `problems`) and its details."""

    def cell(j: int | None) -> str:
        return _cell_text(row[j]) if j is not None and j < len(row) else ""

    answers: dict[str, str] = {}
    for j, qid in layout.columns.items():
        raw = cell(j)
        if not raw:
            continue
        key = normalise_answer(raw)
        ref = f"{get_column_letter(j + 1)}{row_number}"
        if key is None:
            problems.append(CellProblem(ref, row_number, qid, raw, f"{raw!r} is not an answer"))
        elif key == "na" and not content.questions_by_id[qid].allow_na:
            problems.append(
                CellProblem(ref, row_number, qid, raw, "N/A is not allowed for this question")
            )
        else:
            answers[qid] = key
    meta = layout.meta
    pilot_id = cell(meta.get("pilot_id")) or None
    name = cell(meta.get("name")) or pilot_id or f"Row {row_number}"
    position, position_problem = _position(cell(meta.get("position")), answers, content)
    if position_problem:
        ref = f"{get_column_letter(meta['position'] + 1)}{row_number}"
        problems.append(
            CellProblem(ref, row_number, "position", cell(meta["position"]), position_problem)
        )
    return SheetPilot(
        row=row_number,
        pilot_id=pilot_id,
        name=name[:300],
        business_unit=cell(meta.get("business_unit")) or None,
        position=position,
        answers=answers,
    )


def infer_position(answers: dict[str, str], content: Content) -> str:
    """The earliest position whose phases cover every answered question."""
    phases = {content.questions_by_id[q].phase for q in answers}
    for position in content.positions:
        if phases <= set(position.scored_phases):
            return position.key
    return content.positions[-1].key


def _position(text: str, answers: dict[str, str], content: Content) -> tuple[str, str | None]:
    if not text:
        return infer_position(answers, content), None
    wanted = _normal_header(text)
    for position in content.positions:
        if wanted in (position.key, _normal_header(position.label)):
            return position.key, None
    mapped = PHASE_POSITIONS.get(wanted)
    if mapped in content.positions_by_key:
        return mapped, None
    labels = ", ".join(p.label for p in content.positions)
    return (
        infer_position(answers, content),
        f"{text!r} is not a position (use one of: {labels}); inferred from the answers",
    )


# Template ---------------------------------------------------------------------------------


def answer_template_bytes(content: Content, *, rows: int = TEMPLATE_ROWS) -> bytes:
    """An xlsx template: one column per question id, dropdowns, the question as a comment."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ANSWER_SHEET_NAME
    header_font = Font(bold=True, color="FFFFFF")
    meta_fill = PatternFill("solid", fgColor="44546A")
    last_row = rows + 1

    for j, column in enumerate(META_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=j, value=column)
        cell.font, cell.fill = header_font, meta_fill
        cell.comment = _comment(META_HELP[column])
        sheet.column_dimensions[get_column_letter(j)].width = 28 if column == "pilot_name" else 18
    position_labels = ",".join(p.label for p in content.positions)
    position_rule = DataValidation(
        type="list", formula1=f'"{position_labels}"', allow_blank=True, showDropDown=False
    )
    position_rule.error = "Pick a position from the list, or leave it blank."
    position_col = get_column_letter(META_COLUMNS.index("position") + 1)
    position_rule.add(f"{position_col}2:{position_col}{last_row}")
    sheet.add_data_validation(position_rule)

    add_answer_columns(sheet, content, start_column=len(META_COLUMNS) + 1, rows=rows)
    sheet.freeze_panes = sheet.cell(row=2, column=3)
    sheet.row_dimensions[1].height = 30
    for cell in sheet[1]:
        cell.alignment = Alignment(vertical="center")

    guide = workbook.create_sheet("Questions")
    guide.append(["question_id", "reason", "asked", "question", "help", "N/A allowed"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for question in content.questions:
        guide.append(
            [
                question.id,
                content.reasons_by_key[question.reason].title,
                content.phase_labels.get(question.phase, question.phase),
                question.text,
                question.help,
                "yes" if question.allow_na else "no",
            ]
        )
    for letter, width in zip("ABCDEF", (26, 30, 20, 70, 70, 12), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def add_answer_columns(sheet, content: Content, *, start_column: int, rows: int) -> None:
    """One column per question id from `start_column`: header with the question as a
    comment, and an answer dropdown on rows 2..rows+1 (N/A only where a question allows it).

    Shared so that any other template (a portfolio template, say) can offer the same columns.
    """
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F5FA8")
    scale = {a.key: a.label for a in content.answer_scale}
    with_na = ",".join(scale[k] for k in ("yes", "partly", "no", "dont_know", "na"))
    without_na = ",".join(scale[k] for k in ("yes", "partly", "no", "dont_know"))
    rules = {
        True: DataValidation(type="list", formula1=f'"{with_na}"', allow_blank=True),
        False: DataValidation(type="list", formula1=f'"{without_na}"', allow_blank=True),
    }
    for rule in rules.values():
        rule.error = "Choose an answer from the list."
        rule.errorTitle = "Not an answer"
        sheet.add_data_validation(rule)
    for j, question in enumerate(content.questions, start=start_column):
        letter = get_column_letter(j)
        cell = sheet.cell(row=1, column=j, value=question.id)
        cell.font, cell.fill = header_font, header_fill
        reason = content.reasons_by_key[question.reason].title
        phase = content.phase_labels.get(question.phase, question.phase)
        cell.comment = _comment(f"{question.text}\n\n{reason} · {phase}")
        sheet.column_dimensions[letter].width = max(14, min(len(question.id) + 2, 30))
        rules[question.allow_na].add(f"{letter}2:{letter}{rows + 1}")


def _comment(text: str) -> Comment:
    comment = Comment(text, "PoC Trap Diagnostic")
    comment.width, comment.height = 320, 160
    return comment
