"""Running a workshop: create it, then pace it (the whole questionnaire, one reason or one
question at a time), lock and reveal questions, open or close the code, and end it.

Every change takes the workshop row first (see `Facilitator.workshop`), records the time of
the change and logs it; the state returned is read back in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from diagnostics.errors import AccessError, AnswerError, NotFoundError
from diagnostics.framework.content import Content
from diagnostics.framework.scoring import DEFAULT_POSITION
from diagnostics.logging_setup import log_event
from diagnostics.storage import store
from diagnostics.storage.models import Pilot, Workshop, WorkshopQuestion, utcnow
from diagnostics.workshop import changes
from diagnostics.workshop.access import Facilitator, facilitator, new_join_code
from diagnostics.workshop.records import (
    PACINGS,
    LiveStatus,
    NewWorkshop,
    WorkshopState,
    checked_countdown,
    clean_text,
    hash_secret,
    in_focus,
    load_state,
    restart_clock,
)


def _questions_in_scope(content: Content, position: str) -> list[str]:
    if position not in content.positions_by_key:
        known = ", ".join(content.positions_by_key)
        raise AnswerError(f"Unknown position {position!r}; use one of {known}.")
    phases = content.positions_by_key[position].scored_phases
    return [q.id for q in content.questions if q.phase in phases]


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
    countdown_seconds: int | None = None,
) -> NewWorkshop:
    """Open a workshop on an existing pilot (`pilot_id`) or a new one (`pilot_name`).

    Returns the state and the facilitator token; the token is shown once and only its hash
    is kept, so whoever holds it controls the workshop. With `countdown_seconds`, each question
    gets that time once opened; the first clock waits for the facilitator to start it.
    """
    if pacing not in PACINGS:
        raise AnswerError(f"Unknown pacing {pacing!r}; use one of {', '.join(PACINGS)}.")
    countdown_seconds = checked_countdown(countdown_seconds)
    question_ids = _questions_in_scope(content, position)
    new_name = clean_text(pilot_name, 300)
    if pilot_id is None and not new_name:
        raise AnswerError("Name the pilot the workshop assesses, or choose an existing one.")
    for _attempt in range(5):  # a fresh code collides with a live one about once in 10**7
        token = store.new_token()
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
                    title=clean_text(title, 300) or f"Workshop: {pilot.name}"[:300],
                    join_code=new_join_code(),
                    facilitator_hash=hash_secret(token),
                    position=position,
                    content_version=content.version,
                    pacing=pacing,
                    current_reason=first.reason,
                    current_question=first.id,
                    ask_names=bool(ask_names),
                    join_open=True,
                    countdown_seconds=countdown_seconds,
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
                created = NewWorkshop(load_state(session, row, content), facilitator_token=token)
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


def copy_workshop(fac: Facilitator, content: Content) -> NewWorkshop:
    """A new workshop like this one (same pilot, position, pacing, names asked or not,
    auto-reveal and countdown), with its own code and facilitator token; nothing of the old
    one's answers is carried over."""
    with store.session_scope(fac.engine) as session:
        row = fac.workshop(session)
        auto_reveal = row.auto_reveal
        settings = {
            "pilot_id": row.pilot_id,
            "position": row.position,
            "pacing": row.pacing,
            "ask_names": row.ask_names,
            "countdown_seconds": row.countdown_seconds,
        }
    created = create_workshop(fac.engine, content, **settings)
    if auto_reveal:
        state = set_auto_reveal(facilitator(fac.engine, created.facilitator_token), content, True)
        created = type(created)(state, created.facilitator_token)
    return created


def workshop_state(
    fac: Facilitator, content: Content, now: datetime | None = None
) -> WorkshopState:
    with store.session_scope(fac.engine) as session:
        return load_state(session, fac.workshop(session), content, now)


def change(
    fac: Facilitator,
    content: Content,
    apply: Callable[[Session, Workshop], None],
    event: str,
    now: datetime | None = None,
    **fields,
) -> WorkshopState:
    """Apply one facilitator change to the workshop row (taken first), stamp it, log it."""
    with store.session_scope(fac.engine) as session:
        row = fac.workshop(session, for_update=True)
        apply(session, row)
        row.updated_at = utcnow()
        session.flush()
        state = load_state(session, row, content, now)
    changes.forget(fac.engine, state.id)
    log_event(event, workshop_id=state.id, **fields)
    return state


def set_pacing(
    fac: Facilitator,
    content: Content,
    pacing: str,
    *,
    reason: str | None = None,
    question: str | None = None,
    now: datetime | None = None,
) -> WorkshopState:
    """Open the whole questionnaire, one reason (`reason`) or one question (`question`).

    When what is open changes and a countdown is set, its clock starts again (at `now`).
    """
    if pacing not in PACINGS:
        raise AnswerError(f"Unknown pacing {pacing!r}; use one of {', '.join(PACINGS)}.")

    def apply(session: Session, row: Workshop) -> None:
        ids = session.scalars(
            select(WorkshopQuestion.question_id).where(WorkshopQuestion.workshop_id == row.id)
        ).all()
        before = in_focus(row, ids, content)
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
        if in_focus(row, ids, content) != before:
            restart_clock(row, now)

    return change(fac, content, apply, "workshop_paced", now, pacing=pacing)


def step(
    fac: Facilitator, content: Content, delta: int, now: datetime | None = None
) -> WorkshopState:
    """Move to the next (+1) or previous (-1) question or reason, as the pacing goes."""
    state = workshop_state(fac, content)
    ids = list(state.question_ids)
    if state.pacing == "reason":
        reasons = list(dict.fromkeys(content.questions_by_id[q].reason for q in ids))
        i = reasons.index(state.current_reason) if state.current_reason in reasons else 0
        target = reasons[max(0, min(len(reasons) - 1, i + delta))]
        return set_pacing(fac, content, "reason", reason=target, now=now)
    i = ids.index(state.current_question) if state.current_question in ids else 0
    target = ids[max(0, min(len(ids) - 1, i + delta))]
    return set_pacing(fac, content, state.pacing, question=target, now=now)


def _set_flag(
    fac: Facilitator, content: Content, question_ids: Iterable[str], flag: str, value: bool
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

    return change(fac, content, apply, f"workshop_{flag}", value=value, questions=len(wanted))


def set_locked(
    fac: Facilitator, content: Content, question_ids: Iterable[str], locked: bool = True
) -> WorkshopState:
    """Lock questions (a question, or a whole section) so that votes stop changing."""
    return _set_flag(fac, content, question_ids, "locked", locked)


def set_revealed(
    fac: Facilitator, content: Content, question_ids: Iterable[str], revealed: bool = True
) -> WorkshopState:
    """Show (or hide again) the results of questions on the presenter screen."""
    return _set_flag(fac, content, question_ids, "revealed", revealed)


def set_join_open(fac: Facilitator, content: Content, join_open: bool) -> WorkshopState:
    """Close the code (nobody new can join; those in can keep voting) or open it again."""

    def apply(_session: Session, row: Workshop) -> None:
        row.join_open = bool(join_open)

    return change(fac, content, apply, "workshop_code", join_open=bool(join_open))


def set_auto_reveal(fac: Facilitator, content: Content, auto_reveal: bool) -> WorkshopState:
    """Reveal each open question by itself once everyone who joined has answered it (on)."""

    def apply(_session: Session, row: Workshop) -> None:
        row.auto_reveal = bool(auto_reveal)

    return change(fac, content, apply, "workshop_auto_reveal", value=bool(auto_reveal))


def reveal_when_all_answered(
    fac: Facilitator, content: Content, live: LiveStatus
) -> WorkshopState | None:
    """With auto-reveal on: reveal the open questions everyone who joined has answered, or all
    of them once the countdown's time is up.

    Called by the pages that watch the counts (shared screen, console); None when nothing
    was to be revealed.
    """
    state = live.state
    if not state.auto_reveal or state.ended:
        return None
    if state.time_up:
        ready = [q for q in state.in_focus if q not in state.revealed]
    elif live.participants == 0:
        return None
    else:
        ready = [
            q
            for q in state.in_focus
            if q not in state.revealed and live.votes_per_question.get(q, 0) >= live.participants
        ]
    if not ready:
        return None
    return set_revealed(fac, content, ready)


def end_workshop(fac: Facilitator, content: Content) -> WorkshopState:
    """Finish: the code closes and no vote is accepted any more."""

    def apply(_session: Session, row: Workshop) -> None:
        row.join_open = False
        row.ended_at = row.ended_at or utcnow()

    return change(fac, content, apply, "workshop_ended")
