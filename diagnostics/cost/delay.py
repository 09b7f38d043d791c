"""Cost of delay for one pilot: the value it forgoes while it is later than the recommended path.

A pilot run by the book reaches production about 22 weeks after its start (the longest
recommended pilot, decision window and production preparation). Every week beyond that,
its expected annual value is not being earned: opportunity cost = annual value ÷ 52 × weeks
late. The portfolio cost model (`diagnostics.cost`) applies the same idea to many pilots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from diagnostics.formats import DAYS_PER_WEEK, format_money
from diagnostics.framework.content import Content
from diagnostics.framework.timeline import format_day

WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12
# Once the model is live its value is being earned: delay no longer accrues.
LIVE_POSITIONS = frozenset({"rolling_out"})


@dataclass(frozen=True)
class DelayCost:
    """`cost_so_far` and `cost_per_month` are None when they cannot be known."""

    production_due: date | None
    weeks_late: float
    cost_so_far: float | None
    cost_per_month: float | None
    accruing: bool
    message: str


def delay_cost(
    content: Content,
    *,
    start: date | None,
    expected_annual_value: float | None,
    today: date,
    position: str | None = None,
    currency: str | None = None,
) -> DelayCost:
    """The value forgone so far and per further month, against the recommended path."""
    if start is None:
        return DelayCost(
            None, 0.0, None, None, False, "Add the start date to see the cost of delay."
        )
    weeks_to_production = content.timeframes.recommended_path_weeks
    due = start + timedelta(days=round(weeks_to_production * DAYS_PER_WEEK))
    weeks_late = max(0.0, (today - due).days / DAYS_PER_WEEK)
    value = expected_annual_value if expected_annual_value and expected_annual_value > 0 else None
    per_month = None if value is None else value / MONTHS_PER_YEAR
    path_text = f"the recommended {weeks_to_production:g}-week path"
    if position in LIVE_POSITIONS:
        return DelayCost(
            due,
            weeks_late,
            None,
            per_month,
            False,
            "The model is live and earning its value, so delay no longer adds cost.",
        )
    if value is None:
        return DelayCost(
            due,
            weeks_late,
            None,
            None,
            weeks_late > 0,
            f"On {path_text} production is due by {format_day(due)}. Add the expected annual "
            "value to see what each month of delay costs.",
        )
    if weeks_late == 0:
        return DelayCost(
            due,
            0.0,
            0.0,
            per_month,
            False,
            f"On {path_text} production is due by {format_day(due)}. After that, each month "
            f"without it forgoes about {format_money(per_month, currency)} of expected value.",
        )
    cost = value * weeks_late / WEEKS_PER_YEAR
    return DelayCost(
        due,
        weeks_late,
        cost,
        per_month,
        True,
        f"{weeks_late:.0f} weeks past {path_text} (production was due by {format_day(due)}): "
        f"about {format_money(cost, currency)} of expected value forgone so far, and "
        f"{format_money(per_month, currency)} more each month.",
    )
