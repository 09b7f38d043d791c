"""The workshop report downloaded while people vote, in real browsers: three phones stay open
on the questions (each page's fragment polls the server) and tap answers, more votes arrive
meanwhile, and the facilitator's console, whose live counts tick every 2 s, prepares and
downloads the report three times. Every file must arrive under its own name (one click, no
retry), say it is a snapshot, and hold the votes cast until it was prepared; preparing it
changes nothing the phones or the shared screen look at."""

from __future__ import annotations

import asyncio
import io
import re
import threading
import time
from datetime import date

import openpyxl
import pytest
from harness import votes_in_db
from playwright.sync_api import expect

from bench.room import AppProcess, Client
from diagnostics import workshop as ws
from diagnostics.framework.content import load_content
from diagnostics.storage import store
from diagnostics.workshop import changes

from .conftest import LAPTOP, PHONE
from .helpers import EXCEPTION, after_rerun, click_button, download, screenshot, wait_for_app

CONTENT = load_content()
SLOW_MS = 180_000
PHONES = 3
ROOM = 30  # more phones on the websocket, as in the room benchmark
ROUNDS = 3
NAME = "poc-trap-workshop-live-claims-triage-{day}.{ext}"


def _summary(book) -> dict:
    return {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}


class _Room(threading.Thread):
    """More phones, speaking Streamlit's websocket protocol as a browser does (the room
    benchmark's client): each polls the server as a phone page does, and one of them taps an
    answer every ~0.2 s, until stopped. So the server runs many scripts a second, as it
    does for a real room, and votes keep arriving while the console prepares its files."""

    def __init__(self, server: str, code: str, people, spare: str):
        super().__init__(daemon=True)
        self.server, self.code, self.people = server, code, people
        self.spare = f"join_vote_{spare}_"  # the question left to the browser phones
        self.stopped = threading.Event()
        self.ready = threading.Event()
        self.taps = 0
        self.problem: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._room())
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.problem = exc
            self.ready.set()

    async def _room(self) -> None:
        app = AppProcess(self.server, 0)
        phones = [
            Client(app, "join", f"code={self.code}&p={p.token}", name=f"ws-{i}")
            for i, p in enumerate(self.people)
        ]
        try:
            await asyncio.gather(*(phone.open() for phone in phones))
            for phone in phones:
                await phone.wait(lambda c: any(k.startswith("join_vote_") for k in c.buttons), 60)
            self.ready.set()
            answers = ("yes", "no", "partly", "dont_know")
            n = 0
            while not self.stopped.is_set():
                phone = phones[n % len(phones)]
                votes = sorted(
                    k
                    for k in phone.buttons
                    if k.startswith("join_vote_") and not k.startswith(self.spare)
                )
                wanted = [k for k in votes if k.endswith(f"_{answers[n % len(answers)]}")]
                if wanted and not phone.running:
                    await phone.tap(wanted[(n // len(phones)) % len(wanted)])
                    self.taps += 1
                n += 1
                await asyncio.sleep(0.2)
        finally:
            await asyncio.gather(*(phone.close() for phone in phones), return_exceptions=True)


@pytest.mark.browser
@pytest.mark.timeout(900)
def test_the_report_downloads_whole_while_phones_vote(app_server, browser):
    engine = store.make_engine(app_server.database_url)
    # One reason's questions open at a time: a phone shows a handful, as in a real session.
    created = ws.create_workshop(engine, CONTENT, pilot_name="Live claims triage", pacing="reason")
    fac = ws.facilitator(engine, created.facilitator_token)
    questions = created.state.in_focus
    assert len(questions) >= 2
    code = created.state.code
    phone_people = [ws.join_workshop(engine, code, f"phone-{i}") for i in range(PHONES)]
    others = [ws.join_workshop(engine, code, f"other-{i}") for i in range(ROOM)]
    console_context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    console = console_context.new_page()
    contexts = [console_context]
    room = _Room(str(app_server), code, others, spare=questions[0])
    day = date.today().isoformat()
    try:
        phones = []
        for person in phone_people:
            context = browser.new_context(
                viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
            )
            context.set_default_timeout(SLOW_MS)
            contexts.append(context)
            page = context.new_page()
            page.goto(
                f"{app_server}/join?code={code}&p={person.token}",
                wait_until="domcontentloaded",
                timeout=SLOW_MS,
            )
            wait_for_app(page, SLOW_MS)
            phones.append(page)
        console_context.set_default_timeout(SLOW_MS)
        console.goto(
            f"{app_server}/workshop?facilitator={created.facilitator_token}",
            wait_until="domcontentloaded",
            timeout=SLOW_MS,
        )
        wait_for_app(console, SLOW_MS)
        console.get_by_role("tab", name="Report").click()

        # Nobody votes: preparing the files leaves the stamp every page polls as it was.
        stamp = changes.read_stamp(engine, fac.workshop_id)
        click_button(console, "Prepare the files")
        assert changes.read_stamp(engine, fac.workshop_id) == stamp
        expect(console.get_by_text(re.compile(r"Snapshot so far, taken at"))).to_be_visible()

        room.start()
        assert room.ready.wait(120)
        assert room.problem is None, room.problem
        first_question = phones[0].get_by_text(CONTENT.questions_by_id[questions[0]].text)
        expect(first_question).to_be_visible()
        for round_no in range(ROUNDS):
            # A phone taps an answer to the first question, as a person would.
            phone = phones[round_no % PHONES]
            answer = ("Yes", "No", "Partly")[round_no]
            button = phone.get_by_role("button", name=answer, exact=True).first
            after_rerun(phone, button.tap)
            expect(phone.get_by_role("button", name=f"✓ {answer}", exact=True)).to_be_visible()

            before = votes_in_db(engine, fac.workshop_id)
            click_button(console, "Prepare the files again")
            after = votes_in_db(engine, fac.workshop_id)
            for ext in ("xlsx", "html"):
                label = f"Download the report ({ext.upper() if ext == 'html' else ext})"
                got = download(console, label)
                # One click, no retry: the file arrives under its own name, whole.
                assert got.suggested_filename == NAME.format(day=day, ext=ext)
                data = got.path().read_bytes()
                if ext == "xlsx":
                    book = openpyxl.load_workbook(io.BytesIO(data))
                    summary = _summary(book)
                    assert summary["Snapshot"].startswith("So far:")
                    assert summary["Ended"] == "Still running"
                    assert before <= summary["Answers given"] <= after
                    assert summary["Participants"] == PHONES + len(others)
                    held = summary["Answers given"]
                    header = [c.value for c in book["Distribution"][1]]
                    row = [c.value for c in book["Distribution"][2]]
                    first = dict(zip(header, row, strict=True))
                    # The phones' own taps so far are all on the first question.
                    assert first["Answers"] == round_no + 1
                else:
                    page = data.decode("utf-8")
                    assert "id='snapshot'" in page
                    assert "So far:" in page
                    assert f"{held} answers" in page  # the same snapshot as the workbook
            time.sleep(0.5)
        assert room.problem is None, room.problem
        assert room.taps > 0
        screenshot(console, "workshop-console-live-report", whole_page=False)
        for page in (console, *phones):
            expect(page.locator(EXCEPTION)).to_have_count(0)
    finally:
        room.stopped.set()
        room.join(timeout=10)
        for context in contexts:
            context.close()
        engine.dispose()
