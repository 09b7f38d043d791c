"""`python -m diagnostics workshop create | join`: the printed code and links open the real
workshop, joined participants can vote with their tokens, and a wrong or closed code exits 2."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

from diagnostics import cli
from diagnostics import workshop as ws
from diagnostics.framework.content import load_content
from diagnostics.storage import store

CONTENT = load_content()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_create_prints_a_code_and_links_that_control_the_workshop(capsys, db_url) -> None:
    status, out, _ = run(
        capsys, "workshop", "create", "--pilot", "Claims triage", "--pacing", "all",
        "--position", "about_to_start", "--base-url", "https://poctrap.example.org/",
        "--database-url", db_url, "--json",
    )  # fmt: skip
    assert status == 0
    data = json.loads(out)
    start_questions = [q.id for q in CONTENT.questions if q.phase == "start"]
    assert data["questions"] == len(start_questions)
    assert data["join_link"] == f"https://poctrap.example.org/join?code={data['code']}"
    token = parse_qs(urlparse(data["facilitator_link"]).query)["facilitator"][0]
    assert data["shared_screen_link"].startswith("https://poctrap.example.org/present?")
    engine = store.make_engine(db_url)
    try:
        state = ws.workshop_state(ws.facilitator(engine, token), CONTENT)
        assert (state.code, state.pilot_name, state.pacing) == (
            data["code"],
            "Claims triage",
            "all",
        )
        assert list(state.question_ids) == start_questions
    finally:
        engine.dispose()


def test_join_adds_k_participants_whose_links_vote(capsys, db_url) -> None:
    _status, out, _ = run(
        capsys, "workshop", "create", "--pilot", "Rehearsal", "--pacing", "all",
        "--database-url", db_url, "--json",
    )  # fmt: skip
    created = json.loads(out)
    status, out, _ = run(
        capsys, "workshop", "join", created["code"].lower(), "--count", "3", "--role", "it",
        "--database-url", db_url, "--json",
    )  # fmt: skip
    assert status == 0
    joined = json.loads(out)["participants"]
    assert len(joined) == 3
    assert len({p["token"] for p in joined}) == 3
    engine = store.make_engine(db_url)
    try:
        fac = ws.facilitator(
            engine, parse_qs(urlparse(created["facilitator_link"]).query)["facilitator"][0]
        )
        first = ws.workshop_state(fac, CONTENT).question_ids[0]
        for person in joined:
            query = parse_qs(urlparse(person["link"]).query)
            assert query["code"] == [created["code"]]
            view = ws.participant_view(engine, query["p"][0], CONTENT)
            ws.cast_vote(
                engine,
                CONTENT,
                workshop_id=view.workshop_id,
                participant_token=person["token"],
                question_id=first,
                value="yes",
            )
        live = ws.live_status(fac, CONTENT)
        assert (live.participants, live.votes_per_question[first]) == (3, 3)
        assert ws.workshop_results(fac, CONTENT).participants_by_role == {"it": 3}
    finally:
        engine.dispose()


def test_a_wrong_or_closed_code_exits_2_with_the_join_pages_message(capsys, db_url) -> None:
    _status, out, _ = run(
        capsys, "workshop", "create", "--pilot", "Closed", "--database-url", db_url, "--json"
    )
    created = json.loads(out)
    wrong = "ZZZZZ9" if created["code"] != "ZZZZZ9" else "ZZZZZ8"
    status, out, err = run(capsys, "workshop", "join", wrong, "--database-url", db_url)
    assert status == 2
    assert f"No open workshop has the code {wrong}" in err
    assert out == ""
    engine = store.make_engine(db_url)
    try:
        token = parse_qs(urlparse(created["facilitator_link"]).query)["facilitator"][0]
        ws.set_join_open(ws.facilitator(engine, token), CONTENT, False)
    finally:
        engine.dispose()
    status, _out, err = run(capsys, "workshop", "join", created["code"], "--database-url", db_url)
    assert status == 2
    assert "ask the facilitator whether joining is still open" in err
    status, _out, err = run(
        capsys, "workshop", "create", "--pilot", "X", "--position", "nowhere",
        "--database-url", db_url,
    )  # fmt: skip
    assert status == 2
    assert "Unknown position 'nowhere'" in err


def test_create_with_a_countdown_gives_each_question_that_time(capsys, db_url) -> None:
    status, out, _ = run(
        capsys, "workshop", "create", "--pilot", "Timed", "--countdown", "90",
        "--database-url", db_url, "--json",
    )  # fmt: skip
    assert status == 0
    data = json.loads(out)
    assert data["countdown_seconds"] == 90
    token = parse_qs(urlparse(data["facilitator_link"]).query)["facilitator"][0]
    engine = store.make_engine(db_url)
    try:
        state = ws.workshop_state(ws.facilitator(engine, token), CONTENT)
        # The first clock waits for the facilitator; the time per question is set.
        assert (state.countdown_seconds, state.deadline) == (90, None)
        assert (
            ws.copy_workshop(ws.facilitator(engine, token), CONTENT).state.countdown_seconds == 90
        )
    finally:
        engine.dispose()
    status, _out, err = run(
        capsys, "workshop", "create", "--pilot", "Too quick", "--countdown", "2",
        "--database-url", db_url,
    )  # fmt: skip
    assert status == 2
    assert "countdown of 2 s is not offered" in err
