"""Demo data for a first start: pilots at different points, with answers, a history and
the actions their teams adopted into the register (some overdue, some done).

The pilots live in `data/demo_pilots.yaml`, validated on load. Answers are generated from a
per-reason pattern rather than fixed question ids, so the demo keeps working when an
organisation tailors its content file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Engine, update

from diagnostics.actions.register import add_action, update_action
from diagnostics.framework.content import (
    DATA_DIR,
    ID_PATTERN,
    AnswerKey,
    Content,
    read_data_file,
)
from diagnostics.storage import store
from diagnostics.storage.models import ActionStatusChange, RegisterAction

DEMO_PILOTS_PATH = DATA_DIR / "demo_pilots.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Reason key -> the answers its questions take in turn (at least one).
Patterns = dict[
    Annotated[str, Field(pattern=ID_PATTERN)],
    Annotated[tuple[AnswerKey, ...], Field(min_length=1)],
]


class EarlierAssessment(_Model):
    weeks_ago: int = Field(gt=0)
    position: str = Field(pattern=ID_PATTERN)
    patterns: Patterns


class DemoAction(_Model):
    """A register action of the demo: when it was adopted, when it is due (days from the
    day the demo is added; negative: overdue), its status and, once closed, when."""

    title: str = Field(min_length=1)
    owner: str | None = None
    reason: str | None = Field(None, pattern=ID_PATTERN)  # its question: the reason's first gap
    added_weeks_ago: int = Field(ge=0)
    due_in_days: int
    status: Literal["open", "in_progress", "done", "dropped"] = "open"
    closed_weeks_ago: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _dates(self) -> DemoAction:
        if self.due_in_days < -7 * self.added_weeks_ago:
            raise ValueError("due_in_days falls before the action was added")
        closed = self.status in ("done", "dropped")
        if closed != (self.closed_weeks_ago is not None):
            raise ValueError("closed_weeks_ago is given for done or dropped actions only")
        if closed and self.closed_weeks_ago > self.added_weeks_ago:
            raise ValueError("closed_weeks_ago falls before the action was added")
        return self


class DemoPilot(_Model):
    name: str = Field(min_length=1)
    business_unit: str
    owner: str
    weeks_since_start: int
    expected_annual_value: float = Field(ge=0)
    pilot_budget: float = Field(ge=0)
    position: str = Field(pattern=ID_PATTERN)
    patterns: Patterns
    history: tuple[EarlierAssessment, ...] = ()
    actions: tuple[DemoAction, ...] = ()


class DemoPilots(_Model):
    version: str
    pilots: tuple[DemoPilot, ...] = Field(min_length=1)


@lru_cache(maxsize=4)
def load_demo_pilots(path: str | Path = DEMO_PILOTS_PATH) -> tuple[DemoPilot, ...]:
    """The demo pilots of the data file (a ContentError names a bad entry)."""
    return read_data_file(path, DemoPilots).pilots


DEMO_PILOTS: tuple[DemoPilot, ...] = load_demo_pilots()


def demo_answers(content: Content, patterns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Answer every question by cycling through its reason's pattern."""
    answers: dict[str, str] = {}
    for reason in content.reasons:
        pattern = patterns.get(reason.key, ("partly",))
        for i, question in enumerate(content.questions_for(reason.key)):
            answers[question.id] = pattern[i % len(pattern)]
    return answers


def seed_demo(engine: Engine, content: Content, today: date | None = None) -> bool:
    """Add the demo pilots if the database holds no pilot yet; True when it added them."""
    if store.list_pilots(engine):
        return False
    today = today or date.today()
    for demo in DEMO_PILOTS:
        pilot = store.create_pilot(
            engine,
            demo.name,
            business_unit=demo.business_unit,
            owner=demo.owner,
            start_date=today - timedelta(weeks=demo.weeks_since_start),
            expected_annual_value=demo.expected_annual_value,
            pilot_budget=demo.pilot_budget,
            is_demo=True,
        )
        for earlier in demo.history:
            _add_assessment(
                engine, content, pilot.id, earlier.position, earlier.patterns, earlier.weeks_ago
            )
        _add_assessment(engine, content, pilot.id, demo.position, demo.patterns, 0)
        answers = demo_answers(content, demo.patterns)
        for action in demo.actions:
            _add_action(engine, content, action, today, pilot.id, answers)
    _seed_demo_portfolio(engine, content)
    return True


def _gap(content: Content, reason: str | None, answers: Mapping[str, str]) -> str | None:
    """The reason's first question not answered Yes: the gap a demo action addresses."""
    if reason is None:
        return None
    for question in content.questions_for(reason):
        if answers.get(question.id) != "yes":
            return question.id
    return None


def _add_action(
    engine: Engine,
    content: Content,
    action: DemoAction,
    today: date,
    pilot_id: int,
    answers: Mapping[str, str],
) -> None:
    """One register action of a demo pilot, dated as the demo file says: adopted weeks ago,
    closed later."""
    added = today - timedelta(weeks=action.added_weeks_ago)
    active = action.status in ("open", "in_progress")
    record = add_action(
        engine,
        title=action.title,
        pilot_id=pilot_id,
        question_id=_gap(content, action.reason, answers),
        reason=action.reason if action.reason in content.reasons_by_key else None,
        owner=action.owner,
        due_date=today + timedelta(days=action.due_in_days),
        status=action.status if active else "open",
        source="assessment",
        today=added,
        via="demo",
    )
    if not active:
        update_action(engine, record.id, status=action.status, today=today, via="demo")
    # Back-date the adoption and the closing, so the follow-up over time has a past.
    now = datetime.now(UTC)
    adopted = now - timedelta(weeks=action.added_weeks_ago)
    closed = None if active else now - timedelta(weeks=action.closed_weeks_ago or 0)
    with store.session_scope(engine) as session:
        session.execute(
            update(RegisterAction)
            .where(RegisterAction.id == record.id)
            .values(
                created_at=adopted,
                updated_at=closed or adopted,
                completed_at=closed if action.status == "done" else None,
            )
        )
        session.execute(
            update(ActionStatusChange)
            .where(ActionStatusChange.action_id == record.id)
            .values(changed_at=adopted)
        )
        if closed is not None:
            session.execute(
                update(ActionStatusChange)
                .where(
                    ActionStatusChange.action_id == record.id,
                    ActionStatusChange.from_status.is_not(None),
                )
                .values(changed_at=closed)
            )


def _add_assessment(engine, content, pilot_id, position, patterns, weeks_ago) -> None:
    """A completed self-assessment of the pilot, answered `weeks_ago` weeks ago."""
    answered = datetime.now(UTC) - timedelta(weeks=weeks_ago)
    with store.session_scope(engine) as session:
        row = store.add_assessment(
            session,
            pilot_id,
            content.version,
            position=position,
            source="self",
            now=answered,
            current_step=len(content.reasons) + 1,
            completed=True,
        )
        store.upsert_answers(session, row.id, demo_answers(content, patterns), answered)


def _seed_demo_portfolio(engine: Engine, content: Content) -> None:
    """A demo portfolio, once the portfolio store is available."""
    try:
        from diagnostics.storage import portfolios as portfolio_store
    except ImportError:
        return
    seed = getattr(portfolio_store, "seed_demo_portfolio", None)
    if seed is not None:
        seed(engine, content)
