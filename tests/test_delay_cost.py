"""Cost of delay for one pilot, on hand-computed examples.

Start Monday 5 Jan 2026; the recommended path (8 + 2 + 12 weeks = 22 weeks = 154 days)
puts production at Monday 8 Jun 2026.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diagnostics.cost.delay import delay_cost
from diagnostics.formats import format_money
from diagnostics.framework.content import load_content

CONTENT = load_content()
START = date(2026, 1, 5)


def test_four_weeks_late_costs_four_52nds_of_the_annual_value() -> None:
    cost = delay_cost(CONTENT, start=START, expected_annual_value=520_000, today=date(2026, 7, 6))
    assert cost.production_due == date(2026, 6, 8)
    assert cost.weeks_late == 4
    assert cost.cost_so_far == pytest.approx(40_000)  # 520,000 / 52 * 4
    assert cost.cost_per_month == pytest.approx(520_000 / 12)
    assert cost.accruing
    assert "about 40k of expected value forgone so far" in cost.message
    assert "43k more each month" in cost.message


def test_on_time_costs_nothing_yet_but_says_what_a_month_would_cost() -> None:
    cost = delay_cost(CONTENT, start=START, expected_annual_value=120_000, today=date(2026, 6, 8))
    assert (cost.weeks_late, cost.cost_so_far, cost.accruing) == (0, 0, False)
    assert "8 Jun 2026" in cost.message
    assert "about 10k of expected value" in cost.message


def test_missing_inputs_are_said_plainly() -> None:
    no_start = delay_cost(CONTENT, start=None, expected_annual_value=1e6, today=START)
    assert no_start.cost_so_far is None
    assert "start date" in no_start.message
    no_value = delay_cost(CONTENT, start=START, expected_annual_value=None, today=date(2027, 1, 1))
    assert no_value.cost_so_far is None
    assert "expected annual value" in no_value.message


def test_a_live_model_accrues_no_delay() -> None:
    cost = delay_cost(
        CONTENT,
        start=START,
        expected_annual_value=520_000,
        today=date(2027, 1, 4),
        position="rolling_out",
    )
    assert not cost.accruing
    assert cost.cost_so_far is None


@pytest.mark.parametrize(
    ("value", "text"),
    [(950, "950"), (9_999, "9,999"), (12_300, "12k"), (1_250_000, "1.2M"), (2.5e9, "2.5bn")],
)
def test_format_money(value, text) -> None:
    assert format_money(value) == text


@given(
    value=st.floats(min_value=1, max_value=1e9),
    days=st.integers(min_value=0, max_value=3000),
)
def test_cost_grows_with_time_and_never_goes_negative(value, days) -> None:
    today = date.fromordinal(START.toordinal() + days)
    later = date.fromordinal(today.toordinal() + 7)
    now = delay_cost(CONTENT, start=START, expected_annual_value=value, today=today)
    after = delay_cost(CONTENT, start=START, expected_annual_value=value, today=later)
    assert now.cost_so_far >= 0
    assert after.cost_so_far >= now.cost_so_far
