"""How pages learn that a workshop changed without redrawing every second.

A workshop's **stamp** is what a redraw depends on: the time of its last facilitator change
(pacing, locks, reveals, the code, the end, agreed answers: each sets `updated_at`), how many
joined, how many votes there are and when the last one changed. It is one small query.

Every open page polls the stamp, and redraws only when it moved. So that a room of phones
does not send one query each per poll, `current_stamp` keeps each workshop's stamp for a
short while per process (`MAX_AGE_SECONDS`), shared by every session of that process; the
first poll after it expires reads the database for everybody. Another app process sees a
change at most that much later.

A running countdown moves the stamp once more, by itself, when it reaches zero (`time_up`
is decided against the moment of each poll, from the deadline kept with the stamp): phones
redraw once at time up, not every second.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from diagnostics.storage import store
from diagnostics.storage.models import Workshop, WorkshopParticipant, WorkshopVote

MAX_AGE_SECONDS = 0.5


@dataclass(frozen=True)
class Stamp:
    """What a page's drawing depends on; two equal stamps draw the same page."""

    changed: str  # the workshop's last facilitator change
    participants: int
    votes: int
    last_vote: str
    deadline: datetime | None = None  # the running countdown's end
    time_up: bool = False

    @property
    def state(self) -> str:
        """The part a participant's phone depends on: the facilitator's changes and time up."""
        return f"{self.changed}|{self.time_up}"

    def at(self, now: datetime | None = None) -> Stamp:
        """This stamp with `time_up` decided at `now` (default: this moment)."""
        if self.deadline is None:
            return self
        moment = now or datetime.now(UTC)
        deadline = self.deadline if self.deadline.tzinfo else self.deadline.replace(tzinfo=UTC)
        up = moment >= deadline
        return self if up == self.time_up else replace(self, time_up=up)


def read_stamp(engine: Engine, workshop_id: int) -> Stamp | None:
    """The stamp straight from the database; None for a workshop that does not exist."""
    people = (
        select(func.count())
        .select_from(WorkshopParticipant)
        .where(WorkshopParticipant.workshop_id == workshop_id)
        .scalar_subquery()
    )
    votes = (
        select(func.count())
        .select_from(WorkshopVote)
        .where(WorkshopVote.workshop_id == workshop_id)
        .scalar_subquery()
    )
    last = (
        select(func.max(WorkshopVote.updated_at))
        .where(WorkshopVote.workshop_id == workshop_id)
        .scalar_subquery()
    )
    with store.session_scope(engine) as session:
        row = session.execute(
            select(
                Workshop.updated_at, Workshop.ended_at, people, votes, last, Workshop.deadline_at
            ).where(Workshop.id == workshop_id)
        ).first()
    if row is None:
        return None
    changed = f"{row[0]}|{row[1]}"
    deadline = None if row[1] is not None else row[5]  # an ended workshop's clock is over
    return Stamp(changed, int(row[2] or 0), int(row[3] or 0), str(row[4]), deadline).at()


_cache: dict[tuple[int, int], tuple[float, Stamp | None]] = {}
_lock = threading.Lock()


def current_stamp(
    engine: Engine, workshop_id: int, max_age: float = MAX_AGE_SECONDS
) -> Stamp | None:
    """The stamp, read at most once per `max_age` seconds per process and workshop."""
    key = (id(engine), workshop_id)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[0] < max_age:
        return hit[1] and hit[1].at()
    with _lock:  # one reader refreshes; the sessions polling at the same moment wait for it
        hit = _cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < max_age:
            return hit[1] and hit[1].at()
        stamp = read_stamp(engine, workshop_id)
        _cache[key] = (time.monotonic(), stamp)
        if len(_cache) > 1000:  # old workshops: drop the stalest half
            for old in sorted(_cache, key=lambda k: _cache[k][0])[:500]:
                _cache.pop(old, None)
        return stamp


def forget(engine: Engine, workshop_id: int) -> None:
    """Drop the kept stamp, so this process's next poll reads the change it just made."""
    _cache.pop((id(engine), workshop_id), None)
