"""What a workshop is made of, as plain records: its state, the people in it, their results and
the agreed answers; the fixed vocabularies (pacings, roles, answer order); and the few helpers
every other module of the package shares (hashing a secret, UTC times, reading a workshop's
state from the database).

Everything a workshop needs lives in the database (several app processes may serve the same
workshop), never in one process's memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from diagnostics.errors import AnswerError
from diagnostics.framework.content import Content
from diagnostics.storage.models import Pilot, Workshop, WorkshopQuestion
from diagnostics.storage.rows import as_utc, record_from

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
    "observer": "Observer (does not vote)",
}
# An observer follows the workshop (the questions, revealed results) but does not vote and is
# not counted among the people who joined.
OBSERVER = "observer"
ANSWER_ORDER = ("yes", "partly", "no", "dont_know", "na")
WEAK_ANSWERS = ("no", "dont_know", "partly")
MAX_COUNTDOWN_SECONDS = 60 * 60


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
    auto_reveal: bool = False
    # The countdown (see `clock`): seconds per opened question, None when off; the running
    # clock's start and end; whether its time was up when the state was read.
    countdown_seconds: int | None = None
    clock_started_at: datetime | None = None
    deadline: datetime | None = None
    time_up: bool = False
    # Question -> its round of votes (1, or 2 and on once the group voted again).
    rounds: dict[str, int] = field(default_factory=dict)

    @property
    def votable(self) -> tuple[str, ...]:
        """Questions a participant may answer right now."""
        if self.ended or self.time_up:
            return ()
        return tuple(q for q in self.in_focus if q not in self.locked)

    def round_of(self, question_id: str) -> int:
        return self.rounds.get(question_id, 1)


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
    revealed: tuple[str, ...] = ()
    time_up: bool = False
    clock_started_at: datetime | None = None
    deadline: datetime | None = None
    rounds: dict[str, int] = field(default_factory=dict)
    # This participant's answer in the round before the current one, per question voted again.
    my_earlier_votes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LiveStatus:
    """The presenter's live numbers, straight from the database."""

    state: WorkshopState
    participants: int
    votes_per_question: dict[str, int]
    total_votes: int
    earlier_votes: int = 0  # the votes of rounds voted again, kept

    @property
    def all_votes(self) -> int:
        """Every answer given, the earlier rounds of questions voted again included."""
        return self.total_votes + self.earlier_votes

    @property
    def votes_in_focus(self) -> int:
        """The answers given so far to the questions open now (this round's)."""
        return sum(self.votes_per_question.get(q, 0) for q in self.state.in_focus)


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
    round: int = 1
    # The same question's earlier rounds, oldest first, under the same anonymity rule.
    earlier: tuple[QuestionResult, ...] = ()

    @property
    def previous(self) -> QuestionResult | None:
        """The round before this one, when the group voted again."""
        return self.earlier[-1] if self.earlier else None


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


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def clean_text(value: object, limit: int) -> str | None:
    text = " ".join(str(value or "").split())
    return text[:limit] or None


def in_focus(row: Workshop, question_ids: Sequence[str], content: Content | None) -> tuple:
    """The questions open now under the workshop's pacing (`row` may be any object with the
    pacing and current question and reason)."""
    if row.pacing == "question":
        return tuple(q for q in question_ids if q == row.current_question)
    if row.pacing == "reason" and content is not None:
        by_id = content.questions_by_id
        return tuple(
            q for q in question_ids if q in by_id and by_id[q].reason == row.current_reason
        )
    return tuple(question_ids)


def time_is_up(row: Workshop, now: datetime | None = None) -> bool:
    """Whether the running clock (if any) has reached zero at `now` (default: this moment)."""
    if row.deadline_at is None:
        return False
    return (now or datetime.now(UTC)) >= as_utc(row.deadline_at)


def checked_countdown(seconds: int | None) -> int | None:
    """A countdown choice, validated: None (off) or 5 s to 60 minutes."""
    if not seconds:
        return None
    if not 5 <= int(seconds) <= MAX_COUNTDOWN_SECONDS:
        raise AnswerError(
            f"A countdown of {seconds} s is not offered; choose between 5 s and "
            f"{MAX_COUNTDOWN_SECONDS // 60} minutes, or switch it off."
        )
    return int(seconds)


def restart_clock(row: Workshop, now: datetime | None = None) -> None:
    """Start the clock afresh for what is open now (stop it when the countdown is off)."""
    if row.countdown_seconds:
        start = now or datetime.now(UTC)
        row.clock_started_at = start
        row.deadline_at = start + timedelta(seconds=row.countdown_seconds)
    else:
        row.clock_started_at = None
        row.deadline_at = None


def load_state(
    session: Session, row: Workshop, content: Content | None = None, now: datetime | None = None
) -> WorkshopState:
    questions = session.scalars(
        select(WorkshopQuestion)
        .where(WorkshopQuestion.workshop_id == row.id)
        .order_by(WorkshopQuestion.position)
    ).all()
    ids = tuple(q.question_id for q in questions)
    pilot_name = session.scalar(select(Pilot.name).where(Pilot.id == row.pilot_id)) or ""
    return record_from(
        WorkshopState,
        row,
        pilot_name=pilot_name,
        code=row.join_code,
        join_open=row.join_open and row.ended_at is None,
        ended=row.ended_at is not None,
        question_ids=ids,
        locked=frozenset(q.question_id for q in questions if q.locked),
        revealed=frozenset(q.question_id for q in questions if q.revealed),
        in_focus=in_focus(row, ids, content),
        created_at=as_utc(row.created_at),
        auto_reveal=bool(row.auto_reveal),
        clock_started_at=as_utc(row.clock_started_at),
        deadline=as_utc(row.deadline_at),
        time_up=time_is_up(row, now) and row.ended_at is None,
        rounds={q.question_id: q.round for q in questions if (q.round or 1) > 1},
    )
