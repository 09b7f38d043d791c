"""A workshop report taken while people still vote, on a real SQLite file and a real
PostgreSQL server: it says it is a snapshot and when it was taken, holds exactly the votes
cast until then, and changes nothing the phones or the shared screen look at."""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import UTC, datetime

import openpyxl
import pytest
from harness import vote
from sqlalchemy import select

from diagnostics import workshop as ws
from diagnostics.framework.content import load_content
from diagnostics.storage import store
from diagnostics.storage.models import Workshop, WorkshopParticipant, WorkshopQuestion, WorkshopVote
from diagnostics.workshop import changes

CONTENT = load_content()
MINUTE = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


@pytest.fixture
def engine(db_url):
    eng = store.make_engine(db_url)
    store.migrate(eng)
    yield eng
    eng.dispose()


def _everything(engine, workshop_id):
    """Every row a phone, the shared screen or the console reads, as plain values."""
    with engine.connect() as connection:

        def rows(table, *order):
            return [
                tuple(r)
                for r in connection.execute(
                    select(table).where(table.workshop_id == workshop_id).order_by(*order)
                )
            ]

        return (
            connection.execute(select(Workshop).where(Workshop.id == workshop_id)).one(),
            rows(WorkshopQuestion.__table__.c, WorkshopQuestion.position),
            rows(WorkshopParticipant.__table__.c, WorkshopParticipant.id),
            rows(WorkshopVote.__table__.c, WorkshopVote.id),
        )


def _summary(frames):
    return dict(zip(frames["Summary"]["Item"], frames["Summary"]["Value"], strict=True))


def test_a_report_taken_while_people_vote_is_a_snapshot_that_disturbs_nothing(engine):
    created = ws.create_workshop(engine, CONTENT, pilot_name="Claims triage", pacing="all")
    fac = ws.facilitator(engine, created.facilitator_token)
    q1, q2 = created.state.question_ids[:2]
    people = [ws.join_workshop(engine, created.state.code, f"c{i}") for i in range(4)]
    for person, value in zip(people, ["yes", "yes", "no", "partly"], strict=True):
        vote(engine, person, q1, value)
    vote(engine, people[0], q2, "no")

    stamp = changes.read_stamp(engine, fac.workshop_id)
    rows = _everything(engine, fac.workshop_id)
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    frames = ws.results_frames(fac, CONTENT)
    book = openpyxl.load_workbook(io.BytesIO(ws.export_xlsx(fac, CONTENT)))
    page = ws.report_html(fac, CONTENT)
    after = datetime.now(UTC)

    # Nothing moved: the stamp every page polls and every row they read are as they were.
    assert changes.read_stamp(engine, fac.workshop_id) == stamp
    assert _everything(engine, fac.workshop_id) == rows

    # It says it is a snapshot, and when it was taken, to the minute.
    note = _summary(frames)["Snapshot"]
    assert note.startswith("So far:")
    taken = datetime.strptime(MINUTE.search(note).group(), "%Y-%m-%d %H:%M UTC")
    assert before <= taken.replace(tzinfo=UTC) <= after
    assert _summary(frames)["Ended"] == "Still running"
    sheet = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert sheet["Snapshot"] == note
    assert "id='snapshot'" in page
    assert note in page

    # It holds the five votes cast until then: 2 Yes, 1 No, 1 Partly on the first question.
    assert _summary(frames)["Answers given"] == 5
    distribution = frames["Distribution"].set_index("Question")
    first = distribution.loc[CONTENT.questions_by_id[q1].short_label]
    assert (first["Answers"], first["Yes"], first["No"], first["Partly"]) == (4, 2, 1, 1)

    # A vote after the snapshot is in the next one, not in the file already taken.
    vote(engine, people[1], q2, "no")
    assert _summary(ws.results_frames(fac, CONTENT))["Answers given"] == 6
    assert _summary(frames)["Answers given"] == 5


def test_both_files_of_a_snapshot_hold_the_same_votes(engine):
    created = ws.create_workshop(engine, CONTENT, pilot_name="Claims triage", pacing="all")
    fac = ws.facilitator(engine, created.facilitator_token)
    qid = created.state.question_ids[0]
    people = [ws.join_workshop(engine, created.state.code, f"c{i}") for i in range(3)]
    for person, value in zip(people, ["yes", "no", "no"], strict=True):
        vote(engine, person, qid, value)
    stamp = changes.read_stamp(engine, fac.workshop_id)
    snapshot = ws.report_snapshot(fac, CONTENT)
    assert changes.read_stamp(engine, fac.workshop_id) == stamp
    assert (snapshot.ended, snapshot.participants, snapshot.answers) == (False, 3, 3)
    book = openpyxl.load_workbook(io.BytesIO(snapshot.xlsx))
    sheet = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert sheet["Snapshot"] in snapshot.html
    assert snapshot.taken_at.strftime("%Y-%m-%d %H:%M UTC") in sheet["Snapshot"]
    assert (sheet["Participants"], sheet["Answers given"]) == (3, 3)
    assert "3 participants · 3 answers" in snapshot.html
    ws.end_workshop(fac, CONTENT)
    assert ws.report_snapshot(fac, CONTENT).ended


def test_a_report_of_an_ended_workshop_is_not_called_a_snapshot(engine):
    created = ws.create_workshop(engine, CONTENT, pilot_name="Invoice matching", pacing="all")
    fac = ws.facilitator(engine, created.facilitator_token)
    ws.end_workshop(fac, CONTENT)
    summary = _summary(ws.results_frames(fac, CONTENT))
    assert "Snapshot" not in summary
    assert MINUTE.fullmatch(summary["Ended"])
    assert "id='snapshot'" not in ws.report_html(fac, CONTENT)


def test_the_workbook_counts_votes_the_way_the_database_does(engine):
    """Six people, three questions, votes spread unevenly: every count in the file is the
    count of rows in the database at the moment of the snapshot."""
    created = ws.create_workshop(engine, CONTENT, pilot_name="Fraud alerts", pacing="all")
    fac = ws.facilitator(engine, created.facilitator_token)
    ids = created.state.question_ids[:3]
    people = [ws.join_workshop(engine, created.state.code, f"p{i}") for i in range(6)]
    plan = {ids[0]: "yes no no yes partly dont_know", ids[1]: "no no no", ids[2]: "yes"}
    for qid, answers in plan.items():
        for person, value in zip(people, answers.split(), strict=False):
            vote(engine, person, qid, value)
    book = openpyxl.load_workbook(io.BytesIO(ws.export_xlsx(fac, CONTENT)))
    header = [c.value for c in book["Distribution"][1]]
    in_file = {
        row[0]: row[header.index("Answers")]
        for row in book["Distribution"].iter_rows(min_row=2, values_only=True)
    }
    with engine.connect() as connection:
        in_db = Counter(
            connection.scalars(
                select(WorkshopVote.question_id).where(WorkshopVote.workshop_id == fac.workshop_id)
            )
        )
    assert {CONTENT.questions_by_id[q].short_label: n for q, n in in_db.items()} == {
        label: n for label, n in in_file.items() if n
    }
    assert sorted(in_db.values()) == [1, 3, 6]
