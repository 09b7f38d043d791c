"""Votes: what a participant sees and answers, and the live counts the shared screen shows.

One vote per participant and question (the database's unique key); a participant changes
their answer by voting again. A vote is refused when it is not the participant's workshop,
the question is not open or is locked, or the workshop has ended.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from diagnostics.errors import AccessError, AnswerError
from diagnostics.framework.content import Content
from diagnostics.framework.scoring import normalise_answer
from diagnostics.storage import store
from diagnostics.storage.models import (
    Workshop,
    WorkshopParticipant,
    WorkshopQuestion,
    WorkshopRoundVote,
    WorkshopVote,
    utcnow,
)
from diagnostics.storage.rows import as_utc, record_from
from diagnostics.workshop import changes
from diagnostics.workshop.access import BAD_PARTICIPANT, Facilitator, participant_row
from diagnostics.workshop.clock import TIME_UP, TimeUpError
from diagnostics.workshop.records import (
    ANSWER_ORDER,
    OBSERVER,
    LiveStatus,
    ParticipantView,
    WorkshopState,
    hash_secret,
    in_focus,
    load_state,
)


def participant_view(
    engine: Engine, participant_token: str, content: Content, now: datetime | None = None
) -> ParticipantView:
    """What one participant sees: their workshop's open questions and their own votes."""
    with store.session_scope(engine) as session:
        person = participant_row(session, participant_token)
        row = session.get(Workshop, person.workshop_id)
        state = load_state(session, row, content, now)
        mine, earlier = own_votes(session, person.id, state)
        return view_of(person.id, person.display_name, person.role, state, mine, earlier)


def own_votes(
    session: Session, participant_id: int, state: WorkshopState
) -> tuple[dict[str, str], dict[str, str]]:
    """One participant's live votes, and their votes of the round before per question voted
    again."""
    votes = session.execute(
        select(WorkshopVote.question_id, WorkshopVote.value).where(
            WorkshopVote.participant_id == participant_id
        )
    ).all()
    earlier = {}
    if state.rounds:
        for vote in session.execute(
            select(
                WorkshopRoundVote.question_id, WorkshopRoundVote.round, WorkshopRoundVote.value
            ).where(WorkshopRoundVote.participant_id == participant_id)
        ):
            if vote.round == state.round_of(vote.question_id) - 1:
                earlier[vote.question_id] = vote.value
    return {v.question_id: v.value for v in votes}, earlier


def view_of(
    participant_id: int,
    display_name: str | None,
    role: str | None,
    state: WorkshopState,
    my_votes: dict[str, str],
    earlier: dict[str, str],
) -> ParticipantView:
    """A participant's view: who they are, the workshop's state as everyone sees it, and
    their own votes."""
    return record_from(
        ParticipantView,
        state,
        participant_id=participant_id,
        workshop_id=state.id,
        display_name=display_name,
        role=role,
        my_votes=my_votes,
        revealed=tuple(q for q in state.question_ids if q in state.revealed),
        my_earlier_votes=earlier,
    )


def cast_vote(
    engine: Engine,
    content: Content,
    *,
    workshop_id: int,
    participant_token: str,
    question_id: str,
    value: str,
    now: datetime | None = None,
) -> None:
    """Record (or change) one participant's answer to one question.

    The vote is written first and the state checked after, inside the same transaction and
    under a shared lock on the workshop and question rows, so a vote racing a lock either
    lands before the lock or is refused, never after it. A vote once the countdown reached
    zero raises TimeUpError (an AccessError with a friendly message).
    """
    answer = normalise_answer(value)
    question = content.questions_by_id.get(question_id)
    if question is None:
        raise AnswerError(f"Unknown question {question_id!r}.")
    if answer is None:
        raise AnswerError(f"{value!r} is not an answer; use one of {', '.join(ANSWER_ORDER)}.")
    if answer == "na" and not question.allow_na:
        raise AnswerError("N/A is not offered for this question.")
    token_hash = hash_secret(str(participant_token or "").strip())
    moment = now or utcnow()
    with store.session_scope(engine, write=True) as session:
        person = session.execute(
            select(
                WorkshopParticipant.id, WorkshopParticipant.workshop_id, WorkshopParticipant.role
            ).where(WorkshopParticipant.token_hash == token_hash)
        ).first()
        if person is None:
            raise AccessError(BAD_PARTICIPANT)
        if person.role == OBSERVER:
            raise AccessError("You joined as an observer: observers follow along but do not vote.")
        if person.workshop_id != workshop_id:
            raise AccessError("You can only answer in the workshop you joined with its code.")
        try:
            store.upsert(
                session,
                WorkshopVote,
                {
                    "workshop_id": workshop_id,
                    "participant_id": person.id,
                    "question_id": question_id,
                    "value": answer,
                    "updated_at": moment,
                },
                keys=("participant_id", "question_id"),
                update=("value", "updated_at"),
            )
        except IntegrityError:  # the composite foreign key: not a question of this workshop
            raise AccessError("This question is not part of your workshop.") from None
        current = session.execute(
            select(
                Workshop.ended_at,
                Workshop.pacing,
                Workshop.current_question,
                Workshop.current_reason,
                Workshop.deadline_at,
                WorkshopQuestion.locked,
            )
            .join(WorkshopQuestion, WorkshopQuestion.workshop_id == Workshop.id)
            .where(Workshop.id == workshop_id, WorkshopQuestion.question_id == question_id)
            .with_for_update(read=True)
        ).one()
        if current.ended_at is not None:
            raise AccessError("This workshop has ended; answers can no longer change.")
        if current.locked:
            raise AccessError("This question is locked: the group is discussing it now.")
        if question_id not in in_focus(current, [question_id], content):
            raise AccessError("This question is not open right now; answer the one on screen.")
        if _past(current.deadline_at, moment):
            raise TimeUpError(TIME_UP)
    changes.forget(engine, workshop_id)


def _past(deadline: datetime | None, moment: datetime) -> bool:
    return deadline is not None and moment >= as_utc(deadline)


def counted():
    """The participants who count: everyone but observers."""
    return or_(WorkshopParticipant.role.is_(None), WorkshopParticipant.role != OBSERVER)


def live_status(fac: Facilitator, content: Content, now: datetime | None = None) -> LiveStatus:
    """People joined and answers per question: three small queries, run every second or two."""
    with store.session_scope(fac.engine) as session:
        return live_counts(session, fac.workshop(session), content, now)


def live_counts(
    session: Session, row: Workshop, content: Content, now: datetime | None = None
) -> LiveStatus:
    state = load_state(session, row, content, now)
    participants = session.scalar(
        select(func.count())
        .select_from(WorkshopParticipant)
        .where(WorkshopParticipant.workshop_id == row.id, counted())
    )
    counts = dict(
        session.execute(
            select(WorkshopVote.question_id, func.count())
            .where(WorkshopVote.workshop_id == row.id)
            .group_by(WorkshopVote.question_id)
        ).all()
    )
    per_question = {q: int(counts.get(q, 0)) for q in state.question_ids}
    earlier = 0
    if state.rounds:
        earlier = session.scalar(
            select(func.count())
            .select_from(WorkshopRoundVote)
            .where(WorkshopRoundVote.workshop_id == row.id)
        )
    total = sum(per_question.values())
    return LiveStatus(state, int(participants or 0), per_question, total, int(earlier or 0))
