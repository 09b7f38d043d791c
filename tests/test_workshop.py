"""The workshop engine on a real SQLite file and a real PostgreSQL server: codes, tokens,
pacing, locks, one vote per participant and question, isolation between workshops,
facilitator-only actions, the join-attempt throttle, the disagreement index and consensus."""

from __future__ import annotations

import io
import math
import threading
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pandas as pd
import pytest
from harness import vote, votes_in_db
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from diagnostics import workshop as ws
from diagnostics.errors import AccessError, AnswerError, NotFoundError
from diagnostics.framework.content import load_content
from diagnostics.framework.scoring import score
from diagnostics.storage import store
from diagnostics.storage.models import JoinAttempt, Workshop, WorkshopVote
from diagnostics.workshop import changes, clock

CONTENT = load_content()
DECISION_QUESTIONS = [q.id for q in CONTENT.questions]  # every phase is scored there


@pytest.fixture
def engine(db_url):
    eng = store.make_engine(db_url)
    store.migrate(eng)
    yield eng
    eng.dispose()


def _workshop(engine, **kwargs):
    kwargs.setdefault("pilot_name", "Invoice matching")
    kwargs.setdefault("pacing", "all")
    created = ws.create_workshop(engine, CONTENT, **kwargs)
    return created.state, created.facilitator_token


def _join(engine, state, n=1, **kwargs):
    return [ws.join_workshop(engine, state.code, f"client-{i}", **kwargs) for i in range(n)]


# Codes and tokens ---------------------------------------------------------------------


def test_codes_avoid_look_alikes_and_their_entropy_is_stated():
    assert not set("0O1IL") & set(ws.CODE_ALPHABET)
    assert len(set(ws.CODE_ALPHABET)) == 31  # 23 letters (no I, L, O) and 8 digits (2-9)
    # 31**6 = 887,503,681 codes; log2 of that is 29.73 bits.
    assert ws.CODE_SPACE == 887_503_681
    assert pytest.approx(29.73, abs=0.01) == ws.CODE_ENTROPY_BITS
    assert ws.TOKEN_ENTROPY_BITS >= 128
    codes = {ws.new_join_code() for _ in range(200)}
    assert all(len(c) == 6 and set(c) <= set(ws.CODE_ALPHABET) for c in codes)
    assert len(codes) > 190
    assert ws.normalise_code(" abc-23d ") == "ABC23D"


def test_a_workshop_on_a_new_pilot_gets_a_code_and_a_token_stored_only_as_a_hash(engine):
    state, token = _workshop(engine, pilot_name="  Support   routing ")
    assert len(state.code) == 6
    assert len(token) >= 32  # 24 random bytes in URL-safe base64
    assert state.pilot_name == "Support routing"
    assert list(state.question_ids) == DECISION_QUESTIONS
    with engine.connect() as connection:
        row = connection.execute(select(Workshop)).one()
    assert row.facilitator_hash != token
    assert token not in " ".join(str(v) for v in row)
    assert ws.workshop_state(ws.facilitator(engine, token), CONTENT).id == state.id


def test_a_workshop_on_an_existing_pilot_asks_only_the_questions_of_its_position(engine):
    pilot = store.create_pilot(engine, "Churn model")
    created = ws.create_workshop(engine, CONTENT, pilot_id=pilot.id, position="about_to_start")
    start_questions = [q.id for q in CONTENT.questions if q.phase == "start"]
    assert list(created.state.question_ids) == start_questions
    assert created.state.pilot_id == pilot.id
    with pytest.raises(NotFoundError):
        ws.create_workshop(engine, CONTENT, pilot_id=pilot.id + 999)
    with pytest.raises(AnswerError):
        ws.create_workshop(engine, CONTENT, pilot_name="   ")


# Votes --------------------------------------------------------------------------------


def test_a_participant_changes_a_vote_and_it_stays_one_row(engine):
    state, _token = _workshop(engine)
    (person,) = _join(engine, state)
    qid = state.question_ids[0]
    vote(engine, person, qid, "no")
    vote(engine, person, qid, "Partly")  # spellings fold onto the scale
    view = ws.participant_view(engine, person.token, CONTENT)
    assert view.my_votes == {qid: "partly"}
    assert votes_in_db(engine, state.id) == 1


def test_the_database_refuses_a_second_vote_row_for_the_same_question(engine):
    state, _token = _workshop(engine)
    (person,) = _join(engine, state)
    qid = state.question_ids[0]
    vote(engine, person, qid, "yes")
    with pytest.raises(IntegrityError), store.session_scope(engine) as session:
        session.add(
            WorkshopVote(
                workshop_id=state.id,
                participant_id=person.participant_id,
                question_id=qid,
                value="no",
            )
        )


def test_double_taps_from_many_threads_leave_exactly_one_vote(engine):
    state, _token = _workshop(engine)
    (person,) = _join(engine, state)
    qid = state.question_ids[0]
    values = ["yes", "no", "partly", "dont_know"] * 5
    errors = []

    def tap(value):
        try:
            vote(engine, person, qid, value)
        except Exception as exc:  # collected: the assertion below names it
            errors.append(exc)

    threads = [threading.Thread(target=tap, args=(v,)) for v in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert votes_in_db(engine, state.id) == 1


def test_forty_participants_answering_every_question_at_once_lose_and_double_nothing(
    engine, db_url
):
    from bench.adapters import workshop_round

    measured = workshop_round(db_url, participants=40)
    expected = 40 * len(CONTENT.questions)
    assert measured["votes"] == expected
    with engine.connect() as connection:
        workshop_id = connection.execute(select(func.max(Workshop.id))).scalar_one()
        distinct = connection.execute(
            select(func.count()).select_from(
                select(WorkshopVote.participant_id, WorkshopVote.question_id)
                .where(WorkshopVote.workshop_id == workshop_id)
                .distinct()
                .subquery()
            )
        ).scalar_one()
    assert votes_in_db(engine, workshop_id) == expected
    assert distinct == expected
    # The presenter's count is complete soon after the last vote was written.
    assert measured["all_votes_visible_s"] - measured["round_s"] < 2.0


# Pacing and locks ---------------------------------------------------------------------


def test_one_question_pacing_opens_only_the_current_question(engine):
    state, token = _workshop(engine, pacing="question")
    (person,) = _join(engine, state)
    first, second = state.question_ids[:2]
    assert state.votable == (first,)
    with pytest.raises(AccessError, match="not open"):
        vote(engine, person, second, "yes")
    moved = ws.step(ws.facilitator(engine, token), CONTENT, +1)
    assert moved.votable == (second,)
    vote(engine, person, second, "yes")
    with pytest.raises(AccessError, match="not open"):
        vote(engine, person, first, "yes")


def test_one_reason_pacing_opens_that_reasons_questions(engine):
    state, token = _workshop(engine)
    moved = ws.set_pacing(ws.facilitator(engine, token), CONTENT, "reason", reason="governance")
    governance = [q.id for q in CONTENT.questions if q.reason == "governance"]
    assert list(moved.votable) == governance
    (person,) = _join(engine, state)
    vote(engine, person, governance[0], "no")
    with pytest.raises(AccessError):
        vote(engine, person, state.question_ids[0], "no")  # a business-problem question


def test_a_locked_question_or_section_refuses_votes_and_keeps_earlier_ones(engine):
    state, token = _workshop(engine)
    (person,) = _join(engine, state)
    qid = state.question_ids[0]
    vote(engine, person, qid, "yes")
    locked = ws.set_locked(ws.facilitator(engine, token), CONTENT, [qid])
    assert qid in locked.locked
    assert qid not in locked.votable
    with pytest.raises(AccessError, match="locked"):
        vote(engine, person, qid, "no")
    assert ws.participant_view(engine, person.token, CONTENT).my_votes == {qid: "yes"}

    section = [q.id for q in CONTENT.questions if q.reason == "data_readiness"]
    ws.set_locked(ws.facilitator(engine, token), CONTENT, section)
    for other in section:
        with pytest.raises(AccessError, match="locked"):
            vote(engine, person, other, "no")
    ws.set_locked(ws.facilitator(engine, token), CONTENT, [qid], locked=False)
    vote(engine, person, qid, "no")
    assert ws.participant_view(engine, person.token, CONTENT).my_votes == {qid: "no"}


def test_a_closed_code_cannot_be_joined_but_those_inside_keep_voting(engine):
    state, token = _workshop(engine)
    (person,) = _join(engine, state)
    ws.set_join_open(ws.facilitator(engine, token), CONTENT, False)
    with pytest.raises(NotFoundError, match="No open workshop"):
        ws.join_workshop(engine, state.code, "late-comer")
    vote(engine, person, state.question_ids[0], "yes")
    ws.end_workshop(ws.facilitator(engine, token), CONTENT)
    with pytest.raises(AccessError, match="ended"):
        vote(engine, person, state.question_ids[0], "no")


# Isolation and control ----------------------------------------------------------------


def test_a_participant_cannot_read_or_vote_in_another_workshop(engine):
    first, _t1 = _workshop(engine, pilot_name="First")
    second, _t2 = _workshop(engine, pilot_name="Second")
    (person,) = _join(engine, first)
    view = ws.participant_view(engine, person.token, CONTENT)
    assert view.workshop_id == first.id
    assert view.pilot_name == "First"
    with pytest.raises(AccessError, match="workshop you joined"):
        ws.cast_vote(
            engine,
            CONTENT,
            workshop_id=second.id,
            participant_token=person.token,
            question_id=second.question_ids[0],
            value="yes",
        )
    # The database itself refuses a vote whose participant belongs to another workshop.
    with pytest.raises(IntegrityError), store.session_scope(engine) as session:
        session.add(
            WorkshopVote(
                workshop_id=second.id,
                participant_id=person.participant_id,
                question_id=second.question_ids[0],
                value="yes",
            )
        )
    assert votes_in_db(engine, second.id) == 0


def test_a_made_up_participant_token_is_refused(engine):
    state, _token = _workshop(engine)
    with pytest.raises(AccessError):
        ws.participant_view(engine, "x" * 32, CONTENT)
    with pytest.raises(AccessError):
        ws.cast_vote(
            engine,
            CONTENT,
            workshop_id=state.id,
            participant_token="y" * 32,
            question_id=state.question_ids[0],
            value="yes",
        )


FACILITATOR_ACTIONS = {
    "state": lambda e, t: ws.workshop_state(ws.facilitator(e, t), CONTENT),
    "pacing": lambda e, t: ws.set_pacing(ws.facilitator(e, t), CONTENT, "question"),
    "lock": lambda e, t: ws.set_locked(ws.facilitator(e, t), CONTENT, [DECISION_QUESTIONS[0]]),
    "reveal": lambda e, t: ws.set_revealed(ws.facilitator(e, t), CONTENT, [DECISION_QUESTIONS[0]]),
    "close": lambda e, t: ws.set_join_open(ws.facilitator(e, t), CONTENT, False),
    "end": lambda e, t: ws.end_workshop(ws.facilitator(e, t), CONTENT),
    "live": lambda e, t: ws.live_status(ws.facilitator(e, t), CONTENT),
    "results": lambda e, t: ws.workshop_results(ws.facilitator(e, t), CONTENT),
    "consensus": lambda e, t: ws.save_consensus(
        ws.facilitator(e, t), CONTENT, {DECISION_QUESTIONS[0]: "yes"}
    ),
    "export": lambda e, t: ws.export_xlsx(ws.facilitator(e, t), CONTENT),
    "countdown": lambda e, t: ws.set_countdown(ws.facilitator(e, t), CONTENT, 60),
}


@pytest.mark.parametrize("action", FACILITATOR_ACTIONS)
def test_facilitator_actions_need_the_facilitator_token(engine, action):
    state, token = _workshop(engine)
    (person,) = _join(engine, state)
    _other_state, other_token = _workshop(engine, pilot_name="Other")
    before = store.count_rows(engine)
    for wrong in ("", "not-a-token", person.token, state.code, token[:-1] + "A" * 1):
        if wrong == token:
            continue
        with pytest.raises(AccessError):
            FACILITATOR_ACTIONS[action](engine, wrong)
    assert store.count_rows(engine) == before
    FACILITATOR_ACTIONS[action](engine, token)  # the real token works
    # ...and acts on its own workshop only.
    assert ws.workshop_state(ws.facilitator(engine, other_token), CONTENT).join_open
    assert not ws.workshop_state(ws.facilitator(engine, other_token), CONTENT).locked


# Throttle -----------------------------------------------------------------------------


def test_wait_after_failures_doubles_after_five_and_is_capped():
    assert [ws.wait_after_failures(n) for n in range(8)] == [0, 0, 0, 0, 0, 2, 4, 8]
    assert ws.wait_after_failures(30) == 15 * 60


def test_repeated_wrong_codes_are_slowed_down_for_that_client_in_every_process(engine, db_url):
    state, _token = _workshop(engine)
    wrong = "ZZZZZ9" if state.code != "ZZZZZ9" else "ZZZZZ8"
    for _ in range(5):
        with pytest.raises(NotFoundError):
            ws.find_workshop(engine, wrong, "guesser")
    # Sixth try, even with the right code: refused until the wait is over.
    with pytest.raises(ws.TooManyAttemptsError) as refused:
        ws.join_workshop(engine, state.code, "guesser")
    assert 0 < refused.value.wait_seconds <= 2
    # Another app process (a second engine on the same database) applies the same limit.
    other_process = store.make_engine(db_url)
    try:
        with pytest.raises(ws.TooManyAttemptsError):
            ws.find_workshop(other_process, state.code, "guesser")
    finally:
        other_process.dispose()
    # Someone else is not affected.
    assert ws.find_workshop(engine, state.code, "colleague").workshop_id == state.id
    # Once the attempts are older than the wait, the right code works again.
    with store.session_scope(engine) as session:
        session.execute(
            update(JoinAttempt).values(attempted_at=JoinAttempt.attempted_at - timedelta(hours=1))
        )
    assert ws.join_workshop(engine, state.code, "guesser").workshop_id == state.id


# Disagreement, results, consensus -----------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (["yes", "yes"], None),  # too few answers to show anything
        (["yes", "yes", "yes"], 0.0),
        (["no", "dont_know", "no"], 0.0),  # both score 0: no spread in the scores
        (["yes", "yes", "no", "no"], 100.0),  # mean .5, sd .5 -> .5 / .5
        # mean .5; variance (.25 + 0 + .25) / 3 = 1/6; sd .4082 -> 81.65
        (["yes", "partly", "no"], 100 * math.sqrt(1 / 6) / 0.5),
        # mean 5/6; variance (1/36 + 1/36 + 1/9) / 3 = 1/18; sd .2357 -> 47.14
        (["yes", "yes", "partly"], 100 * math.sqrt(1 / 18) / 0.5),
        (["yes", "yes", "na", "na"], None),  # N/A left out: two answers remain
    ],
)
def test_disagreement_index_matches_hand_computation(answers, expected):
    got = ws.disagreement_index(answers)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-9)


SCORED = st.sampled_from(["yes", "partly", "no", "dont_know"])


@settings(max_examples=200, deadline=None)
@given(st.lists(SCORED, min_size=3, max_size=40), st.randoms(use_true_random=False))
def test_disagreement_index_properties(answers, rnd):
    value = ws.disagreement_index(answers)
    assert 0 <= value <= 100 + 1e-9
    shuffled = answers[:]
    rnd.shuffle(shuffled)
    assert ws.disagreement_index(shuffled) == pytest.approx(value)
    mirrored = [{"yes": "no", "no": "yes", "dont_know": "yes"}.get(a, a) for a in answers]
    assert ws.disagreement_index(mirrored) == pytest.approx(value)
    scores = {"yes": 1, "partly": 0.5, "no": 0, "dont_know": 0}
    assert (value == 0) == (len({scores[a] for a in answers}) == 1)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=2, max_value=20))
def test_an_even_yes_no_split_is_the_largest_disagreement(half):
    assert ws.disagreement_index(["yes"] * half + ["no"] * half) == pytest.approx(100)
    assert ws.disagreement_index(["yes"] * (half + 1) + ["no"] * half) < 100


def test_majority_breaks_ties_towards_the_weaker_answer():
    assert ws.majority_answer({"yes": 3, "partly": 1}) == "yes"
    assert ws.majority_answer({"yes": 2, "no": 2}) == "no"
    assert ws.majority_answer({"yes": 2, "partly": 2}) == "partly"
    assert ws.majority_answer({"yes": 0}) is None


def test_results_rank_disagreement_hide_small_groups_and_wait_for_reveal(engine):
    state, token = _workshop(engine)
    q1, q2, q3, q4 = state.question_ids[:4]
    roles = ["it", "it", "it", "sponsor"]
    people = [
        ws.join_workshop(engine, state.code, f"c{i}", role=role) for i, role in enumerate(roles)
    ]
    for person, value in zip(people, ["yes"] * 4, strict=True):
        vote(engine, person, q1, value)  # index 0
    for person, value in zip(people, ["yes", "yes", "no", "no"], strict=True):
        vote(engine, person, q2, value)  # index 100
    for person, value in zip(people, ["yes", "partly", "no"], strict=False):
        vote(engine, person, q3, value)  # index 81.6
    for person, value in zip(people, ["no", "no"], strict=False):
        vote(engine, person, q4, value)  # two answers: nothing shown

    results = ws.workshop_results(ws.facilitator(engine, token), CONTENT)
    assert [q.question_id for q in results.ranking[:3]] == [q2, q3, q1]
    assert results.by_id(q2).counts == {"yes": 2, "partly": 0, "no": 2, "dont_know": 0, "na": 0}
    assert results.by_id(q2).majority == "no"
    small = results.by_id(q4)
    assert small.answers == 2
    assert not small.shown
    assert small.counts == {}
    assert small.disagreement is None
    # Three IT people could form a group, but beside the overall 2 Yes / 2 No their 2 Yes /
    # 1 No would give the single sponsor's No away: no split is shown.
    assert results.by_id(q2).by_role == {}
    assert results.participants_by_role == {"it": 3, "sponsor": 1}

    screen = ws.workshop_results(ws.facilitator(engine, token), CONTENT, only_revealed=True)
    assert not any(q.shown for q in screen.questions)
    assert all(q.majority is None for q in screen.questions)
    ws.set_revealed(ws.facilitator(engine, token), CONTENT, [q2])
    screen = ws.workshop_results(ws.facilitator(engine, token), CONTENT, only_revealed=True)
    assert [q.question_id for q in screen.questions if q.shown] == [q2]
    assert ws.consensus_defaults(results)[q1] == "yes"


def _tally(**counts):
    return {"yes": 0, "partly": 0, "no": 0, "dont_know": 0, "na": 0, **counts}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        # The room of the report: 3 Business Yes, IT No, Data No: the other two are exposed.
        ([("yes", "business")] * 3 + [("no", "it"), ("no", "data")], {}),
        # Two groups of three and nobody else: both are anonymous.
        (
            [("yes", "business")] * 3 + [("no", "it")] * 2 + [("yes", "it")],
            {"business": _tally(yes=3), "it": _tally(yes=1, no=2)},
        ),
        # A seventh person alone: one group must go; the smaller (ties by name) goes first,
        # leaving IT beside four others.
        (
            [("yes", "business")] * 3 + [("no", "it")] * 3 + [("partly", "data")],
            {"it": _tally(no=3)},
        ),
        # Three who did not say their role are a crowd of their own.
        ([("yes", "business")] * 3 + [("no", None)] * 3, {"business": _tally(yes=3)}),
        ([("yes", "business")] * 2 + [("no", None)] * 3, {}),
    ],
)
def test_a_role_split_never_exposes_the_people_outside_it(given, expected):
    assert ws.role_split(given) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(SCORED, st.sampled_from([None, *ws.ROLES])), max_size=30))
def test_every_role_split_leaves_groups_of_three(given):
    split = ws.role_split(given)
    shown = sum(sum(c.values()) for c in split.values())
    assert all(sum(c.values()) >= 3 for c in split.values())
    assert not split or len(given) - shown == 0 or len(given) - shown >= 3


def test_live_status_counts_equal_the_database(engine):
    state, token = _workshop(engine)
    people = _join(engine, state, n=3)
    vote(engine, people[0], state.question_ids[0], "yes")
    vote(engine, people[1], state.question_ids[0], "no")
    vote(engine, people[1], state.question_ids[1], "no")
    live = ws.live_status(ws.facilitator(engine, token), CONTENT)
    assert live.participants == 3
    assert live.total_votes == 3 == votes_in_db(engine, state.id)
    assert live.votes_per_question[state.question_ids[0]] == 2
    assert live.votes_per_question[state.question_ids[2]] == 0


def test_consensus_becomes_a_scored_assessment_with_actions(engine):
    state, token = _workshop(engine, pilot_name="Claims triage")
    answers = dict.fromkeys(state.question_ids, "yes")
    weak = state.question_ids[1]
    answers[weak] = "no"
    actions = [ws.AgreedAction(weak, "Write the success criteria", "Sponsor", date(2026, 12, 15))]
    assessment_id = ws.save_consensus(ws.facilitator(engine, token), CONTENT, answers, actions)
    assert store.answer_values(engine, assessment_id) == answers
    record = store.get_assessment(engine, assessment_id=assessment_id)
    assert record.source == "workshop"
    assert record.pilot_id == state.pilot_id
    assert record.completed_at is not None
    agreed = ws.consensus(ws.facilitator(engine, token))
    assert agreed.actions == actions
    result = ws.consensus_result(ws.facilitator(engine, token), CONTENT)
    assert result.to_dict() == score(answers, CONTENT, position=state.position).to_dict()
    # One No among the questions of one reason: that reason is below 100, the others at 100.
    reason = CONTENT.questions_by_id[weak].reason
    n = len([q for q in CONTENT.questions if q.reason == reason])
    assert result.readiness[reason] == pytest.approx(100 * (n - 1) / n, abs=15)
    assert all(v == 100 for k, v in result.readiness.items() if k != reason)
    # Recording one more answer later keeps the rest (consensus mode, one question at a time).
    ws.save_consensus(ws.facilitator(engine, token), CONTENT, {weak: "partly"})
    assert store.answer_values(engine, assessment_id)[weak] == "partly"
    assert ws.consensus(ws.facilitator(engine, token)).actions == actions
    with pytest.raises(AnswerError):
        ws.save_consensus(ws.facilitator(engine, token), CONTENT, {"no_such_question": "yes"})


def test_export_is_a_workbook_with_neutralised_names_and_the_right_counts(engine):
    state, token = _workshop(engine, ask_names=True)
    names = ['=HYPERLINK("http://x")', "Ana", "Bo"]
    people = [
        ws.join_workshop(engine, state.code, f"c{i}", display_name=name)
        for i, name in enumerate(names)
    ]
    qid = state.question_ids[0]
    for person, value in zip(people, ["yes", "no", "no"], strict=True):
        vote(engine, person, qid, value)
    book = openpyxl.load_workbook(
        io.BytesIO(ws.export_xlsx(ws.facilitator(engine, token), CONTENT))
    )
    assert {"Summary", "Participants", "Distribution", "Agreed answers", "Actions"} <= set(
        book.sheetnames
    )
    shown = [row[0] for row in book["Participants"].iter_rows(min_row=2, values_only=True)]
    assert shown == ['\'=HYPERLINK("http://x")', "Ana", "Bo"]
    header = [c.value for c in book["Distribution"][1]]
    first = dict(zip(header, [c.value for c in book["Distribution"][2]], strict=True))
    label = CONTENT.questions_by_id[qid].short_label
    assert (first["Question"], first["Yes"], first["No"], first["Answers"]) == (label, 1, 2, 3)
    html = ws.report_html(ws.facilitator(engine, token), CONTENT)
    assert "=HYPERLINK(&quot;http://x&quot;)" in html
    assert "<script" not in html


def test_the_report_reads_plainly_whole_numbers_minutes_and_no_false_notes(engine):
    state, token = _workshop(engine, pilot_name="Claims triage")
    q1, q2, q3 = state.question_ids[:3]
    people = _join(engine, state, n=4)
    for person, value in zip(people, ["yes", "yes", "no", "partly"], strict=True):
        vote(engine, person, q1, value)
    vote(engine, people[0], q2, "no")  # one answer: not shown
    fac = ws.facilitator(engine, token)
    ws.save_consensus(
        fac, CONTENT, {q1: "yes"}, [ws.AgreedAction(q1, "Write it", "Ana", date(2026, 12, 31))]
    )
    frames = ws.results_frames(fac, CONTENT)
    summary = dict(zip(frames["Summary"]["Item"], frames["Summary"]["Value"], strict=True))
    assert summary["Pilot"] == "Claims triage"
    assert "Workshop" not in summary  # the title is not repeated as "Workshop: Workshop: ..."
    assert len(summary["Started"]) == len("2026-12-05 17:00 UTC")  # to the minute
    assert summary["Answers given"] == 5
    distribution = frames["Distribution"].set_index("Question")
    labels = {q: CONTENT.questions_by_id[q].short_label for q in (q1, q2, q3)}
    first = distribution.loc[labels[q1]]
    # Scores 1, 1, 0, .5: mean .625, variance (.140625*2 + .390625 + .015625) / 4 = .171875,
    # sd .41458 -> 82.9 -> 83 when whole.
    assert (first["Yes"], first["No"], first["Partly"], first["Disagreement"]) == (2, 1, 1, 83)
    assert str(frames["Distribution"]["Yes"].dtype) == "Int64"  # 2, never 2.0
    assert distribution.loc[labels[q2], "Note"] == "Not shown: fewer than 3 answers"
    assert distribution.loc[labels[q3], "Note"] == "No answers"
    assert "question_id" not in frames["Distribution"].columns
    actions = frames["Actions"]
    assert actions.iloc[0].tolist() == [labels[q1], "Write it", "Ana", date(2026, 12, 31)]
    assert "Participants" not in frames  # anonymous workshop: nobody listed one by one
    html = ws.report_html(fac, CONTENT)
    assert "Workshop: Claims triage" in html
    assert "Workshop: Workshop" not in html
    assert "class='dist'" in html  # the distribution drawn as a bar


def test_exports_never_give_a_small_role_group_away(engine):
    """3 Business, 1 IT, 1 Data and 1 Sponsor: neither the role split nor the people count
    lets anyone work out how IT, Data or the Sponsor voted."""
    state, token = _workshop(engine)
    qid = state.question_ids[0]
    roles = ["business"] * 3 + ["it", "data", "sponsor"]
    values = ["yes", "yes", "yes", "no", "no", "yes"]
    for i, (role, value) in enumerate(zip(roles, values, strict=True)):
        person = ws.join_workshop(engine, state.code, f"r{i}", role=role)
        vote(engine, person, qid, value)
    frames = ws.results_frames(ws.facilitator(engine, token), CONTENT)
    # Outside Business: three people, so Business may be shown beside them.
    assert frames["By role"][["Role", "Yes", "No"]].values.tolist() == [["Business", 3, 0]]
    assert frames["Roles"].values.tolist() == [
        ["Business", 3],
        ["Other roles (fewer than 3 people each)", 3],
    ]
    # One person fewer outside Business: the split would expose two people, so it goes.
    state2, token2 = _workshop(engine, pilot_name="Five")
    for i, (role, value) in enumerate(zip(roles[:5], values[:5], strict=True)):
        person = ws.join_workshop(engine, state2.code, f"s{i}", role=role)
        vote(engine, person, state2.question_ids[0], value)
    frames = ws.results_frames(ws.facilitator(engine, token2), CONTENT)
    assert frames["By role"].empty
    book = openpyxl.load_workbook(
        io.BytesIO(ws.export_xlsx(ws.facilitator(engine, token2), CONTENT))
    )
    assert book["By role"].max_row == 1  # the header only


def test_names_are_kept_only_when_the_facilitator_asks_for_them(engine):
    state, token = _workshop(engine)  # anonymous by default
    ws.join_workshop(engine, state.code, "c1", display_name="Ana", role="data")
    frame = ws.participants_frame(ws.facilitator(engine, token))
    assert frame["participant"].tolist() == ["Anonymous 1"]
    assert frame["role"].tolist() == ["Data / data science"]
    with pytest.raises(AnswerError):
        ws.join_workshop(engine, state.code, "c2", role="boss")


def test_the_schema_matches_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from diagnostics.storage.models import Base

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in diff if "workshop" in str(d)]
    assert ours == []


def test_a_question_outside_the_workshop_is_refused(engine):
    created = ws.create_workshop(engine, CONTENT, pilot_name="Early", position="about_to_start")
    person = ws.join_workshop(engine, created.state.code, "c1")
    later = next(q.id for q in CONTENT.questions if q.phase == "decision")
    with pytest.raises(AccessError, match="not part of your workshop"):
        vote(engine, person, later, "yes")
    assert votes_in_db(engine, created.state.id) == 0


def test_every_workshop_chart_sets_room_sized_type_on_every_part(engine):
    """The chart theme sizes ticks and bar labels itself: each workshop chart, the console's as
    the shared screen's, must say 22 px dark ink for every part, one round as the next."""
    from diagnostics.workshop import figures as wf

    state, token = _workshop(engine)
    qid = state.question_ids[0]
    people = [ws.join_workshop(engine, state.code, f"c{i}", role="it") for i in range(4)]
    for person, value in zip(people, ["yes", "yes", "no", "partly"], strict=True):
        vote(engine, person, qid, value)
    results = ws.workshop_results(ws.facilitator(engine, token), CONTENT)
    question = results.by_id(qid)
    assert wf.ROOM_TYPE_PX == 22
    for figure in (
        wf.distribution_bars(question, CONTENT),
        wf.distribution_bars(question, CONTENT, top=9, height=270),  # a round side by side
        wf.role_split(question, CONTENT),
        wf.disagreement_ranking(results, CONTENT),
    ):
        layout = figure.layout
        for font in (
            layout.font,
            layout.legend.font,
            layout.xaxis.tickfont,
            layout.yaxis.tickfont,
            layout.xaxis.title.font,
        ):
            assert (font.size, font.color) == (22, "#111111")
        bars = [t for t in figure.data if t.type == "bar" and t.text is not None]
        assert all(t.textfont.size == 22 for t in bars)


@pytest.mark.parametrize("roles", [["it"], ["it", "data", "business", "sponsor", "other"]])
def test_the_role_split_legend_sits_under_the_axis_figures_for_any_number_of_roles(roles):
    """Placed as a share of the plot's height, the legend ran into the axis's figures when
    one role was drawn: it sits a fixed 48.4 px (2.2 lines of 22 px) under the plot."""
    from diagnostics.workshop import figures as wf
    from diagnostics.workshop.records import QuestionResult

    by_role = {role: {"yes": 2, "no": 1} for role in roles}
    question = QuestionResult(
        question_id="q",
        label="Q",
        reason="r",
        answers=3 * len(roles),
        counts={"yes": 2 * len(roles), "no": len(roles)},
        shown=True,
        disagreement=89.0,
        majority="yes",
        by_role=by_role,
        revealed=True,
    )
    layout = wf.role_split(question, CONTENT).layout
    plot_px = layout.height - layout.margin.t - layout.margin.b
    assert plot_px == 70 * len(roles) + 30
    assert round(-layout.legend.y * plot_px, 1) == 48.4
    # Under the legend's top, room for two lines of 22 px legend entries.
    assert layout.margin.b - 48.4 >= 2 * 22 + 10


def test_an_observer_follows_without_voting_or_being_counted(engine):
    state, token = _workshop(engine)
    voters = _join(engine, state, n=3, role="it")
    observer = ws.join_workshop(engine, state.code, "watcher", role=ws.OBSERVER)
    qid = state.question_ids[0]
    for person in voters:
        vote(engine, person, qid, "yes")
    with pytest.raises(AccessError, match="observer"):
        vote(engine, observer, qid, "no")
    fac = ws.facilitator(engine, token)
    live = ws.live_status(fac, CONTENT)
    assert (live.participants, live.votes_per_question[qid]) == (3, 3)
    results = ws.workshop_results(fac, CONTENT)
    assert results.participants == 3
    assert results.participants_by_role == {"it": 3}
    assert ws.participant_view(engine, observer.token, CONTENT).in_focus == (*state.in_focus,)


def test_auto_reveal_shows_a_question_once_everyone_who_joined_answered(engine):
    state, token = _workshop(engine, pacing="question")
    fac = ws.facilitator(engine, token)
    people = _join(engine, state, n=3)
    ws.join_workshop(engine, state.code, "watcher", role=ws.OBSERVER)  # not waited for
    qid = state.question_ids[0]
    for person in people[:2]:
        vote(engine, person, qid, "yes")
    assert ws.reveal_when_all_answered(fac, CONTENT, ws.live_status(fac, CONTENT)) is None
    assert ws.set_auto_reveal(fac, CONTENT, True).auto_reveal
    assert ws.reveal_when_all_answered(fac, CONTENT, ws.live_status(fac, CONTENT)) is None
    vote(engine, people[2], qid, "no")
    revealed = ws.reveal_when_all_answered(fac, CONTENT, ws.live_status(fac, CONTENT))
    assert revealed.revealed == {qid}
    # Off again: the next question waits for the facilitator.
    ws.set_auto_reveal(fac, CONTENT, False)
    nxt = ws.step(fac, CONTENT, +1).current_question
    for person in people:
        vote(engine, person, nxt, "yes")
    assert ws.reveal_when_all_answered(fac, CONTENT, ws.live_status(fac, CONTENT)) is None
    assert nxt not in ws.workshop_state(fac, CONTENT).revealed
    # A copy keeps the setting.
    ws.set_auto_reveal(fac, CONTENT, True)
    assert ws.copy_workshop(fac, CONTENT).state.auto_reveal


# The countdown ------------------------------------------------------------------------

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)  # the clock is moved by hand: no sleeps


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_a_countdown_starts_with_each_question_and_closes_votes_at_zero(engine):
    state, token = _workshop(engine, pacing="question")
    fac = ws.facilitator(engine, token)
    (person,) = _join(engine, state)
    q1, q2 = state.question_ids[:2]
    assert state.countdown_seconds is None
    assert state.deadline is None
    started = ws.set_countdown(fac, CONTENT, 60, now=T0)
    assert (started.countdown_seconds, started.deadline) == (60, _at(60))
    assert clock.remaining(started, _at(15)) == 45.0
    assert clock.format_clock(clock.remaining(started, _at(0.4))) == "1:00"
    assert clock.format_clock(clock.remaining(started, _at(50.5))) == "0:10"
    assert not clock.running_short(started, _at(49))
    assert clock.running_short(started, _at(50))
    assert clock.fraction_left(started, _at(45)) == 0.25
    ws.cast_vote(
        engine, CONTENT, workshop_id=state.id, participant_token=person.token,
        question_id=q1, value="no", now=_at(59.9),
    )  # fmt: skip
    with pytest.raises(ws.TimeUpError, match="Time is up"):
        ws.cast_vote(
            engine, CONTENT, workshop_id=state.id, participant_token=person.token,
            question_id=q1, value="yes", now=_at(60),
        )  # fmt: skip
    assert ws.participant_view(engine, person.token, CONTENT, _at(60)).my_votes == {q1: "no"}
    up = ws.workshop_state(fac, CONTENT, _at(61))
    assert up.time_up
    assert up.votable == ()
    assert up.in_focus == (q1,)
    assert ws.participant_view(engine, person.token, CONTENT, _at(61)).time_up
    # The next question gets its own minute, from the moment it opens.
    moved = ws.step(fac, CONTENT, +1, now=_at(90))
    assert (moved.current_question, moved.deadline, moved.time_up) == (q2, _at(150), False)
    assert ws.workshop_state(fac, CONTENT, _at(120)).votable == (q2,)


def test_the_facilitator_adds_time_stops_and_restarts_the_clock(engine):
    state, token = _workshop(engine, pacing="question")
    fac = ws.facilitator(engine, token)
    with pytest.raises(AnswerError, match="Choose a time"):
        ws.start_clock(fac, CONTENT, now=T0)
    for wrong in (3, 2 * 60 * 60):
        with pytest.raises(AnswerError, match="not offered"):
            ws.set_countdown(fac, CONTENT, wrong, now=T0)
    ws.set_countdown(fac, CONTENT, 30, now=T0)
    assert ws.add_time(fac, CONTENT, now=_at(20)).deadline == _at(60)  # 30 s more
    # Once time was up, more time opens voting again, counted from now.
    later = ws.add_time(fac, CONTENT, 30, now=_at(100))
    assert (later.clock_started_at, later.deadline) == (_at(100), _at(130))
    assert ws.workshop_state(fac, CONTENT, _at(110)).votable == (state.question_ids[0],)
    # Choosing another time restarts the clock with it.
    assert ws.set_countdown(fac, CONTENT, 120, now=_at(110)).deadline == _at(230)
    stopped = ws.stop_clock(fac, CONTENT, now=_at(111))
    assert stopped.deadline is None
    assert stopped.countdown_seconds == 120
    assert not ws.workshop_state(fac, CONTENT, _at(10_000)).time_up  # no limit any more
    with pytest.raises(AnswerError, match="No clock"):
        ws.add_time(fac, CONTENT, now=_at(112))
    assert ws.start_clock(fac, CONTENT, now=_at(200)).deadline == _at(320)
    off = ws.set_countdown(fac, CONTENT, None, now=_at(201))
    assert (off.countdown_seconds, off.deadline, off.time_up) == (None, None, False)
    # Moving on with the countdown off starts no clock.
    assert ws.step(fac, CONTENT, +1, now=_at(300)).deadline is None


def test_under_reason_pacing_the_clock_runs_for_the_reasons_questions(engine):
    _state, token = _workshop(engine, pacing="reason")
    fac = ws.facilitator(engine, token)
    first = ws.set_countdown(fac, CONTENT, 120, now=T0)
    assert len(first.in_focus) > 1
    assert first.deadline == _at(120)
    # The same reason chosen again keeps its clock; the next reason starts a new one.
    same = ws.set_pacing(fac, CONTENT, "reason", reason=first.current_reason, now=_at(50))
    assert same.deadline == _at(120)
    nxt = ws.step(fac, CONTENT, +1, now=_at(60))
    assert nxt.current_reason != first.current_reason
    assert nxt.deadline == _at(180)
    # The whole questionnaire: one clock for everything, from when it opens.
    everything = ws.set_pacing(fac, CONTENT, "all", now=_at(70))
    assert everything.deadline == _at(190)
    assert ws.workshop_state(fac, CONTENT, _at(190)).votable == ()


def test_the_stamp_moves_once_when_time_is_up_so_phones_redraw_once(engine):
    state, token = _workshop(engine, pacing="question")
    fac = ws.facilitator(engine, token)
    ws.set_countdown(fac, CONTENT, 30, now=T0)
    stamp = changes.read_stamp(engine, state.id)
    phone_sees = [stamp.at(_at(s)).state for s in (0, 10, 29.9, 30, 31, 45, 600)]
    assert len(set(phone_sees[:3])) == 1  # ticking seconds do not move it
    assert len(set(phone_sees[3:])) == 1  # nor do the seconds after zero
    assert phone_sees[2] != phone_sees[3]  # zero does, once
    # The kept stamp of the process decides time up at each poll, without a query.
    changes.forget(engine, state.id)
    kept = changes.current_stamp(engine, state.id, max_age=3600)
    assert kept.deadline is not None
    assert not kept.time_up
    ws.set_countdown(fac, CONTENT, None, now=T0)
    assert changes.read_stamp(engine, state.id).deadline is None


def test_auto_reveal_shows_the_open_question_when_time_is_up(engine):
    state, token = _workshop(engine, pacing="question")
    fac = ws.facilitator(engine, token)
    people = _join(engine, state, n=3)
    qid = state.question_ids[0]
    ws.set_auto_reveal(fac, CONTENT, True)
    ws.set_countdown(fac, CONTENT, 30, now=T0)
    ws.cast_vote(
        engine, CONTENT, workshop_id=state.id, participant_token=people[0].token,
        question_id=qid, value="yes", now=_at(5),
    )  # fmt: skip
    assert ws.reveal_when_all_answered(fac, CONTENT, ws.live_status(fac, CONTENT, _at(29))) is None
    shown = ws.reveal_when_all_answered(fac, CONTENT, ws.live_status(fac, CONTENT, _at(30)))
    assert shown.revealed == {qid}
    # Without auto-reveal, time up only closes the votes.
    ws.set_auto_reveal(fac, CONTENT, False)
    ws.step(fac, CONTENT, +1, now=_at(40))
    assert ws.reveal_when_all_answered(fac, CONTENT, ws.live_status(fac, CONTENT, _at(99))) is None


# Voting again after discussion --------------------------------------------------------


def _round(engine, people, qid, values, now=None):
    for person, value in zip(people, values, strict=False):
        ws.cast_vote(
            engine, CONTENT, workshop_id=person.workshop_id, participant_token=person.token,
            question_id=qid, value=value, now=now,
        )  # fmt: skip


def test_a_second_round_keeps_the_first_votes_and_shows_both_rounds(engine):
    state, token = _workshop(engine, pacing="question", pilot_name="Claims triage")
    fac = ws.facilitator(engine, token)
    people = _join(engine, state, n=4)
    qid = state.question_ids[0]
    _round(engine, people, qid, ["yes", "no", "no", "dont_know"])
    with pytest.raises(AnswerError, match="Reveal the results first"):
        ws.open_next_round(fac, CONTENT, [qid])
    ws.set_revealed(fac, CONTENT, [qid])
    ws.set_locked(fac, CONTENT, [qid])
    second = ws.open_next_round(fac, CONTENT, [qid])
    assert second.round_of(qid) == 2
    assert second.round_of(state.question_ids[1]) == 1
    assert qid not in second.revealed
    assert qid not in second.locked
    assert votes_in_db(engine, state.id) == 0
    kept = ws.live_status(fac, CONTENT)
    assert (kept.total_votes, kept.earlier_votes, kept.all_votes) == (0, 4, 4)
    mine = ws.participant_view(engine, people[1].token, CONTENT)
    assert (mine.my_votes, mine.my_earlier_votes, mine.rounds) == ({}, {qid: "no"}, {qid: 2})
    _round(engine, people, qid, ["yes", "yes", "yes", "partly"])
    # The room sees the first round, and the second only once revealed.
    room = ws.shared_results(engine, state.id, CONTENT).by_id(qid)
    assert (room.round, room.shown, room.previous.shown) == (2, False, True)
    ws.set_revealed(fac, CONTENT, [qid])
    result = ws.workshop_results(fac, CONTENT).by_id(qid)
    before, after = result.previous, result
    assert [e.round for e in result.earlier] == [1]
    assert before.counts == {"yes": 1, "partly": 0, "no": 2, "dont_know": 1, "na": 0}
    assert after.counts == {"yes": 3, "partly": 1, "no": 0, "dont_know": 0, "na": 0}
    # Round 1 scores 1, 0, 0, 0: mean .25, variance .1875, sd .4330 -> 86.6.
    # Round 2 scores 1, 1, 1, .5: mean .875, variance .046875, sd .2165 -> 43.3.
    assert before.disagreement == pytest.approx(86.60, abs=0.01)
    assert after.disagreement == pytest.approx(43.30, abs=0.01)
    labels = {a.key: a.label for a in CONTENT.answer_scale}
    assert ws.agreement_change(before, after, labels) == (
        "Agreement grew after the discussion: disagreement fell from 87 to 43. "
        "The most common answer moved from No to Yes."
    )
    # The agreed answer defaults to the latest round.
    assert ws.consensus_defaults(ws.workshop_results(fac, CONTENT))[qid] == "yes"
    frames = ws.results_frames(fac, CONTENT)
    rounds = frames["Rounds"]
    assert rounds[["Round", "Answers", "Yes", "No", "Disagreement"]].values.tolist() == [
        [1, 4, 1, 2, 87],
        [2, 4, 3, 0, 43],
    ]
    assert rounds["Change"].tolist()[1].startswith("Agreement grew")
    assert frames["Distribution"].set_index("Question").loc[after.label, "Round"] == 2
    summary = dict(zip(frames["Summary"]["Item"], frames["Summary"]["Value"], strict=True))
    assert summary["Voted again after discussion"] == "1 question (4 earlier answers)"
    book = openpyxl.load_workbook(io.BytesIO(ws.export_xlsx(fac, CONTENT)))
    assert [c.value for c in book["Rounds"][3]][:3] == [after.label, 2, 4]
    html = ws.report_html(fac, CONTENT)
    assert "round 1, disagreement 87" in html
    assert "round 2, disagreement 43" in html
    assert "Agreement grew after the discussion" in html


def test_each_round_keeps_the_anonymity_rule_on_its_own(engine):
    state, token = _workshop(engine, pacing="question")
    fac = ws.facilitator(engine, token)
    people = _join(engine, state, n=3, role="it")
    qid = state.question_ids[0]
    _round(engine, people, qid, ["yes", "no", "no"])
    ws.set_revealed(fac, CONTENT, [qid])
    ws.open_next_round(fac, CONTENT, [qid])
    _round(engine, people[:2], qid, ["yes", "yes"])  # two answers: never a distribution
    ws.set_revealed(fac, CONTENT, [qid])
    result = ws.shared_results(engine, state.id, CONTENT).by_id(qid)
    assert (result.previous.shown, result.shown, result.counts) == (True, False, {})
    assert result.previous.by_role == {
        "it": {"yes": 1, "partly": 0, "no": 2, "dont_know": 0, "na": 0}
    }
    labels = {a.key: a.label for a in CONTENT.answer_scale}
    assert ws.agreement_change(result.previous, result, labels).startswith("Too few answers")
    rounds = ws.results_frames(fac, CONTENT)["Rounds"]
    assert pd.isna(rounds["Note"][0])
    assert rounds["Note"][1] == "Not shown: fewer than 3 answers"
    assert pd.isna(rounds["Yes"].tolist()[1])


def test_a_second_round_restarts_the_clock_of_the_open_question(engine):
    state, token = _workshop(engine, pacing="question")
    fac = ws.facilitator(engine, token)
    qid = state.question_ids[0]
    ws.set_countdown(fac, CONTENT, 30, now=T0)
    ws.set_revealed(fac, CONTENT, [qid])
    again = ws.open_next_round(fac, CONTENT, [qid], now=_at(100))
    assert again.deadline == _at(130)
    assert ws.workshop_state(fac, CONTENT, _at(110)).votable == (qid,)
    ws.end_workshop(fac, CONTENT)
    with pytest.raises(AnswerError, match="ended"):
        ws.open_next_round(fac, CONTENT, [qid])
    with pytest.raises(AccessError):
        ws.open_next_round(ws.facilitator(engine, "x" * 32), CONTENT, [qid])


@given(
    total=st.integers(min_value=5, max_value=3600),
    elapsed_us=st.integers(min_value=-5_000_000, max_value=4_000_000_000),
)
def test_the_clock_counts_down_to_zero_and_reads_as_minutes_and_seconds(total, elapsed_us):
    from types import SimpleNamespace

    running = SimpleNamespace(
        deadline=_at(total), clock_started_at=T0, ended=False, countdown_seconds=total
    )
    now = T0 + timedelta(microseconds=elapsed_us)
    left = clock.remaining(running, now)
    assert left == max(0.0, (total * 1_000_000 - elapsed_us) / 1_000_000)
    shown = clock.format_clock(left)
    minutes, seconds = shown.split(":")
    assert int(minutes) * 60 + int(seconds) == math.ceil(left)  # 0:00 only once it is up
    assert len(seconds) == 2
    assert clock.running_short(running, now) == (left <= clock.SHORT_SECONDS)
    share = clock.fraction_left(running, now)
    assert 0.0 <= share <= 1.0
    assert share == pytest.approx(min(1.0, left / total))
