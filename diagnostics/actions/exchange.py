"""The register as a sheet for issue trackers, and the same sheet read back.

The columns are those a tracker's csv import understands (Summary, Description, Assignee,
Due date, Labels, Status) plus the register's own `Action ID`. Reading a sheet back updates
each action by that id (status, assignee, due date, note, summary), never adding a second
copy; a row without an id adds a new action. Every row is checked before anything is
written: a cell that cannot be read is reported by its reference (`Actions!F7`), and a sheet
with any such cell changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from diagnostics.actions import register
from diagnostics.actions.register import ActionError, ActionRecord
from diagnostics.actions.vocabulary import Vocabulary, normal_word, vocabulary
from diagnostics.errors import ImportFileError
from diagnostics.framework.content import Content
from diagnostics.sheets.safe_export import (
    FORMULA_PREFIXES,
    frame_to_csv_bytes,
    frames_to_xlsx_bytes,
    neutralise_cell,
)
from diagnostics.storage import store
from diagnostics.storage.models import Pilot, RegisterAction, utcnow

SHEET_NAME = "Actions"
ID = "Action ID"
COLUMNS = (
    ID,
    "Summary",
    "Description",
    "Assignee",
    "Due date",
    "Labels",
    "Status",
    "Pilot",
    "Business unit",
    "Question",
    "Reason",
    "Note",
    "Source",
    "Created",
    "Completed",
)
# Header words accepted on the way back in (case and spacing ignored), per field.
HEADERS = {
    "id": ("action id", "id", "action"),
    "summary": ("summary", "title", "action title"),
    "assignee": ("assignee", "owner", "assigned to"),
    "due": ("due date", "due", "due on"),
    "status": ("status", "state"),
    "note": ("note", "notes"),
    "pilot": ("pilot", "pilot name"),
}
MAX_PROBLEMS_SHOWN = 20
_ID_TEXT = re.compile(r"^\s*(?:[A-Za-z]+-)?(\d+)(?:\.0+)?\s*$")


def _label_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", normal_word(text)).strip("-")[:60]


def labels(action: ActionRecord) -> str:
    """Tracker labels (no spaces inside one): the product, the reason, the pilot."""
    words = ["poc-trap"]
    if action.reason:
        words.append(_label_word(action.reason))
    words.append(_label_word(action.pilot_name) if action.pilot_name else "organisation")
    return " ".join(w for w in words if w)


def description(action: ActionRecord, content: Content) -> str:
    question = content.questions_by_id.get(action.question_id or "")
    reason = content.reasons_by_key.get(action.reason or "")
    lines = [f"For: {action.scope}"]
    if reason:
        lines.append(f"Reason it addresses: {reason.title}")
    if question:
        lines.append(f"Question: {question.text}")
        lines.append(f"Why it matters: {question.help}")
    if action.note:
        lines.append(f"Note: {action.note}")
    lines.append(f"From: {vocabulary().sources.get(action.source, action.source)}")
    return "\n".join(lines)


def actions_frame(actions: Sequence[ActionRecord], content: Content) -> pd.DataFrame:
    """One row per action, in the export's columns."""
    words = vocabulary()
    rows = []
    for a in actions:
        question = content.questions_by_id.get(a.question_id or "")
        reason = content.reasons_by_key.get(a.reason or "")
        rows.append(
            {
                ID: a.id,
                "Summary": a.title,
                "Description": description(a, content),
                "Assignee": a.owner or "",
                "Due date": a.due_date.isoformat() if a.due_date else "",
                "Labels": labels(a),
                "Status": words.label(a.status),
                "Pilot": a.pilot_name or "",
                "Business unit": a.unit,
                "Question": question.short_label if question else "",
                "Reason": reason.title if reason else "",
                "Note": a.note or "",
                "Source": words.sources.get(a.source, a.source),
                "Created": a.created_at.date().isoformat(),
                "Completed": a.completed_at.date().isoformat() if a.completed_at else "",
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def export_csv(actions: Sequence[ActionRecord], content: Content) -> bytes:
    return frame_to_csv_bytes(actions_frame(actions, content))


# Column widths in characters, so the sheet opens readable: the summary and description wide.
WIDTHS = {"Summary": 50, "Description": 60, "Labels": 34, "Pilot": 28, "Question": 30, "Note": 40}


def export_xlsx(actions: Sequence[ActionRecord], content: Content) -> bytes:
    """The register as one sheet: header frozen and filterable, readable column widths."""
    import io

    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.load_workbook(
        io.BytesIO(frames_to_xlsx_bytes({SHEET_NAME: actions_frame(actions, content)}))
    )
    sheet = book[SHEET_NAME]
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, name in enumerate(COLUMNS, 1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 16)
        sheet.cell(1, index).font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_filename(today: date, ext: str) -> str:
    return f"poc-trap-actions-{today.isoformat()}.{ext}"


def export_bytes(actions: Sequence[ActionRecord], content: Content, ext: str) -> bytes:
    if ext == "csv":
        return export_csv(actions, content)
    if ext == "xlsx":
        return export_xlsx(actions, content)
    raise ImportFileError(f"Exports are csv or xlsx, not {ext!r}.")


# Reading back ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowChange:
    action_id: int
    title: str
    changes: tuple[str, ...]  # e.g. ("status Open → Done", "assignee Ana Costa")


@dataclass
class ImportReport:
    created: list[int] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    unchanged: int = 0

    def summary(self) -> str:
        parts = [
            f"{register.plural(len(self.updated), 'action')} updated",
            f"{len(self.created)} added",
            f"{self.unchanged} unchanged",
        ]
        return ", ".join(parts) + "."


@dataclass
class _Row:
    cells: dict[str, str]  # field -> cell reference
    action_id: int | None = None
    values: dict[str, object] = field(default_factory=dict)


def _column_letter(index: int) -> str:
    letters, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: object) -> str:
    """A cell as text, with our exports' formula guard taken off again."""
    return _unguarded(_cell(value))


def _cell(value: object) -> str:
    """A cell as the text it holds (an export's apostrophe guard still on)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def _unguarded(text: str) -> str:
    # Our own exports prefix formula-like text with an apostrophe; take it off again.
    if text.startswith("'") and text[1:2] and text[1] in "".join(FORMULA_PREFIXES):
        return text[1:]
    return text


def _kept(cell: str | None, stored: str | None) -> str | None:
    """What a text cell means for a stored value: the same text as exported (its guard on or
    off) keeps the stored value; anything else is the new value, guard taken off."""
    if cell is None:
        return None
    if stored is not None and cell in (stored, neutralise_cell(stored)):
        return stored
    return _unguarded(cell)


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _find_columns(columns: list[str], where: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(columns):
        word = normal_word(name)
        for key, words in HEADERS.items():
            if word in words and key not in found:
                found[key] = index
    if "id" not in found:
        raise ImportFileError(
            f"{where} has no '{ID}' column. Import the sheet this register exported (its "
            f"first column is '{ID}'), keeping that column as it is."
        )
    if not ({"status", "assignee", "due", "note", "summary"} & set(found)):
        raise ImportFileError(
            f"{where} has an '{ID}' column but nothing to update: keep at least one of "
            "Status, Assignee, Due date, Note or Summary."
        )
    return found


def read_sheet(
    engine: Engine, data: bytes, filename: str, *, today: date | None = None
) -> tuple[list[_Row], list[str]]:
    """Every row of the sheet, checked: (rows to apply, problems by cell)."""
    from diagnostics.sheets.reader import read_table

    today = today or date.today()
    table = read_table(data, filename)
    where = f"sheet {table.sheet!r} of {filename}" if table.sheet else filename
    found = _find_columns(table.columns, where)
    words = vocabulary()
    with store.session_scope(engine) as session:
        known = {
            r.id: r.due_date
            for r in session.execute(select(RegisterAction.id, RegisterAction.due_date))
        }
        pilots: dict[str, int] = {}
        for p in session.scalars(select(Pilot).order_by(Pilot.id)):
            pilots.setdefault(normal_word(p.name), p.id)

    def ref(field_key: str, i: int) -> str:
        row_number = (
            int(table.row_numbers[i]) if table.row_numbers is not None else table.first_data_row + i
        )
        cell = f"{_column_letter(found[field_key])}{row_number}"
        return f"{table.sheet}!{cell}" if table.sheet else f"row {row_number}, column {cell[0]}"

    rows: list[_Row] = []
    problems: list[str] = []
    seen: dict[int, str] = {}
    for i in range(table.rows):
        raw = {k: table.cells[i, c] for k, c in found.items()}
        if not any(_text(v) for v in raw.values()):
            continue
        row = _Row(cells={k: ref(k, i) for k in found})
        id_text = _text(raw["id"])
        if id_text:
            action_id = _known_id(id_text, row.cells["id"], known, seen, problems)
            if action_id is None:
                continue
            seen[action_id] = row.cells["id"]
            row.action_id = action_id
        _read_values(row, raw, found, words, problems)
        if row.action_id is None:
            _check_new(row, raw, found, pilots, today, problems)
        else:
            _check_update(row, known[row.action_id], today, problems)
        rows.append(row)
    return rows, problems


def _known_id(
    id_text: str, cell: str, known: dict, seen: dict[int, str], problems: list[str]
) -> int | None:
    """The action id a row names, or None (and a problem) when it is not one to update."""
    match = _ID_TEXT.match(id_text)
    action_id = int(match.group(1)) if match else None
    if action_id is None:
        problems.append(
            f"{cell}: {id_text!r} is not an action id (a whole number from "
            "the export). Leave it as exported, or empty for a new action."
        )
    elif action_id not in known:
        problems.append(
            f"{cell}: no action {action_id} in this register. Keep the ids "
            "the export gave, or empty the cell to add the row as a new action."
        )
    elif action_id in seen:
        problems.append(
            f"{cell}: action {action_id} is also in {seen[action_id]}; keep one row per action."
        )
    else:
        return action_id
    return None


def _read_values(row: _Row, raw: dict, found: dict, words, problems: list[str]) -> None:
    """Status, assignee, due date, note and summary of a row, each checked by its cell."""
    if "status" in found:
        text = _text(raw["status"])
        status = words.status_for(text) if text else None
        if text and status is None:
            problems.append(
                f"{row.cells['status']}: status {text!r} is not one the register knows. "
                f"Use {words.status_list()} (or a tracker's word for them: To Do, Closed…)."
            )
        elif status:
            row.values["status"] = status
    if "assignee" in found:
        try:
            row.values["owner"] = register.clean_owner(_text(raw["assignee"]))
        except ActionError as exc:
            problems.append(f"{row.cells['assignee']}: {exc}")
    if "due" in found:
        try:
            row.values["due_date"] = _date(raw["due"])
        except ValueError:
            problems.append(
                f"{row.cells['due']}: {_text(raw['due'])!r} is not a date. Write it as "
                "YYYY-MM-DD (2027-01-31), or leave it empty."
            )
    if "note" in found:
        row.values["note"] = _cell(raw["note"]) or None
    if "summary" in found:
        row.values["title"] = _cell(raw["summary"])


def _check_update(row: _Row, due_before: date | None, today: date, problems: list[str]) -> None:
    due = row.values.get("due_date")
    if isinstance(due, date) and due != due_before and due < today:
        problems.append(
            f"{row.cells['due']}: action {row.action_id} cannot be moved to "
            f"{due.isoformat()}, before today ({today.isoformat()}); pick today or a "
            "later day (a date kept as exported may have passed)."
        )
    if not row.values.get("title", "x"):
        problems.append(f"{row.cells['summary']}: the summary is empty; an action needs one.")


def _check_new(row: _Row, raw: dict, found: dict, pilots: dict, today: date, problems: list):
    if not row.values.get("title"):
        where = row.cells.get("summary", row.cells["id"])
        problems.append(
            f"{where}: a row without an action id is added as a new action, and needs a "
            "summary. Fill it in, or remove the row."
        )
    due = row.values.get("due_date")
    if isinstance(due, date) and due < today:
        problems.append(
            f"{row.cells['due']}: a new action cannot be due before today "
            f"({today.isoformat()}); pick today or a later day."
        )
    if "pilot" in found:
        name = _text(raw["pilot"])
        if name and normal_word(name) not in pilots:
            problems.append(
                f"{row.cells['pilot']}: no pilot is called {name!r}. Use a pilot's name as the "
                "app shows it, or leave it empty for an action of the whole organisation."
            )
        row.values["pilot_id"] = pilots.get(normal_word(name)) if name else None


def import_sheet(
    engine: Engine, data: bytes, filename: str, *, today: date | None = None
) -> ImportReport:
    """Apply a sheet to the register in one transaction; any unreadable cell changes nothing."""
    today = today or date.today()
    rows, problems = read_sheet(engine, data, filename, today=today)
    if problems:
        shown = problems[:MAX_PROBLEMS_SHOWN]
        more = len(problems) - len(shown)
        tail = f"\n- … and {more} more" if more > 0 else ""
        raise ImportFileError(
            f"Nothing was changed: {register.plural(len(problems), 'cell')} of {filename} "
            "cannot be read.\n" + "\n".join(f"- {p}" for p in shown) + tail
        )
    report = ImportReport()
    words = vocabulary()
    now = utcnow()
    with store.session_scope(engine, write=True) as session:
        for row in rows:
            if row.action_id is None:
                report.created.append(_create_action(session, dict(row.values), now))
                continue
            change = _update_action(session, row.action_id, dict(row.values), words, now)
            if change is None:
                report.unchanged += 1
            else:
                report.updated.append(change)
    return report


def _create_action(session: Session, values: dict, now: datetime) -> int:
    """A row without an action id: a new action, logged as imported; returns its id."""
    new = RegisterAction(
        pilot_id=values.pop("pilot_id", None),
        title=register.clean_title(_unguarded(values.get("title") or "")),
        owner=values.get("owner"),
        due_date=values.get("due_date"),
        status=values.get("status") or "open",
        note=register.clean_note(_unguarded(values.get("note") or "")),
        source="import",
        created_at=now,
        updated_at=now,
    )
    register.set_status(new, new.status, now)
    session.add(new)
    session.flush()
    register.log_change(session, new, None, "import", now)
    return new.id


def _update_action(
    session: Session, action_id: int, values: dict, words: Vocabulary, now: datetime
) -> RowChange | None:
    """A row naming an action: the cells that differ are applied; None when none does."""
    action = session.get(RegisterAction, action_id)
    before = {
        "status": action.status,
        "owner": action.owner,
        "due_date": action.due_date,
        "note": action.note,
        "title": action.title,
    }
    for key in ("title", "note"):  # text cells: an export's guard is no change
        if key in values:
            values[key] = _kept(values[key], before[key])
    if values.get("title") is not None:
        values["title"] = register.clean_title(values["title"])
    if "note" in values:
        values["note"] = register.clean_note(values["note"])
    changes = {k: v for k, v in values.items() if k in before and v != before[k]}
    if not changes:
        return None
    register.apply_changes(
        session,
        action,
        status=changes.get("status"),
        **{k: v for k, v in changes.items() if k != "status"},
        via="import",
        today=date.min,  # moved dates were checked against today in read_sheet
        at=now,
    )
    return RowChange(action.id, action.title, _described(changes, before, words))


def _described(changes: dict, before: dict, words: Vocabulary) -> tuple[str, ...]:
    """What an import changed in one action, in the words the import report shows."""
    described = []
    if "status" in changes:
        described.append(
            f"status {words.label(before['status'])} → {words.label(changes['status'])}"
        )
    if "owner" in changes:
        described.append(f"assignee {changes['owner'] or '(none)'}")
    if "due_date" in changes:
        due = changes["due_date"]
        described.append(f"due {due.isoformat() if due else '(none)'}")
    if "note" in changes:
        described.append("note")
    if "title" in changes:
        described.append("summary")
    return tuple(described)
