"""The register's sheet for issue trackers: exported, edited as a person would, read back by
action id without duplicates; a cell it cannot read is named and the register is unchanged.
On a SQLite file and on PostgreSQL, through the command line as well."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs
from sqlalchemy import delete

from diagnostics.actions import exchange, register
from diagnostics.cli import main
from diagnostics.errors import ImportFileError
from diagnostics.framework.content import load_content
from diagnostics.storage import store
from diagnostics.storage.models import RegisterAction

TODAY = date.today()


@pytest.fixture(scope="module")
def content():
    return load_content()


@pytest.fixture
def engine(db_url: str):
    engine = store.make_engine(db_url)
    store.migrate(engine)
    yield engine
    engine.dispose()


def _seed(engine):
    pilot = store.create_pilot(engine, "Ticket routing", business_unit="Customer service")
    first = register.add_action(
        engine,
        title="Write the problem statement",
        pilot_id=pilot.id,
        question_id="bp_problem_statement",
        reason="business_problem",
        owner="Product owner",
        due_date=TODAY + timedelta(days=30),
        source="assessment",
    )
    second = register.add_action(
        engine,
        title="=Set numeric targets",  # formula-like text: exported inert, read back as is
        pilot_id=pilot.id,
        question_id="bp_success_criteria",
        reason="business_problem",
        owner="Business sponsor",
        due_date=TODAY + timedelta(days=14),
    )
    third = register.add_action(engine, title="Tie pilots to a funding line", owner="CFO office")
    return first, second, third


def _xlsx_rows(data: bytes) -> tuple[openpyxl.Workbook, list[list]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return book, [list(r) for r in book["Actions"].iter_rows(values_only=True)]


def _saved(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _state(engine) -> list[tuple]:
    return [
        (a.id, a.title, a.status, a.owner, a.due_date, a.note, len(a.history))
        for a in register.list_actions(engine)
    ]


def test_the_export_has_the_columns_an_issue_tracker_imports(engine, content) -> None:
    first, second, third = _seed(engine)
    _, rows = _xlsx_rows(exchange.export_xlsx(register.list_actions(engine), content))
    header, body = rows[0], rows[1:]
    assert ",".join(header[:7]) == "Action ID,Summary,Description,Assignee,Due date,Labels,Status"
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert set(by_id) == {first.id, second.id, third.id}
    row = by_id[first.id]
    assert row["Summary"] == "Write the problem statement"
    assert row["Assignee"] == "Product owner"
    assert row["Status"] == "Open"
    assert row["Due date"] == (TODAY + timedelta(days=30)).isoformat()
    assert row["Labels"] == "poc-trap business-problem ticket-routing"
    assert row["Description"].startswith("For: Ticket routing\nReason it addresses: Business")
    assert by_id[second.id]["Summary"] == "'=Set numeric targets"  # never run as a formula
    assert by_id[third.id]["Labels"] == "poc-trap organisation"
    assert by_id[third.id]["Business unit"] == "Whole organisation"
    assert exchange.export_filename(date(2027, 1, 31), "xlsx") == "poc-trap-actions-2027-01-31.xlsx"


def test_an_edited_xlsx_updates_the_register_by_id_without_duplicates(engine, content) -> None:
    first, second, third = _seed(engine)
    book, rows = _xlsx_rows(exchange.export_xlsx(register.list_actions(engine), content))
    sheet = book["Actions"]
    line = {r[0]: n for n, r in enumerate(rows, 1)}
    sheet.cell(line[first.id], 7).value = "Done"  # Status
    sheet.cell(line[second.id], 7).value = "In Progress"
    sheet.cell(line[second.id], 4).value = "Ana Costa <ana.costa@example.org>"  # Assignee
    sheet.cell(line[third.id], 12).value = "Board meets on the 12th"  # Note
    data = _saved(book)

    report = exchange.import_sheet(engine, data, "actions.xlsx")
    assert report.created == []
    assert report.unchanged == 0
    assert {c.action_id: c.changes for c in report.updated} == {
        first.id: ("status Open → Done",),
        second.id: ("status Open → In progress", "assignee Ana Costa <ana.costa@example.org>"),
        third.id: ("note",),
    }
    after = {a.id: a for a in register.list_actions(engine)}
    assert len(after) == 3
    assert after[first.id].status == "done"
    assert after[first.id].completed_at is not None
    assert after[first.id].history[-1].via == "import"
    assert after[second.id].owner == "Ana Costa <ana.costa@example.org>"
    assert after[second.id].title == "=Set numeric targets"  # the apostrophe came off again
    assert after[third.id].note == "Board meets on the 12th"
    # The same sheet again changes nothing and adds nothing.
    again = exchange.import_sheet(engine, data, "actions.xlsx")
    assert (again.created, again.updated, again.unchanged) == ([], [], 3)
    assert len(register.list_actions(engine)) == 3


def test_a_csv_with_tracker_words_and_a_new_row_round_trips(engine, content) -> None:
    first, _second, third = _seed(engine)
    text = exchange.export_csv(register.list_actions(engine), content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        if int(row["Action ID"]) == first.id:
            row["Status"] = "Closed"  # a tracker's word for done
        if int(row["Action ID"]) == third.id:
            row["Status"] = "Won't Do"
    rows.append(
        {
            "Action ID": "",
            "Summary": "Book the data platform review",
            "Assignee": "Data lead",
            "Due date": (TODAY + timedelta(days=3)).isoformat(),
            "Status": "To Do",
            "Pilot": "ticket routing",
        }
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(exchange.COLUMNS))
    writer.writeheader()
    writer.writerows(rows)
    report = exchange.import_sheet(engine, out.getvalue().encode(), "from-tracker.csv")
    assert len(report.created) == 1
    assert len(report.updated) == 2
    assert report.unchanged == 1
    after = {a.id: a for a in register.list_actions(engine)}
    assert after[first.id].status == "done"
    assert after[third.id].status == "dropped"
    new = after[report.created[0]]
    assert (new.title, new.owner, new.status, new.pilot_name, new.source) == (
        "Book the data platform review",
        "Data lead",
        "open",
        "Ticket routing",
        "import",
    )


def test_a_sheet_with_bad_cells_names_each_cell_and_changes_nothing(engine, content) -> None:
    first, second, third = _seed(engine)
    before, counts = _state(engine), store.count_rows(engine)
    book, rows = _xlsx_rows(exchange.export_xlsx(register.list_actions(engine), content))
    sheet = book["Actions"]
    line = {r[0]: n for n, r in enumerate(rows, 1)}
    sheet.cell(line[first.id], 7).value = "Done"  # a good change, not applied either
    sheet.cell(line[second.id], 7).value = "Finished-ish"
    sheet.cell(line[third.id], 4).value = "Ana; Ben"
    sheet.cell(line[third.id], 5).value = "next Tuesday"
    sheet.cell(len(rows) + 1, 1).value = 999
    sheet.cell(len(rows) + 1, 7).value = "Open"
    with pytest.raises(ImportFileError) as error:
        exchange.import_sheet(engine, _saved(book), "actions.xlsx")
    message = str(error.value)
    assert message.startswith("Nothing was changed: 4 cells of actions.xlsx cannot be read.")
    assert f"Actions!G{line[second.id]}: status 'Finished-ish' is not one" in message
    assert f"Actions!D{line[third.id]}: Owner 'Ana; Ben' is not a name" in message
    assert f"Actions!E{line[third.id]}: 'next Tuesday' is not a date" in message
    assert f"Actions!A{len(rows) + 1}: no action 999 in this register" in message
    assert _state(engine) == before
    assert store.count_rows(engine) == counts


def test_a_sheet_without_the_id_column_is_refused(engine) -> None:
    data = b"Summary,Status\nSomething,Done\n"
    with pytest.raises(ImportFileError, match="has no 'Action ID' column"):
        exchange.import_sheet(engine, data, "tracker.csv")


def test_a_moved_due_date_in_the_past_and_a_repeated_id_are_refused(engine) -> None:
    first, _, _ = _seed(engine)
    past = (TODAY - timedelta(days=2)).isoformat()
    data = f"Action ID,Status,Due date\n{first.id},Done,{past}\n{first.id},Open,\n".encode()
    with pytest.raises(ImportFileError) as error:
        exchange.import_sheet(engine, data, "a.csv")
    assert f"row 2, column C: action {first.id} cannot be moved to {past}" in str(error.value)
    assert "row 3, column A: action" in str(error.value)
    assert "also in row 2" in str(error.value)
    assert register.get_action(engine, first.id).status == "open"


def test_the_command_line_lists_exports_and_imports(
    engine, db_url, content, tmp_path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    first, second, third = _seed(engine)
    register.update_action(engine, third.id, due_date=TODAY)
    later = TODAY + timedelta(days=1)

    class Tomorrow(date):
        @classmethod
        def today(cls):
            return later

    assert main(["actions", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [a["id"] for a in listed] == [third.id, second.id, first.id]  # by due date
    assert main(["actions", "list", "--pilot", "Ticket routing", "--json"]) == 0
    assert {a["id"] for a in json.loads(capsys.readouterr().out)} == {first.id, second.id}
    monkeypatch.setattr("diagnostics.cli.actions.date", Tomorrow)
    assert main(["actions", "list", "--overdue", "--json"]) == 0
    overdue = json.loads(capsys.readouterr().out)
    assert [(a["id"], a["days_overdue"]) for a in overdue] == [(third.id, 1)]
    assert main(["actions", "list", "--overdue"]) == 0
    assert "1 days overdue" in capsys.readouterr().out
    monkeypatch.undo()
    monkeypatch.setenv("DATABASE_URL", db_url)

    path = tmp_path / "actions.xlsx"
    assert main(["actions", "export", str(path)]) == 0
    assert "Wrote 3 actions" in capsys.readouterr().out
    book, rows = _xlsx_rows(path.read_bytes())
    line = {r[0]: n for n, r in enumerate(rows, 1)}
    book["Actions"].cell(line[second.id], 7).value = "Done"
    path.write_bytes(_saved(book))
    assert main(["actions", "import", str(path)]) == 0
    assert "1 action updated, 0 added, 2 unchanged." in capsys.readouterr().out
    assert register.get_action(engine, second.id).status == "done"

    book["Actions"].cell(line[second.id], 7).value = "Nearly"
    path.write_bytes(_saved(book))
    assert main(["actions", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"Actions!G{line[second.id]}: status 'Nearly'" in err
    assert register.get_action(engine, second.id).status == "done"
    assert main(["actions", "export", str(tmp_path / "a.pdf")]) == 2
    assert main(["actions", "list", "--pilot", "Nope"]) == 2


_TEXT = hs.text(
    alphabet=hs.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | hs.sampled_from("=+-@'\n"),
    max_size=40,
)


@given(
    actions=hs.lists(
        hs.tuples(
            _TEXT.filter(lambda t: " ".join(t.split())),
            _TEXT,
            hs.sampled_from(["open", "in_progress", "done", "dropped"]),
        ),
        min_size=1,
        max_size=5,
    ),
    ext=hs.sampled_from(["xlsx", "csv"]),
)
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_register_read_back_unedited_changes_nothing(sqlite_url, content, actions, ext):
    """Titles and notes with formula marks, apostrophes, line breaks and any script survive
    the trip; the unedited sheet is no change at all."""
    engine = store.make_engine(sqlite_url)
    try:
        store.migrate(engine)
        with store.session_scope(engine) as session:
            session.execute(delete(RegisterAction))
        for title, note, status in actions:
            register.add_action(engine, title=title, note=note, status=status)
        before = _state(engine)
        data = exchange.export_bytes(register.list_actions(engine), content, ext)
        report = exchange.import_sheet(engine, data, f"register.{ext}")
        assert (report.created, report.updated) == ([], [])
        assert report.unchanged == len(actions)
        assert _state(engine) == before
    finally:
        engine.dispose()
