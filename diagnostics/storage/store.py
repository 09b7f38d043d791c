"""The database: an engine from `DATABASE_URL`, migrations, and the pilot/assessment records.

SQLite in `var/poctrap.db` is the zero-set-up default (WAL mode, so the presenter screen can
read while participants write); any SQLAlchemy URL in `DATABASE_URL` (PostgreSQL for teams)
replaces it. The schema is only ever created by Alembic migrations, never by `create_all`.
Functions return plain dataclasses, so callers never hold a session open.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event, func, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from diagnostics.errors import NotFoundError, StorageError
from diagnostics.storage.models import Answer, Assessment, Base, Pilot, utcnow
from diagnostics.storage.rows import record_from

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "poctrap.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
TOKEN_BYTES = 24  # 192 bits: resume links cannot be guessed or enumerated


def database_url() -> str:
    """`DATABASE_URL` if set, else the local SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{DEFAULT_SQLITE_PATH}"
    # Hosted PostgreSQL often hands out postgres:// URLs; SQLAlchemy needs the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None) -> Engine:
    """Create an engine tuned for its database."""
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=5, max_overflow=10, pool_pre_ping=True, pool_recycle=1800)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _alembic_config(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (default: the newest) with Alembic."""
    from alembic import command

    try:
        with engine.begin() as connection:
            config = _alembic_config(str(engine.url))
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except OperationalError as exc:
        raise StorageError(_unreachable(engine, exc)) from None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head()


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


def _unreachable(engine: Engine, exc: Exception) -> str:
    where = engine.url.render_as_string(hide_password=True)
    return (
        f"The database at {where} cannot be reached ({type(exc).__name__}). "
        "Check DATABASE_URL and that the database server is running."
    )


class FairLock:
    """A reentrant lock that lets waiting threads in by order of arrival.

    `threading.Lock` lets any waiter in, so under a steady queue one thread can wait far
    longer than the queue is long; here the wait is bounded by the work queued ahead.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._queue: deque[tuple[int, threading.Event]] = deque()
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> FairLock:
        me = threading.get_ident()
        with self._guard:
            if self._owner == me:
                self._depth += 1
                return self
            if self._owner is None and not self._queue:
                self._owner, self._depth = me, 1
                return self
            turn = threading.Event()
            self._queue.append((me, turn))
        try:
            turn.wait()
        except BaseException:  # interrupted while queuing: give up the place or the turn
            with self._guard:
                if (me, turn) in self._queue:
                    self._queue.remove((me, turn))
                    raise
            self._release()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self._release()

    def _release(self) -> None:
        with self._guard:
            self._depth -= 1
            if self._depth:
                return
            if self._queue:
                self._owner, turn = self._queue.popleft()
                self._depth = 1
                turn.set()
            else:
                self._owner = None


_SQLITE_WRITERS: dict[str, FairLock] = {}
_SQLITE_WRITERS_GUARD = threading.Lock()


def _writer_turn(engine: Engine) -> AbstractContextManager:
    """On SQLite, one writing transaction at a time per database file in this process.

    SQLite lets one writer in at a time; the others wait in its busy handler, which sleeps
    in growing steps and lets late arrivals overtake, so under a burst (a room of 40 voting)
    an unlucky vote waited seconds. Queuing writers here, in order of arrival, bounds every
    wait by the few milliseconds the writers ahead need. PostgreSQL locks rows itself.
    """
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _SQLITE_WRITERS_GUARD:
        return _SQLITE_WRITERS.setdefault(str(engine.url), FairLock())


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error.

    `write=True` marks a short transaction that writes under contention (votes, joins): on
    SQLite it waits for its turn among this process's writers (see `_writer_turn`).
    """
    with _writer_turn(engine) if write else nullcontext():
        session = sessionmaker(engine, expire_on_commit=False)()
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise StorageError(_unreachable(engine, exc)) from None
        except SQLAlchemyError:
            session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def upsert(
    session: Session,
    model: type[Base],
    values: Mapping[str, object] | Sequence[Mapping[str, object]],
    keys: Sequence[str],
    update: Sequence[str],
) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE, on SQLite and PostgreSQL alike.

    Concurrent writers of the same row (two taps on a phone, forty voters at once) then
    neither fail nor create duplicates: the unique constraint decides.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(values)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: getattr(stmt.excluded, c) for c in update}
    )
    session.execute(stmt)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


# Records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PilotRecord:
    id: int
    name: str
    business_unit: str | None = None
    owner: str | None = None
    start_date: date | None = None
    expected_annual_value: float | None = None
    pilot_budget: float | None = None
    portfolio_ref: str | None = None
    currency: str | None = None  # the code the amounts were entered in (EUR, USD...); no conversion
    is_demo: bool = False


@dataclass(frozen=True)
class AssessmentRecord:
    id: int
    pilot_id: int
    token: str
    position: str
    source: str
    content_version: str
    current_step: int
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None

    @classmethod
    def unsaved(
        cls, position: str, content_version: str, answered_at: datetime
    ) -> AssessmentRecord:
        """A self-assessment completed at `answered_at` that lives only in memory (an answers
        file read by the command line): no id, pilot row or resume link."""
        return cls(
            id=0,
            pilot_id=0,
            token="",
            position=position,
            source="self",
            content_version=content_version,
            current_step=0,
            created_at=answered_at,
            updated_at=answered_at,
            completed_at=answered_at,
        )


@dataclass(frozen=True)
class AnswerRecord:
    question_id: str
    value: str
    comment: str | None


# What a manager says about a pilot (the answers file of the command line takes these).
PILOT_DETAILS = (
    "name",
    "business_unit",
    "owner",
    "start_date",
    "expected_annual_value",
    "pilot_budget",
    "currency",
)
_PILOT_FIELDS = (*PILOT_DETAILS, "portfolio_ref", "is_demo")


def _pilot_record(row: Pilot) -> PilotRecord:
    return record_from(PilotRecord, row)


def _assessment_record(row: Assessment) -> AssessmentRecord:
    return record_from(AssessmentRecord, row)


def _clean_name(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise ValueError("A pilot needs a name.")
    return cleaned[:300]


T = TypeVar("T")


def _saved(session: Session, model: type[T], row_id: int, what: str) -> T:
    """The saved row of `model` with this id, or NotFoundError ("No pilot with id 3.")."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFoundError(f"No {what} with id {row_id}.")
    return row


def _set_fields(
    row: object, fields: Mapping[str, object], allowed: Sequence[str], what: str
) -> None:
    """Write the given columns; a column not in `allowed` is a programming error."""
    for key, value in fields.items():
        if key not in allowed:
            raise TypeError(f"unknown {what} field: {key}")
        setattr(row, key, value)


def create_pilot(engine: Engine, name: str, **fields: object) -> PilotRecord:
    """Save a new pilot; unknown fields are a programming error, not user input."""
    unknown = set(fields) - set(_PILOT_FIELDS)
    if unknown:
        raise TypeError(f"unknown pilot fields: {sorted(unknown)}")
    with session_scope(engine) as session:
        pilot = Pilot(name=_clean_name(name), **fields)
        session.add(pilot)
        session.flush()
        return _pilot_record(pilot)


def update_pilot(engine: Engine, pilot_id: int, **fields: object) -> PilotRecord:
    with session_scope(engine) as session:
        pilot = _saved(session, Pilot, pilot_id, "pilot")
        if "name" in fields:
            fields["name"] = _clean_name(fields["name"])
        _set_fields(pilot, fields, _PILOT_FIELDS, "pilot")
        session.flush()
        return _pilot_record(pilot)


def list_pilots(engine: Engine) -> list[PilotRecord]:
    with session_scope(engine) as session:
        rows = session.scalars(select(Pilot).order_by(func.lower(Pilot.name), Pilot.id))
        return [_pilot_record(r) for r in rows]


def get_pilot(engine: Engine, pilot_id: int) -> PilotRecord:
    with session_scope(engine) as session:
        return _pilot_record(_saved(session, Pilot, pilot_id, "pilot"))


def start_assessment(
    engine: Engine,
    pilot_id: int,
    content_version: str,
    position: str = "decision_point",
    source: str = "self",
) -> AssessmentRecord:
    """Open a new assessment of a pilot, with its own unguessable resume token."""
    with session_scope(engine) as session:
        if session.get(Pilot, pilot_id) is None:
            raise NotFoundError(f"No pilot with id {pilot_id}.")
        row = add_assessment(
            session, pilot_id, content_version, position=position, source=source, now=utcnow()
        )
        return _assessment_record(row)


def add_assessment(
    session: Session,
    pilot_id: int,
    content_version: str,
    *,
    position: str,
    source: str,
    now: datetime,
    current_step: int = 0,
    completed: bool = False,
) -> Assessment:
    """A new assessment of a pilot with its own unguessable resume token, added in the
    caller's transaction and flushed, so that it has its id."""
    row = Assessment(
        pilot_id=pilot_id,
        token=new_token(),
        position=position,
        source=source,
        content_version=content_version,
        current_step=current_step,
        created_at=now,
        updated_at=now,
        completed_at=now if completed else None,
    )
    session.add(row)
    session.flush()
    return row


def get_assessment(engine: Engine, *, token: str | None = None, assessment_id: int | None = None):
    """Find an assessment by its resume token (or id); NotFoundError when nothing matches."""
    with session_scope(engine) as session:
        if token is not None:
            cleaned = str(token).strip()
            row = None
            if 16 <= len(cleaned) <= 64:
                row = session.scalar(select(Assessment).where(Assessment.token == cleaned))
        else:
            row = session.get(Assessment, assessment_id)
        if row is None:
            raise NotFoundError(
                "This assessment link is not valid: it may be mistyped or incomplete. "
                "Check the link you saved, or start a new assessment."
            )
        return _assessment_record(row)


def update_assessment(engine: Engine, assessment_id: int, **fields: object) -> AssessmentRecord:
    with session_scope(engine) as session:
        row = _saved(session, Assessment, assessment_id, "assessment")
        _set_fields(row, fields, ("position", "current_step", "completed_at"), "assessment")
        row.updated_at = utcnow()
        session.flush()
        return _assessment_record(row)


def save_answer(
    engine: Engine,
    assessment_id: int,
    question_id: str,
    value: str | None,
    comment: str | None = None,
) -> None:
    """Save one answer as soon as it is given (an upsert); None removes the answer."""
    with session_scope(engine) as session:
        if value is None:
            session.query(Answer).filter_by(
                assessment_id=assessment_id, question_id=question_id
            ).delete()
        else:
            cleaned = (comment or "").strip()[:4000] or None
            upsert(
                session,
                Answer,
                {
                    "assessment_id": assessment_id,
                    "question_id": question_id,
                    "value": value,
                    "comment": cleaned,
                    "updated_at": utcnow(),
                },
                keys=("assessment_id", "question_id"),
                update=("value", "comment", "updated_at"),
            )
        row = session.get(Assessment, assessment_id)
        if row is not None:
            row.updated_at = utcnow()


def save_answers(engine: Engine, assessment_id: int, answers: Mapping[str, str]) -> None:
    """Save many answers in one transaction (bulk imports, demo data)."""
    if not answers:
        return
    with session_scope(engine) as session:
        upsert_answers(session, assessment_id, answers, utcnow())


def upsert_answers(
    session: Session, assessment_id: int, answers: Mapping[str, str], now: datetime
) -> None:
    """Set many answers of one assessment in the caller's transaction; comments are kept."""
    upsert(
        session,
        Answer,
        [
            {
                "assessment_id": assessment_id,
                "question_id": qid,
                "value": value,
                "comment": None,
                "updated_at": now,
            }
            for qid, value in answers.items()
        ],
        keys=("assessment_id", "question_id"),
        update=("value", "updated_at"),
    )


def load_answers(engine: Engine, assessment_id: int) -> dict[str, AnswerRecord]:
    with session_scope(engine) as session:
        rows = session.scalars(select(Answer).where(Answer.assessment_id == assessment_id))
        return {r.question_id: AnswerRecord(r.question_id, r.value, r.comment) for r in rows}


def answer_values(engine: Engine, assessment_id: int) -> dict[str, str]:
    return {qid: a.value for qid, a in load_answers(engine, assessment_id).items()}


def pilot_assessments(engine: Engine, pilot_id: int) -> list[AssessmentRecord]:
    """Every assessment of a pilot, oldest first: its history."""
    with session_scope(engine) as session:
        rows = session.scalars(
            select(Assessment)
            .where(Assessment.pilot_id == pilot_id)
            .order_by(Assessment.created_at, Assessment.id)
        )
        return [_assessment_record(r) for r in rows]


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows per table: lets tests prove a failed action changed nothing."""
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            if inspect(connection).has_table(table.name):
                counts[table.name] = connection.execute(
                    select(func.count()).select_from(table)
                ).scalar_one()
    return counts
