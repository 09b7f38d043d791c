"""Who may do what in a workshop, decided by what the caller holds.

- the **facilitator token** (192 random bits, only its SHA-256 is stored) alone grants control:
  pacing, locks, reveals, results, consensus and exports. `facilitator(engine, token)` checks
  it once and returns a `Facilitator` handle that every facilitator function takes;
- the **join code** (6 characters from 31 with no look-alikes: 31**6 ≈ 8.9 × 10**8 codes,
  about 29.7 bits) lets anyone join as a participant while joining is open; wrong codes are
  counted per client in the database and, after a few, each further try must wait longer
  (in every app process, since the count is in the database);
- the **participant token** (192 bits, hashed) identifies one participant, who may vote only
  in their own workshop, on the questions open now, until a question is locked.
"""

from __future__ import annotations

import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from diagnostics.errors import AccessError, AnswerError, NotFoundError
from diagnostics.logging_setup import log_event
from diagnostics.storage import store
from diagnostics.storage.models import (
    JoinAttempt,
    Pilot,
    Workshop,
    WorkshopParticipant,
    utcnow,
)
from diagnostics.storage.rows import as_utc
from diagnostics.workshop import changes
from diagnostics.workshop.records import (
    ROLES,
    JoinInfo,
    ParticipantSession,
    clean_text,
    hash_secret,
)

# Codes: no 0/O, 1/I/L look-alikes, so a code read off a projector is typed right first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_SPACE = len(CODE_ALPHABET) ** CODE_LENGTH
CODE_ENTROPY_BITS = CODE_LENGTH * math.log2(len(CODE_ALPHABET))  # about 29.7
TOKEN_ENTROPY_BITS = store.TOKEN_BYTES * 8  # 192: facilitator and participant links

# Wrong codes: a few are free (typos happen), then each further try waits twice as long.
FREE_FAILED_ATTEMPTS = 5
ATTEMPT_WINDOW = timedelta(minutes=15)
FIRST_WAIT_SECONDS = 2.0
MAX_WAIT_SECONDS = 15 * 60.0
ATTEMPT_LOG_KEEP = timedelta(days=1)

BAD_FACILITATOR = (
    "This facilitator link is not valid. Open the private link you were given when the "
    "workshop was created, or create a new workshop."
)
BAD_PARTICIPANT = (
    "Your place in this workshop was not found. Join again with the code on the shared screen."
)


class TooManyAttemptsError(AccessError):
    """Too many wrong join codes from one client in a short time."""

    def __init__(self, message: str, wait_seconds: float):
        super().__init__(message)
        self.wait_seconds = wait_seconds


def join_link(base: str, code: str) -> str:
    """The link a participant opens to join (the code filled in)."""
    return f"{base.rstrip('/')}/join?code={code}"


def facilitator_link(base: str, token: str, page: str = "workshop") -> str:
    """The private link to the console (or, with page "present", the shared screen)."""
    return f"{base.rstrip('/')}/{page}?facilitator={token}"


# Tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facilitator:
    """A facilitator token checked once: the database and the one workshop it controls."""

    engine: Engine
    workshop_id: int

    def workshop(self, session: Session, *, for_update: bool = False) -> Workshop:
        """The workshop row; `for_update` takes it first, as every facilitator change does."""
        stmt = select(Workshop).where(Workshop.id == self.workshop_id)
        if for_update:
            # Every facilitator change takes the workshop row first, then question rows: one
            # order everywhere, so concurrent votes and changes cannot deadlock.
            stmt = stmt.with_for_update(key_share=True)
        row = session.scalar(stmt)
        if row is None:  # deleted since the token was checked
            raise AccessError(BAD_FACILITATOR)
        return row


def facilitator(engine: Engine, token: object) -> Facilitator:
    """The handle for the workshop this facilitator token controls, or AccessError."""
    cleaned = str(token or "").strip()
    if not 16 <= len(cleaned) <= 100:
        raise AccessError(BAD_FACILITATOR)
    with store.session_scope(engine) as session:
        workshop_id = session.scalar(
            select(Workshop.id).where(Workshop.facilitator_hash == hash_secret(cleaned))
        )
    if workshop_id is None:
        raise AccessError(BAD_FACILITATOR)
    return Facilitator(engine, workshop_id)


def participant_row(session: Session, token: object) -> WorkshopParticipant:
    """The participant this token belongs to, or AccessError."""
    cleaned = str(token or "").strip()
    row = None
    if 16 <= len(cleaned) <= 100:
        row = session.scalar(
            select(WorkshopParticipant).where(
                WorkshopParticipant.token_hash == hash_secret(cleaned)
            )
        )
    if row is None:
        raise AccessError(BAD_PARTICIPANT)
    return row


# Codes and the join throttle ----------------------------------------------------------


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: object) -> str:
    """Upper case, spaces and dashes removed: `abc-23d` and `ABC 23D` are the same code."""
    return "".join(ch for ch in str(code or "").upper() if ch not in " -\t\n")


def client_key(raw: object) -> str:
    """A fixed-length key for a client (an IP address, a session id): stored, never the raw."""
    return hash_secret(f"client:{raw}")


def wait_after_failures(failures: int) -> float:
    """Seconds a client must wait after `failures` wrong codes in the window."""
    if failures < FREE_FAILED_ATTEMPTS:
        return 0.0
    return min(MAX_WAIT_SECONDS, FIRST_WAIT_SECONDS * 2 ** (failures - FREE_FAILED_ATTEMPTS))


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
    remaining = (as_utc(failures[0]) + timedelta(seconds=wait) - now).total_seconds()
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


def _lookup_code(session: Session, code: object, key: str) -> Workshop | None:
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
    token = store.new_token()
    error: Exception | None = None
    with store.session_scope(engine, write=True) as session:
        row = _lookup_code(session, code, client)
        if row is None:
            error = _refuse_code(code)
        else:
            name = clean_text(display_name, 80) if row.ask_names else None
            participant = WorkshopParticipant(
                workshop_id=row.id,
                token_hash=hash_secret(token),
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
    changes.forget(engine, joined.workshop_id)
    log_event("workshop_joined", workshop_id=joined.workshop_id, role=role or "unstated")
    return joined
