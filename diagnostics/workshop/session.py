"""Workshops: a group assesses one pilot together, from their own phones, on a shared screen.

Everything a workshop needs lives in the database (several app processes may serve the same
workshop), never in one process's memory: the pacing, the locks and reveals, the participants,
their votes, and the log of join attempts that slows down code guessing.

Who may do what is decided by what the caller holds:
- the **facilitator token** (192 random bits, only its SHA-256 is stored) alone grants control:
  pacing, locks, reveals, results, consensus and exports;
- the **join code** (6 characters from 31 with no look-alikes: 31**6 ≈ 8.9 × 10**8 codes,
  about 29.7 bits) lets anyone join as a participant while joining is open; wrong codes are
  counted per client in the database and, after a few, each further try must wait longer;
- the **participant token** (192 bits, hashed) identifies one participant, who may vote only
  in their own workshop, on the questions open now, until a question is locked.

The **disagreement index** of a question is the spread of the group's answer scores (Yes 1,
Partly 0.5, No and Don't know 0, as in the scoring; N/A left out): the population standard
deviation divided by 0.5, its largest possible value, as a percentage. 0 means everyone gave
the same answer; 100 means the group split evenly between Yes and No. Questions are ranked by
it: the top of the list is where the discussion is worth having.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from diagnostics.errors import AccessError, AnswerError, NotFoundError
from diagnostics.framework.content import Content
from diagnostics.framework.scoring import (
    DEFAULT_POSITION,
    AssessmentResult,
    normalise_answer,
    score,
    validate_answers,
)
from diagnostics.logging_setup import log_event
from diagnostics.sheets import safe_export
from diagnostics.storage import store
from diagnostics.storage.models import (
    ActionItem,
    Answer,
    Assessment,
    JoinAttempt,
    Pilot,
    Workshop,
    WorkshopParticipant,
    WorkshopQuestion,
    WorkshopVote,
    utcnow,
)

# Codes: no 0/O, 1/I/L look-alikes, so a code read off a projector is typed right first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_SPACE = len(CODE_ALPHABET) ** CODE_LENGTH
CODE_ENTROPY_BITS = CODE_LENGTH * math.log2(len(CODE_ALPHABET))  # about 29.7
TOKEN_BYTES = 24
TOKEN_ENTROPY_BITS = TOKEN_BYTES * 8  # 192

# Wrong codes: a few are free (typos happen), then each further try waits twice as long.
FREE_FAILED_ATTEMPTS = 5
ATTEMPT_WINDOW = timedelta(minutes=15)
FIRST_WAIT_SECONDS = 2.0
MAX_WAIT_SECONDS = 15 * 60.0
ATTEMPT_LOG_KEEP = timedelta(days=1)

# Below this many answers a distribution could expose how a named person voted.
MIN_ANSWERS_SHOWN = 3

PACINGS: dict[str, str] = {
    "all": "Whole questionnaire",
    "reason": "One reason at a time",
    "question": "One question at a time",
}
ROLES: dict[str, str] = {
    "sponsor": "Sponsor",
    "it": "IT",
    "data": "Data / data science",
    "business": "Business",
    "other": "Other",
}
ANSWER_ORDER = ("yes", "partly", "no", "dont_know", "na")
# On a tie the weaker answer wins: a pilot fails on its weakest link.
_TIE_ORDER = ("no", "dont_know", "partly", "yes", "na")
_SCORES = {"yes": 1.0, "partly": 0.5, "no": 0.0, "dont_know": 0.0}
WEAK_ANSWERS = ("no", "dont_know", "partly")


class TooManyAttemptsError(AccessError):
    """Too many wrong join codes from one client in a short time."""

    def __init__(self, message: str, wait_seconds: float):
        super().__init__(message)
        self.wait_seconds = wait_seconds


_BAD_FACILITATOR = (
    "This facilitator link is not valid. Open the private link you were given when the "
    "workshop was created, or create a new workshop."
)
_BAD_PARTICIPANT = (
    "Your place in this workshop was not found. Join again with the code on the shared screen."
)


# Records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkshopState:
    """What the facilitator console and the presenter screen need to know about a workshop."""

    id: int
    title: str
    pilot_id: int
    pilot_name: str
    code: str
    position: str
    pacing: str
    current_reason: str | None
    current_question: str | None
    ask_names: bool
    join_open: bool
    ended: bool
    assessment_id: int | None
    question_ids: tuple[str, ...]
    locked: frozenset[str]
    revealed: frozenset[str]
    in_focus: tuple[str, ...]
    created_at: datetime

    @property
    def votable(self) -> tuple[str, ...]:
        """Questions a participant may answer right now."""
        if self.ended:
            return ()
        return tuple(q for q in self.in_focus if q not in self.locked)


@dataclass(frozen=True)
class NewWorkshop:
    state: WorkshopState
    facilitator_token: str


@dataclass(frozen=True)
class JoinInfo:
    """What a would-be participant learns from a valid code: enough to join, nothing more."""

    workshop_id: int
    title: str
    pilot_name: str
    ask_names: bool


@dataclass(frozen=True)
class ParticipantSession:
    participant_id: int
    workshop_id: int
    token: str


@dataclass(frozen=True)
class ParticipantView:
    participant_id: int
    workshop_id: int
    title: str
    pilot_name: str
    display_name: str | None
    role: str | None
    ended: bool
    in_focus: tuple[str, ...]
    votable: tuple[str, ...]
    my_votes: dict[str, str]


@dataclass(frozen=True)
class LiveStatus:
    """The presenter's live numbers, straight from the database."""

    state: WorkshopState
    participants: int
    votes_per_question: dict[str, int]
    total_votes: int


@dataclass(frozen=True)
class QuestionResult:
    question_id: str
    label: str
    reason: str
    answers: int
    counts: dict[str, int]
    shown: bool
    disagreement: float | None
    majority: str | None
    by_role: dict[str, dict[str, int]]
    revealed: bool


@dataclass(frozen=True)
class WorkshopResults:
    participants: int
    participants_by_role: dict[str, int]
    questions: list[QuestionResult]

    @property
    def ranking(self) -> list[QuestionResult]:
        """Questions with a disagreement index, most disputed first."""
        rated = [q for q in self.questions if q.disagreement is not None]
        return sorted(rated, key=lambda q: -q.disagreement)

    def by_id(self, question_id: str) -> QuestionResult:
        return next(q for q in self.questions if q.question_id == question_id)


@dataclass(frozen=True)
class AgreedAction:
    question_id: str | None
    text: str
    owner: str | None = None
    due_date: date | None = None


@dataclass(frozen=True)
class Consensus:
    assessment_id: int | None
    answers: dict[str, str]
    actions: list[AgreedAction] = field(default_factory=list)


# Helpers ------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: object) -> str:
    """Upper case, spaces and dashes removed: `abc-23d` and `ABC 23D` are the same code."""
    return "".join(ch for ch in str(code or "").upper() if ch not in " -\t\n")


def _clean_text(value: object, limit: int) -> str | None:
    text = " ".join(str(value or "").split())
    return text[:limit] or None


def _questions_in_scope(content: Content, position: str) -> list[str]:
    if position not in content.positions_by_key:
        known = ", ".join(content.positions_by_key)
        raise AnswerError(f"Unknown position {position!r}; use one of {known}.")
    phases = content.positions_by_key[position].scored_phases
    return [q.id for q in content.questions if q.phase in phases]


def _in_focus(row: Workshop, question_ids: Sequence[str], content: Content | None) -> tuple:
    if row.pacing == "question":
        return tuple(q for q in question_ids if q == row.current_question)
    if row.pacing == "reason" and content is not None:
        by_id = content.questions_by_id
        return tuple(
            q for q in question_ids if q in by_id and by_id[q].reason == row.current_reason
        )
    return tuple(question_ids)


def _state(session: Session, row: Workshop, content: Content | None = None) -> WorkshopState:
    questions = session.scalars(
        select(WorkshopQuestion)
        .where(WorkshopQuestion.workshop_id == row.id)
        .order_by(WorkshopQuestion.position)
    ).all()
    ids = tuple(q.question_id for q in questions)
    pilot_name = session.scalar(select(Pilot.name).where(Pilot.id == row.pilot_id)) or ""
    return WorkshopState(
        id=row.id,
        title=row.title,
        pilot_id=row.pilot_id,
        pilot_name=pilot_name,
        code=row.join_code,
        position=row.position,
        pacing=row.pacing,
        current_reason=row.current_reason,
        current_question=row.current_question,
        ask_names=row.ask_names,
        join_open=row.join_open and row.ended_at is None,
        ended=row.ended_at is not None,
        assessment_id=row.assessment_id,
        question_ids=ids,
        locked=frozenset(q.question_id for q in questions if q.locked),
        revealed=frozenset(q.question_id for q in questions if q.revealed),
        in_focus=_in_focus(row, ids, content),
        created_at=_aware(row.created_at),
    )


def _facilitated(session: Session, token: str, *, for_update: bool = False) -> Workshop:
    """The workshop this facilitator token controls, or AccessError."""
    cleaned = str(token or "").strip()
    if not 16 <= len(cleaned) <= 100:
        raise AccessError(_BAD_FACILITATOR)
    stmt = select(Workshop).where(Workshop.facilitator_hash == _hash(cleaned))
    if for_update:
        # Every facilitator change takes the workshop row first, then question rows: one
        # order everywhere, so concurrent votes and changes cannot deadlock.
        stmt = stmt.with_for_update(key_share=True)
    row = session.scalar(stmt)
    if row is None:
        raise AccessError(_BAD_FACILITATOR)
    return row


def _participant(session: Session, token: str) -> WorkshopParticipant:
    cleaned = str(token or "").strip()
    row = None
    if 16 <= len(cleaned) <= 100:
        row = session.scalar(
            select(WorkshopParticipant).where(WorkshopParticipant.token_hash == _hash(cleaned))
        )
    if row is None:
        raise AccessError(_BAD_PARTICIPANT)
    return row


# Facilitator: create and run ----------------------------------------------------------


def create_workshop(
    engine: Engine,
    content: Content,
    *,
    pilot_id: int | None = None,
    pilot_name: str | None = None,
    position: str = DEFAULT_POSITION,
    pacing: str = "question",
    ask_names: bool = False,
    title: str | None = None,
) -> NewWorkshop:
    """Open a workshop on an existing pilot (`pilot_id`) or a new one (`pilot_name`).

    Returns the state and the facilitator token; the token is shown once and only its hash
    is kept, so whoever holds it controls the workshop.
    """
    if pacing not in PACINGS:
        raise AnswerError(f"Unknown pacing {pacing!r}; use one of {', '.join(PACINGS)}.")
    question_ids = _questions_in_scope(content, position)
    new_name = _clean_text(pilot_name, 300)
    if pilot_id is None and not new_name:
        raise AnswerError("Name the pilot the workshop assesses, or choose an existing one.")
    for _attempt in range(5):  # a fresh code collides with a live one about once in 10**7
        token = secrets.token_urlsafe(TOKEN_BYTES)
        try:
            with store.session_scope(engine) as session:
                if pilot_id is not None:
                    pilot = session.get(Pilot, pilot_id)
                    if pilot is None:
                        raise NotFoundError(f"No pilot with id {pilot_id}.")
                else:
                    pilot = Pilot(name=new_name)
                    session.add(pilot)
                    session.flush()
                now = utcnow()
                first = content.questions_by_id[question_ids[0]]
                row = Workshop(
                    pilot_id=pilot.id,
                    title=_clean_text(title, 300) or f"Workshop: {pilot.name}"[:300],
                    join_code=new_join_code(),
                    facilitator_hash=_hash(token),
                    position=position,
                    content_version=content.version,
                    pacing=pacing,
                    current_reason=first.reason,
                    current_question=first.id,
                    ask_names=bool(ask_names),
                    join_open=True,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
                session.add_all(
                    WorkshopQuestion(
                        workshop_id=row.id, question_id=q, position=i, locked=False, revealed=False
                    )
                    for i, q in enumerate(question_ids)
                )
                session.flush()
                created = NewWorkshop(_state(session, row, content), facilitator_token=token)
            log_event(
                "workshop_created",
                workshop_id=created.state.id,
                pilot_id=created.state.pilot_id,
                questions=len(question_ids),
                pacing=pacing,
            )
            return created
        except IntegrityError:
            continue
    raise AccessError("No free join code was found; try again in a moment.")


def workshop_state(engine: Engine, facilitator_token: str, content: Content) -> WorkshopState:
    with store.session_scope(engine) as session:
        return _state(session, _facilitated(session, facilitator_token), content)


def list_pilot_workshops(engine: Engine, pilot_id: int) -> list[tuple[int, str, datetime]]:
    """(id, title, created) of a pilot's workshops; no codes or tokens."""
    with store.session_scope(engine) as session:
        rows = session.execute(
            select(Workshop.id, Workshop.title, Workshop.created_at)
            .where(Workshop.pilot_id == pilot_id)
            .order_by(Workshop.created_at)
        ).all()
        return [(r.id, r.title, _aware(r.created_at)) for r in rows]


def _change(
    engine: Engine, facilitator_token: str, content: Content, apply, event: str, **fields
) -> WorkshopState:
    with store.session_scope(engine) as session:
        row = _facilitated(session, facilitator_token, for_update=True)
        apply(session, row)
        row.updated_at = utcnow()
        session.flush()
        state = _state(session, row, content)
    log_event(event, workshop_id=state.id, **fields)
    return state


def set_pacing(
    engine: Engine,
    facilitator_token: str,
    content: Content,
    pacing: str,
    *,
    reason: str | None = None,
    question: str | None = None,
) -> WorkshopState:
    """Open the whole questionnaire, one reason (`reason`) or one question (`question`)."""
    if pacing not in PACINGS:
        raise AnswerError(f"Unknown pacing {pacing!r}; use one of {', '.join(PACINGS)}.")

    def apply(session: Session, row: Workshop) -> None:
        ids = session.scalars(
            select(WorkshopQuestion.question_id).where(WorkshopQuestion.workshop_id == row.id)
        ).all()
        if question is not None:
            if question not in ids:
                raise AnswerError(f"Question {question!r} is not part of this workshop.")
            row.current_question = question
            row.current_reason = content.questions_by_id[question].reason
        if reason is not None:
            if not any(content.questions_by_id[q].reason == reason for q in ids):
                raise AnswerError(f"Reason {reason!r} has no question in this workshop.")
            row.current_reason = reason
            if content.questions_by_id[row.current_question].reason != reason:
                row.current_question = next(
                    q for q in ids if content.questions_by_id[q].reason == reason
                )
        row.pacing = pacing

    return _change(engine, facilitator_token, content, apply, "workshop_paced", pacing=pacing)


def step(engine: Engine, facilitator_token: str, content: Content, delta: int) -> WorkshopState:
    """Move to the next (+1) or previous (-1) question or reason, as the pacing goes."""
    state = workshop_state(engine, facilitator_token, content)
    ids = list(state.question_ids)
    if state.pacing == "reason":
        reasons = list(dict.fromkeys(content.questions_by_id[q].reason for q in ids))
        i = reasons.index(state.current_reason) if state.current_reason in reasons else 0
        target = reasons[max(0, min(len(reasons) - 1, i + delta))]
        return set_pacing(engine, facilitator_token, content, "reason", reason=target)
    i = ids.index(state.current_question) if state.current_question in ids else 0
    target = ids[max(0, min(len(ids) - 1, i + delta))]
    return set_pacing(engine, facilitator_token, content, state.pacing, question=target)


def _set_flag(
    engine: Engine,
    facilitator_token: str,
    content: Content,
    question_ids: Iterable[str],
    flag: str,
    value: bool,
) -> WorkshopState:
    wanted = set(question_ids)

    def apply(session: Session, row: Workshop) -> None:
        rows = session.scalars(
            select(WorkshopQuestion)
            .where(WorkshopQuestion.workshop_id == row.id)
            .order_by(WorkshopQuestion.position)
        ).all()
        unknown = wanted - {q.question_id for q in rows}
        if unknown:
            raise AnswerError(f"Not part of this workshop: {', '.join(sorted(unknown))}.")
        for q in rows:
            if q.question_id in wanted:
                setattr(q, flag, value)

    return _change(
        engine,
        facilitator_token,
        content,
        apply,
        f"workshop_{flag}",
        value=value,
        questions=len(wanted),
    )


def set_locked(
    engine: Engine,
    facilitator_token: str,
    content: Content,
    question_ids: Iterable[str],
    locked: bool = True,
) -> WorkshopState:
    """Lock questions (a question, or a whole section) so that votes stop changing."""
    return _set_flag(engine, facilitator_token, content, question_ids, "locked", locked)


def set_revealed(
    engine: Engine,
    facilitator_token: str,
    content: Content,
    question_ids: Iterable[str],
    revealed: bool = True,
) -> WorkshopState:
    """Show (or hide again) the results of questions on the presenter screen."""
    return _set_flag(engine, facilitator_token, content, question_ids, "revealed", revealed)


def set_join_open(
    engine: Engine, facilitator_token: str, content: Content, join_open: bool
) -> WorkshopState:
    """Close the code (nobody new can join; those in can keep voting) or open it again."""

    def apply(_session: Session, row: Workshop) -> None:
        row.join_open = bool(join_open)

    return _change(
        engine, facilitator_token, content, apply, "workshop_code", join_open=bool(join_open)
    )


def end_workshop(engine: Engine, facilitator_token: str, content: Content) -> WorkshopState:
    """Finish: the code closes and no vote is accepted any more."""

    def apply(_session: Session, row: Workshop) -> None:
        row.join_open = False
        row.ended_at = row.ended_at or utcnow()

    return _change(engine, facilitator_token, content, apply, "workshop_ended")


# Participants: join and vote ----------------------------------------------------------


def client_key(raw: object) -> str:
    """A fixed-length key for a client (an IP address, a session id): stored, never the raw."""
    return _hash(f"client:{raw}")


def _throttle(session: Session, key: str, now: datetime) -> None:
    failures = session.scalars(
        select(JoinAttempt.attempted_at)
        .where(
            JoinAttempt.client_key == key,
            JoinAttempt.succeeded.is_(False),
            JoinAttempt.attempted_at >= now - ATTEMPT_WINDOW,
        )
        .order_by(JoinAttempt.attempted_at.desc())
    ).all()
    wait = wait_after_failures(len(failures))
    if wait <= 0:
        return
    remaining = (_aware(failures[0]) + timedelta(seconds=wait) - now).total_seconds()
    if remaining > 0:
        seconds = math.ceil(remaining)
        log_event(
            "workshop_join_throttled", level=logging.WARNING, failures=len(failures), wait=seconds
        )
        raise TooManyAttemptsError(
            f"Too many wrong codes from this device. Wait {seconds} seconds, then type the "
            "code exactly as the shared screen shows it (or scan the QR code).",
            wait_seconds=remaining,
        )


def wait_after_failures(failures: int) -> float:
    """Seconds a client must wait after `failures` wrong codes in the window."""
    if failures < FREE_FAILED_ATTEMPTS:
        return 0.0
    return min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** (failures - FREE_FAILED_ATTEMPTS))


def _lookup_code(session: Session, code: object, key: str) -> Workshop:
    """The open workshop behind `code`, counting wrong tries against the client `key`."""
    now = utcnow()
    _throttle(session, key, now)
    cleaned = normalise_code(code)
    row = None
    if len(cleaned) == CODE_LENGTH and set(cleaned) <= set(CODE_ALPHABET):
        row = session.scalar(select(Workshop).where(Workshop.join_code == cleaned))
    usable = row is not None and row.join_open and row.ended_at is None
    session.add(JoinAttempt(client_key=key, attempted_at=now, succeeded=usable))
    if not usable:
        session.execute(
            delete(JoinAttempt).where(JoinAttempt.attempted_at < now - ATTEMPT_LOG_KEEP)
        )
    return row if usable else None


def _refuse_code(code: object) -> NotFoundError:
    cleaned = normalise_code(code)
    shape = f"A code has {CODE_LENGTH} letters and digits. " if len(cleaned) != CODE_LENGTH else ""
    return NotFoundError(
        f"No open workshop has the code {cleaned[:12] or '(empty)'}. {shape}Check the code on "
        "the shared screen; if it is right, ask the facilitator whether joining is still open."
    )


def find_workshop(engine: Engine, code: object, client: str) -> JoinInfo:
    """Check a join code (slowed down after repeated wrong tries from the same client)."""
    error: Exception | None = None
    with store.session_scope(engine, write=True) as session:
        row = _lookup_code(session, code, client)
        if row is None:
            error = _refuse_code(code)  # raised after the commit, so the try is counted
        else:
            pilot_name = session.scalar(select(Pilot.name).where(Pilot.id == row.pilot_id))
            info = JoinInfo(row.id, row.title, pilot_name or "", row.ask_names)
    if error is not None:
        log_event("workshop_join_refused", level=logging.WARNING)
        raise error
    return info


def join_workshop(
    engine: Engine,
    code: object,
    client: str,
    *,
    display_name: str | None = None,
    role: str | None = None,
) -> ParticipantSession:
    """Join with the code; returns the participant's own token (keep it to come back)."""
    if role is not None and role not in ROLES:
        raise AnswerError(f"Unknown role {role!r}; use one of {', '.join(ROLES)}.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    error: Exception | None = None
    with store.session_scope(engine, write=True) as session:
        row = _lookup_code(session, code, client)
        if row is None:
            error = _refuse_code(code)
        else:
            name = _clean_text(display_name, 80) if row.ask_names else None
            participant = WorkshopParticipant(
                workshop_id=row.id,
                token_hash=_hash(token),
                display_name=name,
                role=role,
                joined_at=utcnow(),
            )
            session.add(participant)
            session.flush()
            joined = ParticipantSession(participant.id, row.id, token)
    if error is not None:
        log_event("workshop_join_refused", level=logging.WARNING)
        raise error
    log_event("workshop_joined", workshop_id=joined.workshop_id, role=role or "unstated")
    return joined


def participant_view(engine: Engine, participant_token: str, content: Content) -> ParticipantView:
    """What one participant sees: their workshop's open questions and their own votes."""
    with store.session_scope(engine) as session:
        person = _participant(session, participant_token)
        row = session.get(Workshop, person.workshop_id)
        state = _state(session, row, content)
        votes = session.execute(
            select(WorkshopVote.question_id, WorkshopVote.value).where(
                WorkshopVote.participant_id == person.id
            )
        ).all()
        return ParticipantView(
            participant_id=person.id,
            workshop_id=row.id,
            title=row.title,
            pilot_name=state.pilot_name,
            display_name=person.display_name,
            role=person.role,
            ended=state.ended,
            in_focus=state.in_focus,
            votable=state.votable,
            my_votes={v.question_id: v.value for v in votes},
        )


def cast_vote(
    engine: Engine,
    content: Content,
    *,
    workshop_id: int,
    participant_token: str,
    question_id: str,
    value: str,
) -> None:
    """Record (or change) one participant's answer to one question.

    Refused when the participant belongs to another workshop, the question is not open or is
    locked, or the workshop has ended. The vote is written first and the state checked after,
    inside the same transaction and under a shared lock on the workshop and question rows,
    so a vote racing a lock either lands before the lock or is refused, never after it.
    """
    answer = normalise_answer(value)
    question = content.questions_by_id.get(question_id)
    if question is None:
        raise AnswerError(f"Unknown question {question_id!r}.")
    if answer is None:
        raise AnswerError(f"{value!r} is not an answer; use one of {', '.join(ANSWER_ORDER)}.")
    if answer == "na" and not question.allow_na:
        raise AnswerError("N/A is not offered for this question.")
    token_hash = _hash(str(participant_token or "").strip())
    with store.session_scope(engine, write=True) as session:
        person = session.execute(
            select(WorkshopParticipant.id, WorkshopParticipant.workshop_id).where(
                WorkshopParticipant.token_hash == token_hash
            )
        ).first()
        if person is None:
            raise AccessError(_BAD_PARTICIPANT)
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
                    "updated_at": utcnow(),
                },
                keys=("participant_id", "question_id"),
                update=("value", "updated_at"),
            )
        except IntegrityError:  # the composite foreign key: not a question of this workshop
            raise AccessError("This question is not part of your workshop.") from None
        now = session.execute(
            select(
                Workshop.ended_at,
                Workshop.pacing,
                Workshop.current_question,
                Workshop.current_reason,
                WorkshopQuestion.locked,
            )
            .join(WorkshopQuestion, WorkshopQuestion.workshop_id == Workshop.id)
            .where(Workshop.id == workshop_id, WorkshopQuestion.question_id == question_id)
            .with_for_update(read=True)
        ).one()
        if now.ended_at is not None:
            raise AccessError("This workshop has ended; answers can no longer change.")
        if now.locked:
            raise AccessError("This question is locked: the group is discussing it now.")
        if question_id not in _in_focus(now, [question_id], content):
            raise AccessError("This question is not open right now; answer the one on screen.")


# Live numbers and results -------------------------------------------------------------


def live_status(engine: Engine, facilitator_token: str, content: Content) -> LiveStatus:
    """People joined and answers per question: three small queries, run every second or two."""
    with store.session_scope(engine) as session:
        row = _facilitated(session, facilitator_token)
        return _live(session, row, content)


def _live(session: Session, row: Workshop, content: Content) -> LiveStatus:
    state = _state(session, row, content)
    participants = session.scalar(
        select(func.count())
        .select_from(WorkshopParticipant)
        .where(WorkshopParticipant.workshop_id == row.id)
    )
    counts = dict(
        session.execute(
            select(WorkshopVote.question_id, func.count())
            .where(WorkshopVote.workshop_id == row.id)
            .group_by(WorkshopVote.question_id)
        ).all()
    )
    per_question = {q: int(counts.get(q, 0)) for q in state.question_ids}
    return LiveStatus(state, int(participants or 0), per_question, sum(per_question.values()))


def disagreement_index(answers: Iterable[str]) -> float | None:
    """Normalised spread of the answer scores, 0-100; None below MIN_ANSWERS_SHOWN answers.

    Population standard deviation of the scores (Yes 1, Partly 0.5, No and Don't know 0;
    N/A left out) divided by 0.5, the largest standard deviation values in [0, 1] can have.
    """
    scores = [_SCORES[a] for a in answers if a in _SCORES]
    if len(scores) < MIN_ANSWERS_SHOWN:
        return None
    return 100.0 * statistics.pstdev(scores) / 0.5


def majority_answer(counts: Mapping[str, int]) -> str | None:
    """The most frequent answer; a tie goes to the weaker answer (No before Partly...)."""
    given = {k: v for k, v in counts.items() if v > 0}
    if not given:
        return None
    top = max(given.values())
    return next(a for a in _TIE_ORDER if given.get(a) == top)


def _counts(values: Iterable[str]) -> dict[str, int]:
    tally = Counter(values)
    return {a: tally.get(a, 0) for a in ANSWER_ORDER}


def _results(session: Session, row: Workshop, content: Content, only_revealed: bool):
    state = _state(session, row, content)
    votes = session.execute(
        select(WorkshopVote.question_id, WorkshopVote.value, WorkshopParticipant.role)
        .join(WorkshopParticipant, WorkshopParticipant.id == WorkshopVote.participant_id)
        .where(WorkshopVote.workshop_id == row.id)
    ).all()
    roles = session.execute(
        select(WorkshopParticipant.role, func.count())
        .where(WorkshopParticipant.workshop_id == row.id)
        .group_by(WorkshopParticipant.role)
    ).all()
    by_question: dict[str, list[tuple[str, str | None]]] = {q: [] for q in state.question_ids}
    for v in votes:
        by_question.setdefault(v.question_id, []).append((v.value, v.role))
    out = []
    for qid in state.question_ids:
        question = content.questions_by_id.get(qid)
        if question is None:
            continue
        given = by_question.get(qid, [])
        values = [value for value, _role in given]
        enough = len(values) >= MIN_ANSWERS_SHOWN
        revealed = qid in state.revealed
        shown = enough and (revealed or not only_revealed)
        by_role: dict[str, dict[str, int]] = {}
        if shown:
            for role in ROLES:
                role_values = [value for value, r in given if r == role]
                if len(role_values) >= MIN_ANSWERS_SHOWN:  # a smaller group is not anonymous
                    by_role[role] = _counts(role_values)
        counts = _counts(values)
        out.append(
            QuestionResult(
                question_id=qid,
                label=question.short_label,
                reason=question.reason,
                answers=len(values),
                counts=counts if shown else {},
                shown=shown,
                disagreement=disagreement_index(values) if shown else None,
                majority=majority_answer(counts) if shown or not only_revealed else None,
                by_role=by_role,
                revealed=revealed,
            )
        )
    participants = sum(n for _r, n in roles)
    by_role_count = {(r or "unstated"): int(n) for r, n in roles}
    return WorkshopResults(int(participants), by_role_count, out)


def workshop_results(
    engine: Engine, facilitator_token: str, content: Content, *, only_revealed: bool = False
) -> WorkshopResults:
    """Distributions, split by role and disagreement per question (facilitator only).

    `only_revealed` is what the shared screen shows: nothing of a question until revealed.
    Fewer than MIN_ANSWERS_SHOWN answers never show a distribution, in any view.
    """
    with store.session_scope(engine) as session:
        row = _facilitated(session, facilitator_token)
        return _results(session, row, content, only_revealed)


def participants_frame(engine: Engine, facilitator_token: str) -> pd.DataFrame:
    """Who joined: display name (or "Anonymous n"), role, when."""
    with store.session_scope(engine) as session:
        row = _facilitated(session, facilitator_token)
        people = session.scalars(
            select(WorkshopParticipant)
            .where(WorkshopParticipant.workshop_id == row.id)
            .order_by(WorkshopParticipant.joined_at, WorkshopParticipant.id)
        ).all()
        records = []
        for n, p in enumerate(people, 1):
            records.append(
                {
                    "participant": p.display_name or f"Anonymous {n}",
                    "role": ROLES.get(p.role or "", "Not stated"),
                    "joined_at": _aware(p.joined_at).replace(tzinfo=None),
                }
            )
        return pd.DataFrame(records, columns=["participant", "role", "joined_at"])


# Consensus ----------------------------------------------------------------------------


def consensus_defaults(results: WorkshopResults) -> dict[str, str]:
    """The group's majority answer per question, to pre-fill the agreed answers."""
    return {q.question_id: q.majority for q in results.questions if q.majority is not None}


def save_consensus(
    engine: Engine,
    facilitator_token: str,
    content: Content,
    answers: Mapping[str, str],
    actions: Sequence[AgreedAction] | None = None,
) -> int:
    """Record agreed answers (and, when given, replace the agreed actions); one transaction.

    The agreed answers are an assessment of the pilot like any other (source "workshop"),
    so it gets the same scoring, results and reports. Returns the assessment id.
    """
    clean = validate_answers(dict(answers), content)
    with store.session_scope(engine) as session:
        row = _facilitated(session, facilitator_token, for_update=True)
        in_workshop = set(
            session.scalars(
                select(WorkshopQuestion.question_id).where(WorkshopQuestion.workshop_id == row.id)
            )
        )
        outside = sorted(set(clean) - in_workshop)
        if outside:
            raise AnswerError(f"Not part of this workshop: {', '.join(outside)}.")
        now = utcnow()
        if row.assessment_id is None:
            assessment = Assessment(
                pilot_id=row.pilot_id,
                token=store.new_token(),
                position=row.position,
                source="workshop",
                content_version=row.content_version,
                current_step=0,
                created_at=now,
                updated_at=now,
            )
            session.add(assessment)
            session.flush()
            row.assessment_id = assessment.id
        if clean:
            store.upsert(
                session,
                Answer,
                [
                    {
                        "assessment_id": row.assessment_id,
                        "question_id": qid,
                        "value": value,
                        "comment": None,
                        "updated_at": now,
                    }
                    for qid, value in clean.items()
                ],
                keys=("assessment_id", "question_id"),
                update=("value", "updated_at"),
            )
        if actions is not None:
            session.execute(delete(ActionItem).where(ActionItem.assessment_id == row.assessment_id))
            for action in actions:
                text = _clean_text(action.text, 4000)
                if not text:
                    continue
                session.add(
                    ActionItem(
                        assessment_id=row.assessment_id,
                        question_id=action.question_id,
                        text=text,
                        owner=_clean_text(action.owner, 300),
                        due_date=action.due_date,
                        created_at=now,
                    )
                )
        assessment = session.get(Assessment, row.assessment_id)
        assessment.updated_at = now
        if set(in_workshop) <= set(clean) | set(_consensus_answers(session, row)):
            assessment.completed_at = assessment.completed_at or now
        row.updated_at = now
        workshop_id, assessment_id = row.id, row.assessment_id
    log_event(
        "workshop_consensus",
        workshop_id=workshop_id,
        assessment_id=assessment_id,
        answers=len(clean),
        actions=None if actions is None else len(actions),
    )
    return assessment_id


def _consensus_answers(session: Session, row: Workshop) -> dict[str, str]:
    if row.assessment_id is None:
        return {}
    rows = session.execute(
        select(Answer.question_id, Answer.value).where(Answer.assessment_id == row.assessment_id)
    ).all()
    return {r.question_id: r.value for r in rows}


def consensus(engine: Engine, facilitator_token: str) -> Consensus:
    with store.session_scope(engine) as session:
        row = _facilitated(session, facilitator_token)
        actions = []
        if row.assessment_id is not None:
            items = session.scalars(
                select(ActionItem)
                .where(ActionItem.assessment_id == row.assessment_id)
                .order_by(ActionItem.id)
            ).all()
            actions = [AgreedAction(a.question_id, a.text, a.owner, a.due_date) for a in items]
        return Consensus(row.assessment_id, _consensus_answers(session, row), actions)


def consensus_result(
    engine: Engine, facilitator_token: str, content: Content
) -> AssessmentResult | None:
    """The agreed answers scored exactly like a self-assessment; None before any is agreed."""
    with store.session_scope(engine) as session:
        row = _facilitated(session, facilitator_token)
        answers = _consensus_answers(session, row)
        position = row.position
    if not answers:
        return None
    return score(answers, content, position=position)


# Exports ------------------------------------------------------------------------------


def results_frames(
    engine: Engine, facilitator_token: str, content: Content
) -> dict[str, pd.DataFrame]:
    """The workshop as tables: summary, participants, distributions, roles, agreement, actions."""
    state = workshop_state(engine, facilitator_token, content)
    results = workshop_results(engine, facilitator_token, content)
    agreed = consensus(engine, facilitator_token)
    result = consensus_result(engine, facilitator_token, content)
    labels = {a.key: a.label for a in content.answer_scale}
    summary = [
        ("Workshop", state.title),
        ("Pilot", state.pilot_name),
        ("Started", state.created_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Participants", results.participants),
        ("Questions", len(state.question_ids)),
        ("Agreed answers", len(agreed.answers)),
        ("Disagreement index", "Spread of answer scores, 0 = all agree, 100 = even Yes/No split"),
    ]
    if result is not None:
        summary += [
            ("Decision", result.verdict_label),
            ("Why", result.why),
            ("Overall readiness", None if result.overall is None else round(result.overall, 1)),
        ]
    distribution = []
    for q in results.questions:
        record = {"question_id": q.question_id, "question": q.label, "answers": q.answers}
        for key in ANSWER_ORDER:
            record[labels[key]] = q.counts.get(key) if q.shown else None
        record["disagreement_index"] = None if q.disagreement is None else round(q.disagreement, 1)
        record["majority"] = labels.get(q.majority) if q.majority else None
        record["note"] = None if q.shown else f"fewer than {MIN_ANSWERS_SHOWN} answers"
        distribution.append(record)
    by_role = [
        {
            "question_id": q.question_id,
            "role": ROLES[role],
            **{labels[k]: counts.get(k, 0) for k in ANSWER_ORDER},
        }
        for q in results.questions
        for role, counts in q.by_role.items()
    ]
    ranking = [
        {"rank": i, "question": q.label, "disagreement_index": round(q.disagreement, 1)}
        for i, q in enumerate(results.ranking, 1)
    ]
    agreed_rows = [
        {
            "question_id": qid,
            "question": content.questions_by_id[qid].short_label,
            "agreed_answer": labels.get(agreed.answers.get(qid)),
        }
        for qid in state.question_ids
    ]
    action_rows = [
        {"question_id": a.question_id, "action": a.text, "owner": a.owner, "due_date": a.due_date}
        for a in agreed.actions
    ]
    return {
        "Summary": pd.DataFrame(summary, columns=["item", "value"]).astype(object),
        "Participants": participants_frame(engine, facilitator_token),
        "Distribution": pd.DataFrame(distribution),
        "By role": pd.DataFrame(
            by_role, columns=["question_id", "role", *[labels[k] for k in ANSWER_ORDER]]
        ),
        "Disagreement": pd.DataFrame(ranking, columns=["rank", "question", "disagreement_index"]),
        "Agreed answers": pd.DataFrame(agreed_rows),
        "Actions": pd.DataFrame(
            action_rows, columns=["question_id", "action", "owner", "due_date"]
        ),
    }


def export_xlsx(engine: Engine, facilitator_token: str, content: Content) -> bytes:
    """The workshop report as a workbook; every text cell neutralised against formulas."""
    return safe_export.frames_to_xlsx_bytes(results_frames(engine, facilitator_token, content))


def report_html(engine: Engine, facilitator_token: str, content: Content) -> str:
    """A self-contained HTML report; every user string escaped."""
    frames = results_frames(engine, facilitator_token, content)
    esc = safe_export.escape_html
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{esc(frames['Summary'].iloc[0]['value'])}</title>",
        "<style>body{font-family:Segoe UI,Helvetica,Arial,sans-serif;margin:2rem;color:#1a1a1a}"
        "table{border-collapse:collapse;margin-bottom:1.5rem}td,th{border:1px solid #ccc;"
        "padding:4px 8px;text-align:left;vertical-align:top}th{background:#f2f4f7}</style>",
        "</head><body>",
        f"<h1>{esc(frames['Summary'].iloc[0]['value'])}</h1>",
    ]
    for name, frame in frames.items():
        parts.append(f"<h2>{esc(name)}</h2>")
        if frame.empty:
            parts.append("<p>Nothing recorded.</p>")
            continue
        head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{esc(v)}</td>" for v in record) + "</tr>"
            for record in frame.itertuples(index=False)
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    parts.append(
        f"<p>Framework adapted from “{esc(content.source.title)}” by {esc(content.source.author)}."
        "</p></body></html>"
    )
    return "".join(parts)


# Measurement --------------------------------------------------------------------------


@dataclass(frozen=True)
class VisibilityMeasurement:
    """How long until the presenter's query sees every vote of a full room."""

    participants: int
    questions: int
    votes_expected: int
    votes_seen: int
    write_seconds: float
    visible_seconds: float
    lag_after_last_write_seconds: float
    presenter_query_ms: float
    votes_per_second: float


def measure_vote_visibility(
    engine: Engine,
    content: Content,
    *,
    participants: int = 40,
    threads: int = 16,
    poll_seconds: float = 0.02,
    timeout_seconds: float = 120.0,
) -> VisibilityMeasurement:
    """Join `participants` people to a new workshop, have each answer every question at once,
    and time (from the first vote) until the presenter's live query counts every vote.

    Uses the whole questionnaire pacing and a fresh pilot; the workshop is left in the
    database. The engine must be migrated.
    """
    created = create_workshop(engine, content, pilot_name="Visibility measurement", pacing="all")
    token, state = created.facilitator_token, created.state
    people = [
        join_workshop(engine, state.code, client_key(f"measure-{i}")) for i in range(participants)
    ]
    expected = participants * len(state.question_ids)
    keys = ("yes", "partly", "no", "dont_know")
    last_write = [0.0]
    lock = threading.Lock()

    def vote_all(index: int) -> None:
        person = people[index]
        for j, qid in enumerate(state.question_ids):
            cast_vote(
                engine,
                content,
                workshop_id=person.workshop_id,
                participant_token=person.token,
                question_id=qid,
                value=keys[(index + j) % len(keys)],
            )
        with lock:
            last_write[0] = max(last_write[0], time.perf_counter())

    seen = [0]
    visible_at = [None]
    query_ms: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            began = time.perf_counter()
            status = live_status(engine, token, content)
            query_ms.append((time.perf_counter() - began) * 1000)
            seen[0] = status.total_votes
            if status.total_votes >= expected:
                visible_at[0] = time.perf_counter()
                return
            time.sleep(poll_seconds)

    watcher = threading.Thread(target=watch, daemon=True)
    started = time.perf_counter()
    watcher.start()
    with ThreadPoolExecutor(max_workers=min(threads, participants)) as pool:
        list(pool.map(vote_all, range(participants)))
    watcher.join(timeout_seconds)
    stop.set()
    finished = visible_at[0] or time.perf_counter()
    write_seconds = last_write[0] - started
    return VisibilityMeasurement(
        participants=participants,
        questions=len(state.question_ids),
        votes_expected=expected,
        votes_seen=seen[0],
        write_seconds=write_seconds,
        visible_seconds=finished - started,
        lag_after_last_write_seconds=max(0.0, finished - last_write[0]),
        presenter_query_ms=statistics.median(query_ms) if query_ms else float("nan"),
        votes_per_second=expected / write_seconds if write_seconds > 0 else float("nan"),
    )
