"""What every phone of a workshop shows alike, read once per process and workshop state.

When the facilitator moves on, every phone learns it at its next poll of the workshop's
stamp and draws the new question. The questions open, the locks, the reveals, the clock and
the revealed distributions are the same for everybody; only a phone's own votes differ, and
those change only when the phone taps (or when a new round clears them). So the shared part
is read from the database once per process and workshop state (`Stamp.state`), by the first
phone that polls after the change, and every other phone of the process takes it from
memory: moving a room of 100 phones on costs one read instead of 100 reads of four queries
each, which queued on the connection pool and held every phone's redraw back.

`phone_view(engine, token, content, key, previous)` builds a phone's view from the shared
part and the phone's previous view (its identity and own votes; the votes are read again
after the phone's own tap); without a previous view (a page load) everything is read afresh.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import Engine

from diagnostics.errors import AccessError
from diagnostics.framework.content import Content
from diagnostics.storage import store
from diagnostics.storage.models import Workshop
from diagnostics.workshop.records import (
    ParticipantView,
    QuestionResult,
    WorkshopState,
    load_state,
)
from diagnostics.workshop.results import compute_results
from diagnostics.workshop.votes import own_votes, participant_view, view_of

MAX_WORKSHOPS = 1000  # workshops kept per process; the stalest half goes beyond that


@dataclass(frozen=True)
class Shared:
    """One workshop as every phone sees it, at one state."""

    key: str
    state: WorkshopState
    revealed: dict[str, QuestionResult]  # revealed questions with enough answers to show


_cache: dict[tuple[int, int], Shared] = {}
_locks: dict[tuple[int, int], threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(slot: tuple[int, int]) -> threading.Lock:
    """One lock per workshop: a slow read for one room never holds up another room's phones."""
    with _locks_guard:
        return _locks.setdefault(slot, threading.Lock())


def shared(engine: Engine, workshop_id: int, content: Content, key: str) -> Shared:
    """The workshop as every phone sees it at state `key`, read once per process and key.

    `key` is the workshop's stamp state the caller saw; the view read for it may already be
    newer (never older), and the next key reads again.
    """
    slot = (id(engine), workshop_id)
    hit = _cache.get(slot)
    if hit is not None and hit.key == key:
        return hit
    with _lock_for(slot):  # one reader per change; the phones polling meanwhile wait for it
        hit = _cache.get(slot)
        if hit is not None and hit.key == key:
            return hit
        view = _read(engine, workshop_id, content, key)
        with _locks_guard:
            _cache[slot] = view
            if len(_cache) > MAX_WORKSHOPS:
                for old in list(_cache)[: MAX_WORKSHOPS // 2]:
                    _cache.pop(old, None)
                    _locks.pop(old, None)
        return view


def _read(engine: Engine, workshop_id: int, content: Content, key: str) -> Shared:
    with store.session_scope(engine) as session:
        row = session.get(Workshop, workshop_id)
        if row is None:
            raise AccessError("This workshop no longer exists.")
        state = load_state(session, row, content)
        revealed = {}
        if set(state.revealed) & set(state.in_focus):
            results = compute_results(session, row, content, only_revealed=True)
            revealed = {
                q.question_id: q
                for q in results.questions
                if q.question_id in state.in_focus and q.shown
            }
    return Shared(key, state, revealed)


def phone_view(
    engine: Engine,
    token: str,
    content: Content,
    key: str,
    previous: ParticipantView | None = None,
    *,
    own_votes_changed: bool = False,
) -> ParticipantView:
    """A participant's view at workshop state `key`.

    With the phone's `previous` view, the participant is not read again, and their own votes
    only when they may have changed: after their own tap (`own_votes_changed`) or a new round
    (one query then). Without it (a page load), everything is read afresh.
    """
    if previous is None:
        return participant_view(engine, token, content)
    state = shared(engine, previous.workshop_id, content, key).state
    mine, earlier = previous.my_votes, previous.my_earlier_votes
    if own_votes_changed or state.rounds != previous.rounds:
        with store.session_scope(engine) as session:
            mine, earlier = own_votes(session, previous.participant_id, state)
    return view_of(
        previous.participant_id, previous.display_name, previous.role, state, mine, earlier
    )


def revealed_results(
    engine: Engine, content: Content, view: ParticipantView, key: str
) -> dict[str, QuestionResult]:
    """The revealed questions in the phone's focus with enough answers to show, as the room
    sees them (shared by every phone of the process)."""
    if not set(view.revealed) & set(view.in_focus):
        return {}
    return shared(engine, view.workshop_id, content, key).revealed


def forget(engine: Engine, workshop_id: int) -> None:
    """Drop the kept view (tests, or a process that just changed the workshop itself)."""
    with _locks_guard:
        _cache.pop((id(engine), workshop_id), None)
