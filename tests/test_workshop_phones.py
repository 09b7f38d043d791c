"""Phones of one workshop share what they all show: on a real SQLite file and a real
PostgreSQL server, a phone's view built from the shared part and its previous view is the
view read afresh from the database, whatever the facilitator and the room did in between,
and moving a room on reads the database once per process, not once per phone."""

from __future__ import annotations

import contextlib
import threading

import pytest
from harness import vote
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from diagnostics import workshop as ws
from diagnostics.errors import DiagnosticError
from diagnostics.framework.content import load_content
from diagnostics.storage import store
from diagnostics.workshop import changes, phones

CONTENT = load_content()
PEOPLE = 4


@pytest.fixture
def engine(db_url):
    eng = store.make_engine(db_url)
    store.migrate(eng)
    yield eng
    eng.dispose()


@contextlib.contextmanager
def _statements(engine):
    """Every SQL statement the engine sends meanwhile, in a list."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _key(engine, workshop_id) -> str:
    return changes.read_stamp(engine, workshop_id).state


def _room(engine, n=PEOPLE, pacing="question"):
    created = ws.create_workshop(engine, CONTENT, pilot_name="Room", pacing=pacing)
    fac = ws.facilitator(engine, created.facilitator_token)
    people = [ws.join_workshop(engine, created.state.code, f"c{i}") for i in range(n)]
    return created, fac, people


def test_moving_a_room_on_reads_the_database_once_not_once_per_phone(engine):
    created, fac, people = _room(engine, n=20)
    first, second = created.state.question_ids[:2]
    for person in people[:15]:
        vote(engine, person, first, "yes")
    key = _key(engine, fac.workshop_id)
    views = [phones.phone_view(engine, p.token, CONTENT, key) for p in people]
    ws.step(fac, CONTENT, +1)
    key = _key(engine, fac.workshop_id)
    with _statements(engine) as sent:
        moved = [
            phones.phone_view(engine, p.token, CONTENT, key, v)
            for p, v in zip(people, views, strict=True)
        ]
    # One read of the workshop for all twenty: its row, its questions, its pilot's name.
    assert len(sent) == 3
    assert {v.in_focus for v in moved} == {(second,)}
    for person, view in zip(people, moved, strict=True):
        assert view == ws.participant_view(engine, person.token, CONTENT)
    # The phones that answered the first question still see their answer to it.
    assert sum(1 for v in moved if v.my_votes == {first: "yes"}) == 15


def test_phones_asking_at_the_same_moment_share_one_read(engine):
    """Twenty sessions polling at once after a change (threads, as Streamlit runs them):
    one of them reads, the others wait for it and take the same object."""
    created, fac, _people = _room(engine, n=2)
    ws.step(fac, CONTENT, +1)
    key = _key(engine, fac.workshop_id)
    start = threading.Barrier(20)
    got = []

    def poll():
        start.wait()
        got.append(phones.shared(engine, fac.workshop_id, CONTENT, key))

    with _statements(engine) as sent:
        threads = [threading.Thread(target=poll) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert len(got) == 20
    assert all(view is got[0] for view in got)
    assert len(sent) == 3
    assert got[0].state.in_focus == (created.state.question_ids[1],)


def test_after_a_tap_only_that_phones_own_votes_are_read(engine):
    created, fac, people = _room(engine, n=3, pacing="all")
    qid = created.state.question_ids[0]
    key = _key(engine, fac.workshop_id)
    view = phones.phone_view(engine, people[0].token, CONTENT, key)
    vote(engine, people[0], qid, "partly")
    key = _key(engine, fac.workshop_id)
    phones.shared(engine, fac.workshop_id, CONTENT, key)  # another phone read it already
    with _statements(engine) as sent:
        after = phones.phone_view(
            engine, people[0].token, CONTENT, key, view, own_votes_changed=True
        )
    assert len(sent) == 1  # this participant's votes
    assert after.my_votes == {qid: "partly"}
    assert after == ws.participant_view(engine, people[0].token, CONTENT)


def test_revealed_results_are_the_rooms_and_shared(engine):
    created, fac, people = _room(engine, n=4)
    qid = created.state.question_ids[0]
    for person, value in zip(people, ["yes", "yes", "no", "partly"], strict=True):
        vote(engine, person, qid, value)
    ws.set_revealed(fac, CONTENT, [qid], True)
    key = _key(engine, fac.workshop_id)
    views = [phones.phone_view(engine, p.token, CONTENT, key) for p in people]
    results = [phones.revealed_results(engine, CONTENT, v, key) for v in views]
    assert all(r is results[0] for r in results)  # one object for the whole process
    counts = {k: n for k, n in results[0][qid].counts.items() if n}
    assert counts == {"yes": 2, "no": 1, "partly": 1}
    expected = ws.shared_results(engine, fac.workshop_id, CONTENT).by_id(qid)
    assert results[0][qid] == expected
    ws.set_revealed(fac, CONTENT, [qid], False)
    key = _key(engine, fac.workshop_id)
    hidden = phones.phone_view(engine, people[0].token, CONTENT, key, views[0])
    assert phones.revealed_results(engine, CONTENT, hidden, key) == {}


ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("vote"), st.integers(0, PEOPLE - 1), st.sampled_from(["yes", "no"])),
        st.tuples(st.just("step"), st.sampled_from([-1, 1])),
        st.tuples(st.just("lock"), st.booleans()),
        st.tuples(st.just("reveal"), st.booleans()),
        st.tuples(st.just("round")),
        st.tuples(st.just("pacing"), st.sampled_from(["all", "question", "reason"])),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=ACTIONS)
def test_a_phones_shared_view_is_always_the_view_read_afresh(engine, actions):
    """Whatever happens, each phone's view built from the shared part and its last view
    equals the participant's view read from the database."""
    _created, fac, people = _room(engine)
    key = _key(engine, fac.workshop_id)
    views = [phones.phone_view(engine, p.token, CONTENT, key) for p in people]
    for action in actions:
        tapped = None
        focus = ws.workshop_state(fac, CONTENT).in_focus
        with contextlib.suppress(DiagnosticError):
            if action[0] == "vote" and focus:
                tapped = action[1]
                vote(engine, people[tapped], focus[0], action[2])
            elif action[0] == "step":
                ws.step(fac, CONTENT, action[1])
            elif action[0] == "lock":
                ws.set_locked(fac, CONTENT, focus, action[1])
            elif action[0] == "reveal":
                ws.set_revealed(fac, CONTENT, focus, action[1])
            elif action[0] == "round":
                ws.open_next_round(fac, CONTENT, focus)
            elif action[0] == "pacing":
                ws.set_pacing(fac, CONTENT, action[1])
        key = _key(engine, fac.workshop_id)
        views = [
            phones.phone_view(engine, p.token, CONTENT, key, v, own_votes_changed=i == tapped)
            for i, (p, v) in enumerate(zip(people, views, strict=True))
        ]
        for person, view in zip(people, views, strict=True):
            assert view == ws.participant_view(engine, person.token, CONTENT), action
