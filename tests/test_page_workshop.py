"""The three workshop pages in AppTest, from app.py, on a fresh demo database: the facilitator
console creates and runs a workshop, the join page lets a participant in and records the vote,
the shared screen counts and hides results until they are revealed."""

from __future__ import annotations

import io
import json
import os
import re
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
from harness import REPO_ROOT, inputs_without_help, vote

from diagnostics import workshop as ws
from diagnostics.framework.content import load_content
from diagnostics.framework.review import load_review
from diagnostics.render.files import pilot_file
from diagnostics.storage import store

CONTENT = load_content()


@pytest.fixture
def db(app_test):
    """The demo database the app under test uses (app_test points DATABASE_URL at it)."""
    engine = store.make_engine(os.environ["DATABASE_URL"])
    yield engine
    engine.dispose()


def _open(app_test, page, **query):
    """Open the app with query parameters, as a link would, and go to `page`."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    return at


def _button(at, key):
    return next(b for b in at.button if b.key == key)


def test_the_console_creates_a_workshop_for_a_new_pilot(app_test, db):
    at = app_test("pages/workshop.py")
    assert at.session_state["ws_pilot_kind"] == "new"
    at.text_input(key="ws_pilot_name").set_value("Contract review assistant")
    _button(at, "ws_create").click().run()
    assert not at.exception
    token = at.session_state["link_facilitator"]
    state = ws.workshop_state(ws.facilitator(db, token), CONTENT)
    assert state.pilot_name == "Contract review assistant"
    assert state.pacing == "question"
    shown = [m.value for m in at.metric]
    assert state.code in shown[0]
    assert at.subheader[0].value == "Contract review assistant"
    assert inputs_without_help(at) == []  # pacing, consensus, actions: each says what it does


def test_the_console_refuses_a_wrong_facilitator_link(app_test, db):
    ws.create_workshop(db, CONTENT, pilot_name="Real one")
    at = _open(app_test, "pages/workshop.py", facilitator="x" * 32)
    assert any("facilitator link is not valid" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "ws_lock"]


def test_console_buttons_lock_reveal_and_close_in_the_database(app_test, db):
    created = ws.create_workshop(db, CONTENT, pilot_name="Routing", pacing="question")
    at = _open(app_test, "pages/workshop.py", facilitator=created.facilitator_token)
    first = created.state.question_ids[0]
    _button(at, "ws_lock").click().run()
    _button(at, "ws_reveal").click().run()
    _button(at, "ws_join_open").click().run()
    state = ws.workshop_state(ws.facilitator(db, created.facilitator_token), CONTENT)
    assert state.locked == {first}
    assert state.revealed == {first}
    assert not state.join_open
    _button(at, "ws_next").click().run()
    state = ws.workshop_state(ws.facilitator(db, created.facilitator_token), CONTENT)
    assert state.current_question == created.state.question_ids[1]
    assert not at.exception


def test_agreed_answers_default_to_the_majority_and_become_an_assessment(app_test, db):
    created = ws.create_workshop(db, CONTENT, pilot_name="Majority", pacing="all")
    qid = created.state.question_ids[0]
    for i, value in enumerate(["no", "no", "yes"]):
        person = ws.join_workshop(db, created.state.code, f"c{i}")
        vote(db, person, qid, value)
    at = _open(app_test, "pages/workshop.py", facilitator=created.facilitator_token)
    _button(at, "ws_save_consensus").click().run()
    assert not at.exception
    agreed = ws.consensus(ws.facilitator(db, created.facilitator_token))
    assert agreed.answers == {qid: "no"}  # 2 No against 1 Yes; no other question answered
    action = CONTENT.questions_by_id[qid].action
    assert [(a.question_id, a.text, a.owner) for a in agreed.actions] == [
        (qid, action.text, action.owner)
    ]
    assert store.get_assessment(db, assessment_id=agreed.assessment_id).source == "workshop"
    assert any("Saved 1 agreed answers and 1 actions" in s.value for s in at.success)


def test_a_participant_joins_by_link_and_votes(app_test, db):
    created = ws.create_workshop(db, CONTENT, pilot_name="Phone pilot", pacing="question")
    at = _open(app_test, "pages/join.py", code=created.state.code.lower())
    assert at.text_input(key="join_code").value == created.state.code.lower()
    assert [s.value for s in at.subheader] == ["Phone pilot"]
    at.selectbox(key="join_role").set_value("it")
    _button(at, "join_go").click().run()
    assert not at.exception
    assert at.query_params["p"]  # the participant's own token, so a reload keeps them in
    qid = created.state.question_ids[0]
    _button(at, f"join_vote_{qid}_partly").click().run()
    live = ws.live_status(ws.facilitator(db, created.facilitator_token), CONTENT)
    assert (live.participants, live.votes_per_question[qid]) == (1, 1)
    results = ws.workshop_results(ws.facilitator(db, created.facilitator_token), CONTENT)
    assert results.participants_by_role == {"it": 1}
    assert _button(at, f"join_vote_{qid}_partly").label == "✓ Partly"
    # Only the open question is offered; N/A only where the question allows it.
    offered = {b.key for b in at.button if b.key and b.key.startswith("join_vote_")}
    expected = [a.key for a in CONTENT.answer_scale]
    if not CONTENT.questions_by_id[qid].allow_na:
        expected.remove("na")
    assert offered == {f"join_vote_{qid}_{key}" for key in expected}


def test_a_wrong_code_says_so_and_joins_nobody(app_test, db):
    created = ws.create_workshop(db, CONTENT, pilot_name="Hidden")
    wrong = "ZZZZZ9" if created.state.code != "ZZZZZ9" else "ZZZZZ8"
    at = app_test("pages/join.py")
    at.text_input(key="join_code").set_value(wrong).run()
    assert any("No open workshop has the code ZZZZZ" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "join_go"]
    assert ws.live_status(ws.facilitator(db, created.facilitator_token), CONTENT).participants == 0


def test_the_shared_screen_counts_and_hides_results_until_revealed(app_test, db):
    created = ws.create_workshop(db, CONTENT, pilot_name="Screen pilot", pacing="question")
    token, qid = created.facilitator_token, created.state.question_ids[0]
    at = _open(app_test, "pages/present.py", facilitator=token)
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert created.state.code in text
    assert [m.value for m in at.metric] == ["0"]
    people = [ws.join_workshop(db, created.state.code, f"c{i}") for i in range(3)]
    for person, value in zip(people, ["yes", "no", "no"], strict=True):
        vote(db, person, qid, value)
    at.run()
    text = " ".join(m.value for m in at.markdown)
    assert "People joined: **3**" in text  # the code shrank to a bar once people joined
    assert created.state.code in text
    assert not at.metric
    assert "3 of 3 answered" in text
    assert "Results stay hidden" in text
    assert "Disagreement index" not in text
    ws.set_revealed(ws.facilitator(db, token), CONTENT, [qid])
    at.run()
    text = " ".join(m.value for m in at.markdown)
    # Scores 1, 0, 0: mean 1/3, variance 2/9, sd 0.4714 -> 94 after dividing by 0.5.
    assert "Disagreement index: **94** / 100" in text


def test_the_shared_screen_needs_the_facilitator_link(app_test):
    at = app_test("pages/present.py")
    assert any("opens from the facilitator console" in i.value for i in at.info)
    assert not at.metric


def test_consensus_mode_records_the_groups_answer_and_moves_on(app_test, db):
    created = ws.create_workshop(db, CONTENT, pilot_name="No devices", pacing="question")
    token = created.facilitator_token
    first, second = created.state.question_ids[:2]
    at = _open(app_test, "pages/present.py", facilitator=token)
    at.toggle(key="present_consensus").set_value(True).run()
    _button(at, f"present_agree_{first}_partly").click().run()
    assert not at.exception
    assert ws.consensus(ws.facilitator(db, token)).answers == {first: "partly"}
    assert ws.workshop_state(ws.facilitator(db, token), CONTENT).current_question == second


def _prepare(at):
    _button(at, "ws_prepare").click().run()
    assert not at.exception
    return {b.proto.label: b.proto for b in at.get("download_button")}


def test_the_console_offers_the_report_and_once_agreed_the_brief_and_slides(app_test, db):
    created = ws.create_workshop(db, CONTENT, pilot_name="Brief me", pacing="all")
    person = ws.join_workshop(db, created.state.code, "c0")
    vote(db, person, created.state.question_ids[0], "yes")
    at = _open(app_test, "pages/workshop.py", facilitator=created.facilitator_token)
    assert not at.get("download_button")  # built when asked for, not on every console run
    assert any("Prepare the files whenever" in c.value for c in at.caption)
    buttons = _prepare(at)
    assert set(buttons) == {"Download the report (xlsx)", "Download the report (HTML)"}
    # Handed over as built files, not as deferred ones a ticking page can lose.
    assert all(b.url and not b.deferred_file_id for b in buttons.values())
    assert any(
        c.value.startswith("Snapshot so far, taken at") and "1 person, 1 answer." in c.value
        for c in at.caption
    )
    assert any("once the group has agreed an answer" in c.value for c in at.caption)
    assert _button(at, "ws_prepare").label == "Prepare the files again"

    fac = ws.facilitator(db, created.facilitator_token)
    agreed = dict.fromkeys(created.state.question_ids, "yes")
    ws.save_consensus(fac, CONTENT, agreed)
    at = _open(app_test, "pages/workshop.py", facilitator=created.facilitator_token)
    buttons = _prepare(at)
    for label in ("Download the brief (PDF)", "Download the slides (PowerPoint)"):
        assert buttons[label].url
        assert buttons[label].help
    # The brief is the agreed answers' verdict, read back with an independent reader.
    review = load_review(db, CONTENT, assessment_id=ws.consensus(fac).assessment_id)
    reader = pypdf.PdfReader(io.BytesIO(pilot_file(review, CONTENT, "pdf")))
    assert len(reader.pages) == 1
    assert "Brief me" in reader.pages[0].extract_text()
    assert review.result.verdict_label in reader.pages[0].extract_text()


def _room(db, roles, values, pacing="question"):
    created = ws.create_workshop(db, CONTENT, pilot_name="Room", pacing=pacing)
    qid = created.state.question_ids[0]
    people = []
    for i, (role, value) in enumerate(zip(roles, values, strict=True)):
        person = ws.join_workshop(db, created.state.code, f"c{i}", role=role)
        vote(db, person, qid, value)
        people.append(person)
    return created, qid, people


def test_the_shared_screen_splits_by_role_only_when_nobody_is_exposed(app_test, db):
    # 3 Business Yes, IT No, Data No: a Business bar beside "3 Yes / 2 No" would expose both.
    roles = ["business"] * 3 + ["it", "data"]
    created, qid, _people = _room(db, roles, ["yes", "yes", "yes", "no", "no"])
    ws.set_revealed(ws.facilitator(db, created.facilitator_token), CONTENT, [qid])
    at = _open(app_test, "pages/present.py", facilitator=created.facilitator_token)
    text = " ".join(m.value for m in at.markdown)
    # Scores 1, 1, 1, 0, 0: mean .6, variance .24, sd .4899 -> 98.
    assert "Disagreement index: **98** / 100" in text
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert len(charts) == 1  # the distribution only, no role chart
    assert "Business" not in charts[0]


def test_the_shared_screen_thanks_the_room_at_the_end(app_test, db):
    created, _qid, _people = _room(db, ["it", "it", "data"], ["yes", "no", "no"])
    ws.end_workshop(ws.facilitator(db, created.facilitator_token), CONTENT)
    at = _open(app_test, "pages/present.py", facilitator=created.facilitator_token)
    text = " ".join(m.value for m in at.markdown)
    assert "Thank you for taking part" in text
    assert "**3** people gave **3** answers to 38 questions" in text
    assert "answered" not in text  # no question left on the screen


def test_a_phone_shows_a_revealed_distribution_and_its_own_answer(app_test, db):
    created, qid, people = _room(db, [None] * 4, ["yes", "yes", "no", "partly"])
    ws.set_revealed(ws.facilitator(db, created.facilitator_token), CONTENT, [qid])
    at = _open(app_test, "pages/join.py", code=created.state.code, p=people[2].token)
    bars = {p.proto.text: p.value for p in at.get("progress")}
    assert bars == {"Yes: 2": 50, "Partly: 1": 25, "No: 1 (your answer)": 25, "Don't know: 0": 0}
    assert any("4 answers" in c.value for c in at.caption)
    ws.end_workshop(ws.facilitator(db, created.facilitator_token), CONTENT)
    at.run()
    assert any("The workshop has ended" in s.value for s in at.success)
    assert not [b for b in at.button if b.key and b.key.startswith("join_vote_")]


def test_the_brief_is_offered_in_the_run_that_saves_the_first_agreed_answers(app_test, db):
    """Regression: the console's state was read before the save, so the brief and the slides
    stayed hidden until the next rerun."""
    created = ws.create_workshop(db, CONTENT, pilot_name="Same run", pacing="all")
    person = ws.join_workshop(db, created.state.code, "c0")
    vote(db, person, created.state.question_ids[0], "yes")
    at = _open(app_test, "pages/workshop.py", facilitator=created.facilitator_token)
    assert "Download the brief (PDF)" not in _prepare(at)
    _button(at, "ws_save_consensus").click().run()
    assert not at.exception
    # Files prepared before the save would miss the agreed answers: they are taken away.
    assert not at.get("download_button")
    assert {"Download the brief (PDF)", "Download the slides (PowerPoint)"} <= set(_prepare(at))


def test_a_new_workshop_starts_as_a_copy_of_this_one(app_test, db):
    created = ws.create_workshop(
        db, CONTENT, pilot_name="Copied", pacing="reason", position="about_to_start", ask_names=True
    )
    old = ws.facilitator(db, created.facilitator_token)
    person = ws.join_workshop(db, created.state.code, "c1")
    at = _open(app_test, "pages/workshop.py", facilitator=created.facilitator_token)
    _button(at, "ws_copy").click().run()
    assert not at.exception
    token = at.session_state["link_facilitator"]
    assert token != created.facilitator_token
    new = ws.workshop_state(ws.facilitator(db, token), CONTENT)
    assert new.id != created.state.id
    assert new.code != created.state.code
    assert (new.pilot_id, new.position, new.pacing, new.ask_names) == (
        created.state.pilot_id, "about_to_start", "reason", True,
    )  # fmt: skip
    assert ws.live_status(ws.facilitator(db, token), CONTENT).participants == 0
    assert ws.live_status(old, CONTENT).participants == 1  # the old one is untouched
    assert ws.participant_view(db, person.token, CONTENT).workshop_id == created.state.id


def test_an_observer_sees_the_question_without_answer_buttons(app_test, db):
    created = ws.create_workshop(db, CONTENT, pilot_name="Watched", pacing="question")
    observer = ws.join_workshop(db, created.state.code, "c1", role=ws.OBSERVER)
    at = _open(app_test, "pages/join.py", code=created.state.code, p=observer.token)
    assert not at.exception
    assert not [b for b in at.button if b.key and b.key.startswith("join_vote_")]
    question = CONTENT.questions_by_id[created.state.question_ids[0]]
    assert any(question.text in m.value for m in at.markdown)
    assert any("You observe" in c.value for c in at.caption)
    assert ws.live_status(ws.facilitator(db, created.facilitator_token), CONTENT).participants == 0


# The countdown and voting again -------------------------------------------------------


def _ago(seconds: float) -> datetime:
    return datetime.now(UTC) - timedelta(seconds=seconds)


def _texts(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_the_console_sets_a_countdown_adds_time_and_stops_the_clock(app_test, db):
    created = ws.create_workshop(db, CONTENT, pilot_name="Timed", pacing="question")
    fac = ws.facilitator(db, created.facilitator_token)
    at = _open(app_test, "pages/workshop.py", facilitator=created.facilitator_token)
    assert at.selectbox(key="ws_countdown_None").value is None  # off by default
    assert not [b for b in at.button if b.key == "ws_clock_start"]
    at.selectbox(key="ws_countdown_None").set_value(60).run()
    assert not at.exception
    state = ws.workshop_state(fac, CONTENT)
    assert state.countdown_seconds == 60
    assert 55 <= (state.deadline - datetime.now(UTC)).total_seconds() <= 60
    assert re.search(r"Time left: \*\*0:5\d|Time left: \*\*1:00", _texts(at))
    _button(at, "ws_clock_add").click().run()
    assert ws.workshop_state(fac, CONTENT).deadline == state.deadline + timedelta(seconds=30)
    _button(at, "ws_clock_stop").click().run()
    assert ws.workshop_state(fac, CONTENT).deadline is None
    _button(at, "ws_clock_start").click().run()
    assert ws.workshop_state(fac, CONTENT).deadline is not None
    assert inputs_without_help(at) == []


def test_the_shared_screen_counts_down_and_reveals_at_time_up(app_test, db):
    created, qid, _people = _room(db, ["it", "it", "data"], ["yes", "no", "no"])
    ws.join_workshop(db, created.state.code, "late")  # one still thinking: no reveal yet
    fac = ws.facilitator(db, created.facilitator_token)
    ws.set_auto_reveal(fac, CONTENT, True)
    ws.set_countdown(fac, CONTENT, 30)
    at = _open(app_test, "pages/present.py", facilitator=created.facilitator_token)
    assert not at.exception
    assert re.search(r"\b0:(29|30)\b", _texts(at))  # the clock, large in the bar
    assert "Results stay hidden" in _texts(at)
    ws.set_countdown(fac, CONTENT, 30, now=_ago(31))  # the clock ran out a second ago
    at.run()
    text = _texts(at)
    assert "Time is up" in text
    assert "time is up" in text  # beside the count
    assert qid in ws.workshop_state(fac, CONTENT).revealed  # auto-reveal at zero
    at.run()
    assert "Disagreement index: **" in _texts(at)


def test_a_phone_shows_the_time_left_and_a_late_tap_gets_a_friendly_time_up(app_test, db):
    created = ws.create_workshop(db, CONTENT, pilot_name="Quick", pacing="question")
    fac = ws.facilitator(db, created.facilitator_token)
    qid = created.state.question_ids[0]
    person = ws.join_workshop(db, created.state.code, "c1")
    ws.set_countdown(fac, CONTENT, 120)
    at = _open(app_test, "pages/join.py", code=created.state.code, p=person.token)
    bars = [p.proto.text for p in at.get("progress")]
    assert len(bars) == 1
    assert re.fullmatch(r"Time left: (1:5\d|2:00)", bars[0])
    ws.set_countdown(fac, CONTENT, 30, now=_ago(40))  # ran out before the tap reached us
    _button(at, f"join_vote_{qid}_yes").click().run()
    assert not at.exception
    assert not at.warning  # news, not a fault
    assert any("Time is up" in i.value for i in at.info)
    assert ws.participant_view(db, person.token, CONTENT).my_votes == {}
    assert not [b for b in at.button if b.key and b.key.startswith("join_vote_")]


def test_two_rounds_show_side_by_side_and_agreed_answers_follow_the_latest(app_test, db):
    created, qid, people = _room(db, [None] * 4, ["yes", "no", "no", "dont_know"])
    token = created.facilitator_token
    fac = ws.facilitator(db, token)
    console = _open(app_test, "pages/workshop.py", facilitator=token)
    assert _button(console, "ws_revote").disabled  # nothing revealed yet
    ws.set_revealed(fac, CONTENT, [qid])
    console.run()
    _button(console, "ws_revote").click().run()
    assert not console.exception
    assert ws.workshop_state(fac, CONTENT).round_of(qid) == 2
    counts = next(d.value for d in console.dataframe if "round" in d.value.columns)
    assert counts["round"].tolist()[:2] == [2, 1]  # the live table says which round is open
    phone = _open(app_test, "pages/join.py", code=created.state.code, p=people[1].token)
    assert any("Your answer in round 1: No" in c.value for c in phone.caption)
    for person, value in zip(people, ["yes", "yes", "yes", "partly"], strict=True):
        vote(db, person, qid, value)
    screen = _open(app_test, "pages/present.py", facilitator=token)
    text = _texts(screen)
    assert "Round 1 · 4 answers · disagreement 87" in text
    assert "Hidden until the facilitator reveals this round" in text
    ws.set_revealed(fac, CONTENT, [qid])
    screen.run()
    text = _texts(screen)
    assert "Round 2 · 4 answers · disagreement 43" in text
    assert "disagreement fell from 87 to 43" in text
    charts = screen.get("plotly_chart")
    assert len(charts) == 2
    # One scale for both rounds: the larger count (3 Yes in round 2) decides both.
    ranges = {tuple(json.loads(c.proto.spec)["layout"]["yaxis"]["range"]) for c in charts}
    assert ranges == {(0, 3.75)}
    console.run()
    assert "Agreement grew after the discussion" in _texts(console)
    _button(console, "ws_save_consensus").click().run()
    assert ws.consensus(fac).answers == {qid: "yes"}  # the latest round's majority
    ws.end_workshop(fac, CONTENT)
    screen.run()
    assert "**4** people gave **8** answers to 38 questions (votes taken again" in _texts(screen)


def test_the_console_puts_the_rooms_figures_in_room_type(app_test, db):
    """The answers so far, the question in focus and its disagreement sit in the containers
    the console's room-sized style applies to (ws_room_...)."""
    created, qid, people = _room(db, ["it", "it", "it"], ["yes", "no", "no"])
    at = _open(app_test, "pages/workshop.py", facilitator=created.facilitator_token)
    assert not at.exception
    assert "st-key-ws_room" in " ".join(h.proto.body for h in at.get("html"))
    # Question pacing: only the first question is open, and it has 3 answers.
    assert [(m.label, m.value) for m in at.metric if m.label != "Join code"] == [
        ("People joined", "3"),
        ("Answers so far", "3"),
    ]
    label = CONTENT.questions_by_id[qid].short_label
    assert f"**Question 1 of {len(created.state.question_ids)}**: {label}" in _texts(at)
    # Scores 1, 0, 0: mean 1/3, variance 2/9, sd 0.4714 -> 94 after dividing by 0.5.
    assert f"**{label}**: 3 answers so far · disagreement index **94** / 100" in _texts(at)
    ws.step(ws.facilitator(db, created.facilitator_token), CONTENT, +1)
    vote(db, people[0], created.state.question_ids[1], "yes")
    # A console opened now (the open one rereads the database once the workshop's stamp,
    # polled every few seconds, says it changed).
    at = _open(app_test, "pages/workshop.py", facilitator=created.facilitator_token)
    assert [m.value for m in at.metric if m.label == "Answers so far"] == ["1"]
    second = CONTENT.questions_by_id[created.state.question_ids[1]].short_label
    assert f"**{second}**: 1 answer so far, not enough to show a distribution." in _texts(at)
