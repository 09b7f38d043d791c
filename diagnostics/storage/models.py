"""Database tables (SQLAlchemy 2.x). The schema itself is created and changed only by the
Alembic migrations in `diagnostics/storage/migrations/`; these classes describe it for queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column
from sqlalchemy.types import TypeEngine

from diagnostics.portfolio.fields import CANONICAL_COLUMNS, FIELDS, STAGE_RAW, FieldKind

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class HasId:
    """A table whose rows are numbered by an integer `id` primary key, its first column."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1)


def reference(table: str, *, ondelete: str = "CASCADE", **options) -> MappedColumn:
    """A column pointing at `table.id`; by default a deleted row takes its references along."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete=ondelete), **options)


class Pilot(HasId, Base):
    """One AI pilot, assessed alone, in a workshop, or linked from a portfolio row."""

    __tablename__ = "pilots"

    name: Mapped[str] = mapped_column(String(300))
    business_unit: Mapped[str | None] = mapped_column(String(300))
    owner: Mapped[str | None] = mapped_column(String(300))
    start_date: Mapped[date | None] = mapped_column(Date)
    expected_annual_value: Mapped[float | None] = mapped_column(Float)
    pilot_budget: Mapped[float | None] = mapped_column(Float)
    portfolio_ref: Mapped[str | None] = mapped_column(String(300))
    currency: Mapped[str | None] = mapped_column(String(3))  # EUR, USD...: named, not converted
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class PilotLink(HasId, Base):
    """A portfolio row confirmed as a saved pilot (`linked`), or told apart from it.

    Keyed on the portfolio's name and the row's key (its id from the sheet, else its
    normalised name), so a correction carries over to the next version of the portfolio.
    """

    __tablename__ = "pilot_links"
    __table_args__ = (UniqueConstraint("portfolio_name", "row_key", "pilot_id"),)

    portfolio_name: Mapped[str] = mapped_column(String(200))
    row_key: Mapped[str] = mapped_column(String(400))
    pilot_id: Mapped[int] = reference("pilots", index=True)
    linked: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Assessment(HasId, Base):
    """One pass through the questionnaire; `token` is the unguessable resume link."""

    __tablename__ = "assessments"

    pilot_id: Mapped[int] = reference("pilots", index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[str] = mapped_column(String(40), default="decision_point")
    source: Mapped[str] = mapped_column(String(20), default="self")
    content_version: Mapped[str] = mapped_column(String(40))
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Answer(HasId, Base):
    """One answer; unique per assessment and question so saving is an upsert."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    assessment_id: Mapped[int] = reference("assessments", index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ActionItem(HasId, Base):
    """An agreed action with an owner and a due date (from a workshop or a manager)."""

    __tablename__ = "action_items"

    assessment_id: Mapped[int] = reference("assessments", index=True)
    question_id: Mapped[str | None] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(300))
    due_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Portfolio(HasId, Base):
    """One uploaded portfolio version; uploads under the same name are its versions."""

    __tablename__ = "portfolios"

    name: Mapped[str] = mapped_column(String(200), index=True)
    source_filename: Mapped[str | None] = mapped_column(Text)
    source_hash: Mapped[str | None] = mapped_column(String(64))
    sheet: Mapped[str | None] = mapped_column(Text)
    mapping_json: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


# How a canonical portfolio field of each kind (see `portfolio.fields`) is stored.
STORED_AS: dict[FieldKind, TypeEngine] = {
    "id": Text(),
    "text": Text(),
    "stage": String(20),
    "date": Date(),
    "money": Float(),
    "count": Float(),
}


def _canonical_columns() -> list[Column]:
    """The canonical frame's columns, in order, each stored as its field's kind says: the stage
    as written is text, and only the stage itself is required."""
    kinds: dict[str, FieldKind] = {field.key: field.kind for field in FIELDS} | {STAGE_RAW: "text"}
    return [
        Column(key, STORED_AS[kinds[key]], nullable=kinds[key] != "stage")
        for key in CANONICAL_COLUMNS
    ]


class PortfolioPilot(Base):
    """One row of a portfolio in canonical form: its columns come from `portfolio.fields`, so a
    new field needs only its migration; per-reason scores and answers in `extra`."""

    __tablename__ = "portfolio_pilots"
    __table__ = Table(
        __tablename__,
        Base.metadata,
        Column("portfolio_id", ForeignKey("portfolios.id", ondelete="CASCADE"), primary_key=True),
        Column("row_number", Integer, primary_key=True),
        *_canonical_columns(),
        Column("extra", JSON),
    )


class Workshop(HasId, Base):
    """A group assessing one pilot together. Its whole state is in the database (several app
    processes serve one workshop), never in a server's memory.

    Only a hash of the facilitator token is kept: a copy of the database does not hand
    out control of a running workshop.
    """

    __tablename__ = "workshops"

    pilot_id: Mapped[int] = reference("pilots", index=True)
    assessment_id: Mapped[int | None] = reference("assessments", ondelete="SET NULL")
    title: Mapped[str] = mapped_column(String(300))
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    facilitator_hash: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[str] = mapped_column(String(40))
    content_version: Mapped[str] = mapped_column(String(40))
    pacing: Mapped[str] = mapped_column(String(20))
    current_reason: Mapped[str | None] = mapped_column(String(80))
    current_question: Mapped[str | None] = mapped_column(String(80))
    ask_names: Mapped[bool] = mapped_column(Boolean, default=False)
    join_open: Mapped[bool] = mapped_column(Boolean, default=True)
    # Reveal a question's results by itself once everyone who joined has answered it.
    auto_reveal: Mapped[bool] = mapped_column(Boolean, default=False)
    # The countdown: seconds each question (or reason, or the questionnaire) gets once opened,
    # None when off; the running clock's start and end, None while no clock runs.
    countdown_seconds: Mapped[int | None] = mapped_column(Integer)
    clock_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deadline_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WorkshopQuestion(Base):
    """A question of a workshop: whether votes are locked and results revealed."""

    __tablename__ = "workshop_questions"

    workshop_id: Mapped[int] = reference("workshops", primary_key=True)
    question_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    # 1, then 2 once the group votes again after discussing the first results.
    round: Mapped[int] = mapped_column(Integer, default=1)


class WorkshopParticipant(HasId, Base):
    """Someone who joined with the code; `token_hash` lets them come back after a reload."""

    __tablename__ = "workshop_participants"
    __table_args__ = (UniqueConstraint("id", "workshop_id"),)

    workshop_id: Mapped[int] = reference("workshops", index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(80))
    role: Mapped[str | None] = mapped_column(String(20))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _in_own_workshop() -> tuple[ForeignKeyConstraint, ForeignKeyConstraint]:
    """A vote's participant and question must both belong to the vote's own workshop."""
    return (
        ForeignKeyConstraint(
            ["participant_id", "workshop_id"],
            ["workshop_participants.id", "workshop_participants.workshop_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["workshop_id", "question_id"],
            ["workshop_questions.workshop_id", "workshop_questions.question_id"],
            ondelete="CASCADE",
        ),
    )


class WorkshopVote(HasId, Base):
    """One participant's answer to one question: unique, so changing it is an upsert.

    The composite foreign keys make a vote in another workshop impossible at the database
    level: the participant and the question must both belong to `workshop_id`.
    """

    __tablename__ = "workshop_votes"
    __table_args__ = (
        UniqueConstraint("participant_id", "question_id"),
        *_in_own_workshop(),
    )

    workshop_id: Mapped[int] = mapped_column(Integer, index=True)
    participant_id: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WorkshopRoundVote(HasId, Base):
    """A vote of an earlier round, kept as it was when the facilitator opened the next one."""

    __tablename__ = "workshop_round_votes"
    __table_args__ = (
        UniqueConstraint("participant_id", "question_id", "round"),
        *_in_own_workshop(),
    )

    workshop_id: Mapped[int] = mapped_column(Integer, index=True)
    participant_id: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(80))
    round: Mapped[int] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class JoinAttempt(HasId, Base):
    """A try at a join code, kept so that every app process slows down the same guesser."""

    __tablename__ = "workshop_join_attempts"

    client_key: Mapped[str] = mapped_column(String(64), index=True)
    attempted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class RegisterAction(HasId, Base):
    """An action in the register: adopted from a result or added by hand, followed to done.

    `pilot_id` is empty for an action of the whole organisation; `source_ref` names what it
    was adopted from (one adoption per recommendation, however often the button is pressed).
    """

    __tablename__ = "register_actions"

    pilot_id: Mapped[int | None] = reference("pilots", index=True)
    assessment_id: Mapped[int | None] = reference("assessments", ondelete="SET NULL")
    question_id: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(120))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str | None] = mapped_column(String(120), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ActionStatusChange(HasId, Base):
    """One change of an action's status (the first has no `from_status`: its creation)."""

    __tablename__ = "register_action_changes"

    action_id: Mapped[int] = reference("register_actions", index=True)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    via: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
