"""The countdown: an optional time limit on what is open, shown large on the shared screen.

The facilitator picks the time each question gets (off by default). Under one-question pacing
the clock starts each time a question opens; under one-reason pacing, each time a reason's
questions open (the time is for the whole group of questions); with the whole questionnaire
open, when the facilitator starts it. Choosing another time restarts the clock with it;
"add time" moves the end (and opens voting again once time was up); "stop" removes the limit
until the next question opens.

When the clock reaches zero, votes on what is open are refused with a friendly "time is up"
(`TimeUpError`) and, with auto-reveal on, the pages that watch the workshop reveal the results.
Only the end of the clock is stored (`deadline_at`); whether time is up is decided against the
moment of reading, so every app process agrees and no timer runs anywhere. Every function
takes `now` (default: this moment), so tests move the clock instead of sleeping.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from diagnostics.errors import AccessError, AnswerError
from diagnostics.framework.content import Content
from diagnostics.storage.models import Workshop
from diagnostics.workshop.access import Facilitator
from diagnostics.workshop.pacing import change
from diagnostics.workshop.records import (
    WorkshopState,
    checked_countdown,
    restart_clock,
    time_is_up,
)

# The times offered on the console, in seconds (None: no countdown).
COUNTDOWN_CHOICES: tuple[int | None, ...] = (None, 30, 60, 120, 180, 300)
ADD_SECONDS = 30
# The last seconds, when the shared screen turns the clock red.
SHORT_SECONDS = 10


class TimeUpError(AccessError):
    """A vote arrived after the countdown reached zero."""


TIME_UP = "Time is up: voting on this question closed when the clock reached zero."


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def describe(seconds: int | None) -> str:
    """A countdown choice in words: Off, 30 s, 1 min, 1 min 30 s."""
    if not seconds:
        return "Off"
    minutes, rest = divmod(int(seconds), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min" + (f" {rest} s" if rest else "")


def format_clock(seconds: float) -> str:
    """Seconds left as the clock shows them, m:ss, rounded up (0:01 until it is really 0)."""
    whole = max(0, math.ceil(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def remaining(state: WorkshopState, now: datetime | None = None) -> float | None:
    """Seconds left on the running clock (0 once time is up), None when no clock runs."""
    if state.deadline is None or state.ended:
        return None
    return max(0.0, (state.deadline - _now(now)).total_seconds())


def fraction_left(state: WorkshopState, now: datetime | None = None) -> float | None:
    """How much of the clock's time is left, 1 at the start and 0 at the end."""
    left = remaining(state, now)
    if left is None or state.clock_started_at is None:
        return None
    total = (state.deadline - state.clock_started_at).total_seconds()
    return 0.0 if total <= 0 else min(1.0, left / total)


def running_short(state: WorkshopState, now: datetime | None = None) -> bool:
    """Whether the clock is in its last SHORT_SECONDS (or time is up)."""
    left = remaining(state, now)
    return left is not None and left <= SHORT_SECONDS


def set_countdown(
    fac: Facilitator, content: Content, seconds: int | None, *, now: datetime | None = None
) -> WorkshopState:
    """Choose the time each opened question gets (None: off); the clock restarts with it."""
    chosen = checked_countdown(seconds)

    def apply(_session: Session, row: Workshop) -> None:
        row.countdown_seconds = chosen
        restart_clock(row, _now(now))

    return change(fac, content, apply, "workshop_countdown", now, seconds=seconds)


def start_clock(fac: Facilitator, content: Content, *, now: datetime | None = None):
    """Start the chosen countdown now, for what is open (again, after it was stopped)."""

    def apply(_session: Session, row: Workshop) -> None:
        if not row.countdown_seconds:
            raise AnswerError("Choose a time per question first; the countdown is off.")
        restart_clock(row, _now(now))

    return change(fac, content, apply, "workshop_clock_started", now)


def add_time(
    fac: Facilitator,
    content: Content,
    seconds: int = ADD_SECONDS,
    *,
    now: datetime | None = None,
) -> WorkshopState:
    """Give the room more time: the end moves by `seconds` (from now, once time was up)."""
    moment = _now(now)

    def apply(_session: Session, row: Workshop) -> None:
        if row.deadline_at is None:
            raise AnswerError("No clock is running: start it first.")
        if time_is_up(row, moment):
            row.clock_started_at = moment
            row.deadline_at = moment + timedelta(seconds=seconds)
        else:
            row.deadline_at = row.deadline_at + timedelta(seconds=seconds)

    return change(fac, content, apply, "workshop_clock_added", now, seconds=seconds)


def stop_clock(fac: Facilitator, content: Content, *, now: datetime | None = None):
    """No time limit on what is open now; the next question opened starts the clock again."""

    def apply(_session: Session, row: Workshop) -> None:
        row.clock_started_at = None
        row.deadline_at = None

    return change(fac, content, apply, "workshop_clock_stopped", now)
