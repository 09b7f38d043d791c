"""A pilot's reports list its open actions from the action register (owner, due date,
status, overdue first): the HTML page, the one-page PDF brief, the deck and the workbook,
read back; done and dropped actions and other pilots' actions stay out."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pypdf
import pytest
from pptx import Presentation

from diagnostics.actions.register import add_action, update_action
from diagnostics.framework.content import load_content
from diagnostics.framework.review import load_review
from diagnostics.render.files import pilot_file
from diagnostics.storage import store

CONTENT = load_content()
ADDED = date(2026, 1, 5)
TODAY = date(2026, 3, 9)


@pytest.fixture
def review(sqlite_url: str):
    engine = store.make_engine(sqlite_url)
    store.migrate(engine)
    pilot = store.create_pilot(engine, "Invoice matching", business_unit="Finance")
    other = store.create_pilot(engine, "Churn model")
    record = store.start_assessment(engine, pilot.id, CONTENT.version)
    store.save_answers(engine, record.id, dict.fromkeys(CONTENT.questions_by_id, "partly"))

    def add(title, owner, due, pilot_id=pilot.id, status="open"):
        return add_action(
            engine, title=title, pilot_id=pilot_id, owner=owner, due_date=due, status=status,
            today=ADDED,
        )  # fmt: skip

    add("Agree the success measure with Finance", "CFO office", date(2026, 4, 30))
    add("Book the production data extract", "Data platform team", date(2026, 2, 1))
    add("Name the model's owner after go-live", None, None, status="in_progress")
    done = add("Write the pilot charter", "Sponsor", date(2026, 1, 31))
    update_action(engine, done.id, status="done", today=ADDED)
    add("Drop the chatbot idea", "Sponsor", date(2026, 2, 15), status="dropped")
    add("Someone else's action", "Them", date(2026, 2, 1), pilot_id=other.id)
    yield load_review(engine, CONTENT, assessment_id=record.id, today=TODAY)
    engine.dispose()


# overdue first (the longest overdue on top), then by due date, then without one
EXPECTED = [
    ("Book the production data extract", "Data platform team", "1 Feb 2026",
     "Open, 36 days overdue"),
    ("Agree the success measure with Finance", "CFO office", "30 Apr 2026", "Open"),
    ("Name the model's owner after go-live", "No owner yet", "No due date", "In progress"),
]  # fmt: skip
CAPTION = "3 actions still to do in the action register, 1 overdue."


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_html_report_lists_the_open_register_actions(review) -> None:
    html = pilot_file(review, CONTENT, "html").decode()
    table = html.split("id='register-actions'")[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    cells = [tuple(re.findall(r"<td[^>]*>(.*?)</td>", row)) for row in rows]
    assert cells == [tuple(c.replace("'", "&#x27;") for c in row) for row in EXPECTED]
    assert CAPTION in html
    assert "Write the pilot charter" not in html
    assert "Someone else" not in html


def test_the_brief_lists_them_and_stays_one_page(review) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pilot_file(review, CONTENT, "pdf")))
    assert len(reader.pages) == 1
    text = _flat(reader.pages[0].extract_text())
    assert "Open actions in the register" in text
    for action, owner, due, status in EXPECTED:
        for value in (action, owner, due, status):
            assert value in text
    assert CAPTION in text
    assert "Write the pilot charter" not in text


def test_the_deck_gives_them_a_slide_of_their_own(review) -> None:
    slides = list(Presentation(io.BytesIO(pilot_file(review, CONTENT, "pptx"))).slides)
    titles = [s.shapes.title.text for s in slides]
    assert titles[3:5] == [
        "Blockers and the three most urgent actions",
        "Open actions in the register",
    ]
    table = next(s for s in slides[4].shapes if s.has_table).table
    rows = [tuple(c.text for c in row.cells) for row in table.rows]
    assert rows == [("Action", "Owner", "Due", "Status"), *EXPECTED]


def test_the_workbook_has_a_register_sheet(review) -> None:
    book = openpyxl.load_workbook(io.BytesIO(pilot_file(review, CONTENT, "xlsx")))
    sheet = book["Register"]
    values = [tuple(c.value for c in row) for row in sheet.iter_rows()]
    assert values == [("Action", "Owner", "Due", "Status"), *EXPECTED]


def test_a_long_register_is_counted_past_what_the_brief_and_deck_list(sqlite_url) -> None:
    engine = store.make_engine(sqlite_url)
    store.migrate(engine)
    pilot = store.create_pilot(engine, "Busy pilot")
    record = store.start_assessment(engine, pilot.id, CONTENT.version)
    store.save_answers(engine, record.id, dict.fromkeys(CONTENT.questions_by_id, "no"))
    for i in range(12):
        title = f"Action number {i + 1} " + "with a long title " * 4
        due = date(2026, 4, 1 + i)
        add_action(engine, title=title, pilot_id=pilot.id, owner="Owner", due_date=due, today=ADDED)
    review = load_review(engine, CONTENT, assessment_id=record.id, today=TODAY)
    reader = pypdf.PdfReader(io.BytesIO(pilot_file(review, CONTENT, "pdf")))
    assert len(reader.pages) == 1
    text = _flat(reader.pages[0].extract_text())
    assert "12 actions still to do in the action register. 8 more are in the register." in text
    slides = list(Presentation(io.BytesIO(pilot_file(review, CONTENT, "pptx"))).slides)
    table = next(s for s in slides[4].shapes if s.has_table).table
    assert len(table.rows) == 1 + 8
    engine.dispose()


def test_a_pilot_without_register_actions_keeps_its_reports_as_they_were(sqlite_url) -> None:
    engine = store.make_engine(sqlite_url)
    store.migrate(engine)
    pilot = store.create_pilot(engine, "Quiet pilot")
    record = store.start_assessment(engine, pilot.id, CONTENT.version)
    review = load_review(engine, CONTENT, assessment_id=record.id, today=TODAY)
    assert review.register == ()
    assert "register" not in pilot_file(review, CONTENT, "html").decode().lower()
    slides = list(Presentation(io.BytesIO(pilot_file(review, CONTENT, "pptx"))).slides)
    assert len(slides) == 6
    engine.dispose()
