"""Demo data for a first start: pilots at different points, with answers and a history.

Answers are generated from a per-reason pattern rather than fixed question ids, so the demo
keeps working when an organisation tailors its content file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Engine, update

from diagnostics.framework.content import Content
from diagnostics.storage import store
from diagnostics.storage.models import Assessment


@dataclass(frozen=True)
class DemoPilot:
    name: str
    business_unit: str
    owner: str
    weeks_since_start: int
    expected_annual_value: float
    pilot_budget: float
    position: str
    patterns: dict[str, tuple[str, ...]]
    history: tuple[tuple[int, str, dict[str, tuple[str, ...]]], ...] = field(default=())


DEMO_PILOTS: tuple[DemoPilot, ...] = (
    DemoPilot(
        name="Support ticket routing assistant",
        business_unit="Customer Service",
        owner="Head of Customer Service",
        weeks_since_start=9,
        expected_annual_value=480_000,
        pilot_budget=120_000,
        position="decision_point",
        patterns={
            "business_problem": ("yes", "yes", "partly", "yes", "yes", "yes"),
            "data_readiness": ("partly", "no", "yes", "dont_know", "partly", "yes"),
            "production_readiness": ("no", "partly", "no", "dont_know", "partly", "no"),
            "organizational_buy_in": ("yes", "partly", "yes", "no", "yes", "yes"),
            "governance": ("partly", "no", "partly", "yes", "dont_know", "partly"),
            "change_management": ("partly", "yes", "no", "partly", "yes", "partly"),
        },
        history=(
            (
                5,
                "running",
                {
                    "business_problem": ("yes", "partly", "partly", "yes", "no", "yes"),
                    "data_readiness": ("no", "no", "partly", "dont_know", "no", "partly"),
                    "production_readiness": ("no", "no", "no", "dont_know", "no", "no"),
                    "organizational_buy_in": ("yes", "no", "partly", "no", "yes", "partly"),
                    "governance": ("no", "no", "partly", "dont_know", "dont_know", "no"),
                    "change_management": ("no", "partly", "no", "no", "partly", "no"),
                },
            ),
        ),
    ),
    DemoPilot(
        name="Invoice matching for accounts payable",
        business_unit="Finance",
        owner="Finance Operations Director",
        weeks_since_start=14,
        expected_annual_value=350_000,
        pilot_budget=90_000,
        position="preparing_production",
        patterns={
            "business_problem": ("yes",),
            "data_readiness": ("yes", "yes", "partly", "yes"),
            "production_readiness": ("yes", "partly", "yes", "yes"),
            "organizational_buy_in": ("yes",),
            "governance": ("yes", "yes", "partly"),
            "change_management": ("yes", "partly", "yes"),
        },
    ),
    DemoPilot(
        name="Spare-parts demand forecast",
        business_unit="Operations",
        owner="Supply Chain Manager",
        weeks_since_start=38,
        expected_annual_value=600_000,
        pilot_budget=210_000,
        position="decision_point",
        patterns={
            "business_problem": ("no", "partly", "no"),
            "data_readiness": ("no", "dont_know", "no"),
            "production_readiness": ("no",),
            "organizational_buy_in": ("no", "partly", "no"),
            "governance": ("no", "no", "dont_know"),
            "change_management": ("no",),
        },
    ),
    DemoPilot(
        name="Contract clause extraction",
        business_unit="Legal",
        owner="General Counsel",
        weeks_since_start=-1,
        expected_annual_value=150_000,
        pilot_budget=60_000,
        position="about_to_start",
        patterns={
            "business_problem": ("yes",),
            "data_readiness": ("yes", "partly"),
            "production_readiness": ("yes", "partly"),
            "organizational_buy_in": ("yes",),
            "governance": ("yes", "partly", "yes"),
            "change_management": ("yes",),
        },
    ),
)


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
        for weeks_ago, position, patterns in demo.history:
            _add_assessment(engine, content, pilot.id, position, patterns, weeks_ago)
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
