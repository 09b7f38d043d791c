"""Report files downloaded from a server that also holds a workshop room, in a real browser.

Thirty phones of a workshop poll the same server as real phones do and one taps an answer
every 0.2 s, so the server runs scripts many times a second for other sessions, while a
manager downloads the five files of a pilot's results page and the cost tables of the demo
portfolio. Every file must arrive under its own name at the first click and hold what its
name says (a file the server dropped before the browser fetched it arrives as a bare media
hash instead of the report)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import openpyxl
import pytest
from playwright.sync_api import expect

from diagnostics import workshop as ws
from diagnostics.framework.content import load_content
from diagnostics.render.pilot_report import report_filename
from diagnostics.storage import store

from .conftest import LAPTOP
from .helpers import EXCEPTION, click_button, download, open_page, wait_for_app
from .test_workshop_live_export import _Room

CONTENT = load_content()
SLOW_MS = 180_000
ROOM = 30
DEMO_PILOT = "Support ticket routing assistant"  # demo data: two assessments, 9 weeks in
RESULTS = {
    "pdf": "Brief (PDF, one page)",
    "pptx": "Slides (PowerPoint)",
    "html": "Full report (HTML)",
    "xlsx": "Workbook (xlsx)",
    "csv": "Answers (csv)",
}


def _holds_what_it_says(ext: str, data: bytes) -> None:
    """The file is the report its extension names, about the demo pilot."""
    if ext == "pdf":
        assert data.startswith(b"%PDF-")
    elif ext == "pptx":
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert "ppt/presentation.xml" in names
    elif ext == "html":
        assert DEMO_PILOT in data.decode("utf-8")
    elif ext == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        assert "Summary" in book.sheetnames
    else:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) > len(CONTENT.questions) // 2  # a header and one row per question


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_results_and_cost_files_arrive_whole_while_a_room_polls(app_server, browser):
    engine = store.make_engine(app_server.database_url)
    pilot = next(p for p in store.list_pilots(engine) if p.name == DEMO_PILOT)
    latest = store.pilot_assessments(engine, pilot.id)[-1]
    created = ws.create_workshop(engine, CONTENT, pilot_name="Busy room", pacing="reason")
    code = created.state.code
    people = [ws.join_workshop(engine, code, f"room-{i}") for i in range(ROOM)]
    room = _Room(str(app_server), code, people, spare=created.state.in_focus[0])
    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    context.set_default_timeout(SLOW_MS)
    page = context.new_page()
    today = date.today()
    try:
        room.start()
        assert room.ready.wait(120)
        assert room.problem is None, room.problem

        open_page(page, str(app_server), f"assess?token={latest.token}")
        wait_for_app(page, SLOW_MS)
        click_button(page, "Prepare the files")
        for ext, label in RESULTS.items():
            got = download(page, label)
            assert got.suggested_filename == report_filename(DEMO_PILOT, today, ext)
            _holds_what_it_says(ext, got.path().read_bytes())

        page.goto(f"{app_server}/cost", wait_until="domcontentloaded", timeout=SLOW_MS)
        wait_for_app(page, SLOW_MS)
        click_button(page, "Prepare the cost tables")
        got = download(page, "Download the cost tables (xlsx)")
        assert got.suggested_filename.startswith("poc-trap-cost-")
        assert got.suggested_filename.endswith(f"-{today.isoformat()}.xlsx")
        book = openpyxl.load_workbook(io.BytesIO(got.path().read_bytes()))
        assert len(book.sheetnames) >= 5  # pilots, units, months, stop now, gaps, assumptions

        assert room.problem is None, room.problem
        assert room.taps > 0
        expect(page.locator(EXCEPTION)).to_have_count(0)
    finally:
        room.stopped.set()
        room.join(timeout=10)
        context.close()
        engine.dispose()
