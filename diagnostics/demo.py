"""Demo data for a first start: pilots at different points, with answers and a history.

The pilots live in `data/demo_pilots.yaml`, validated on load. Answers are generated from a
per-reason pattern rather than fixed question ids, so the demo keeps working when an
organisation tailors its content file.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, update

from diagnostics.framework.content import (
    DATA_DIR,
    ID_PATTERN,
    AnswerKey,
    Content,
    read_data_file,
)
from diagnostics.storage import store
from diagnostics.storage.models import Assessment

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
    _seed_demo_portfolio(engine, content)
    return True


def _add_assessment(engine, content, pilot_id, position, patterns, weeks_ago) -> None:
    record = store.start_assessment(engine, pilot_id, content.version, position=position)
    store.save_answers(engine, record.id, demo_answers(content, patterns))
    when = record.created_at - timedelta(weeks=weeks_ago)
    with store.session_scope(engine) as session:
        session.execute(
            update(Assessment)
            .where(Assessment.id == record.id)
            .values(
                created_at=when,
                updated_at=when,
                completed_at=when,
                current_step=len(content.reasons) + 1,
            )
        )


def _seed_demo_portfolio(engine: Engine, content: Content) -> None:
    """A demo portfolio, once the portfolio store is available."""
    try:
        from diagnostics.storage import portfolios as portfolio_store
    except ImportError:
        return
    seed = getattr(portfolio_store, "seed_demo_portfolio", None)
    if seed is not None:
        seed(engine, content)
