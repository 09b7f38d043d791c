"""A stopped or retired pilot stops costing on its stop date: worked out by hand with the
figures of `test_cost` (team cost and value both 1,000 a day, decision point on day 70,
recommended go-live on day 154, no value ramp)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_cost import AS_OF, VALUE, ago, assumptions, frame_of

from diagnostics.cost import compute_cost, cost_sheets
from diagnostics.cost.model import STATUS_LABELS

# Started 300 days ago, decided 200 days ago (day 100), stopped 100 days ago (day 200).
DECIDED_THEN_STOPPED = {
    "pilot_id": "R-1",
    "business_unit": "Ops",
    "stage": "retired",
    "start_date": ago(300),
    "decision_date": ago(200),
    "stop_date": ago(100),
    "pilot_budget": 50_000,
    "expected_annual_value": VALUE,
}


def test_a_retired_pilot_costs_until_its_stop_date_not_its_decision_date() -> None:
    result = compute_cost(frame_of([DECIDED_THEN_STOPPED]), assumptions())
    pilot = result.pilots.iloc[0]
    # spend until day 200: 50,000 + (200 - 70) × 1,000; value awaited from day 154 to 200
    assert pilot["direct_cost"] == pytest.approx(180_000)
    assert pilot["opportunity_cost"] == pytest.approx(46_000)
    assert result.totals["total"] == pytest.approx(226_000)
    assert pilot["status"] == "stopped_late"
    assert pilot["months_past_decision_point"] == pytest.approx(130 / 30.4375)


def test_without_a_stop_date_the_decision_date_still_stands() -> None:
    row = {**DECIDED_THEN_STOPPED, "stop_date": None}
    result = compute_cost(frame_of([row]), assumptions())
    # stopped on day 100: 50,000 + 30 × 1,000, before its go-live was due
    assert result.totals["direct"] == pytest.approx(80_000)
    assert result.totals["opportunity"] == 0


def test_a_stop_date_alone_is_enough_and_a_stop_before_the_start_is_left_out() -> None:
    rows = [
        # no budget: 70 days × 1,000 estimated; stopped on day 200, so 130 days over
        {"stage": "retired", "start_date": ago(300), "stop_date": ago(100)},
        {"stage": "retired", "start_date": ago(100), "stop_date": ago(300), "pilot_budget": 1},
    ]
    result = compute_cost(frame_of(rows), assumptions())
    assert result.pilots["direct_cost"].tolist() == pytest.approx([70_000 + 130_000, 0])
    assert result.left_out_counts() == {"decision or stop date before start date": 1}


def test_a_stop_date_after_the_as_of_date_counts_up_to_today() -> None:
    row = {**DECIDED_THEN_STOPPED, "stop_date": AS_OF.replace(year=AS_OF.year + 1)}
    result = compute_cost(frame_of([row]), assumptions())
    # day 300 is today: 50,000 + 230 × 1,000; value awaited from day 154: 146 × 1,000
    assert result.totals["direct"] == pytest.approx(280_000)
    assert result.totals["opportunity"] == pytest.approx(146_000)


def test_trust_signals_and_the_month_by_month_curve_follow_the_stop_date() -> None:
    # decided 500 days ago but stopped 100 days ago: a stop within the last 12 months
    row = {**DECIDED_THEN_STOPPED, "start_date": ago(600), "decision_date": ago(500)}
    result = compute_cost(frame_of([row]), assumptions())
    assert result.by_unit.set_index("business_unit").loc["Ops", "stopped_12m"] == 1
    # spend from day 70 to day 500 of the pilot (stopped 100 days ago)
    assert result.totals["direct"] == pytest.approx(50_000 + 430_000)
    monthly = result.monthly.set_index("month")["direct"]
    assert monthly.iloc[-1] == pytest.approx(result.totals["direct"])
    # the month ends after the stop (100 days ago) all show the same cost to date
    after = monthly[monthly.index > AS_OF.replace(month=3, day=22).isoformat()]
    assert len(after) >= 3
    assert after.nunique() == 1


def test_the_export_carries_the_stop_and_the_cost_it_ends() -> None:
    sheets = cost_sheets(compute_cost(frame_of([DECIDED_THEN_STOPPED]), assumptions()))
    pilots = next(frame for name, frame in sheets.items() if "ilot" in name)
    row = pilots.iloc[0]
    assert row["Where it stands"] == STATUS_LABELS["stopped_late"]
    assert row["Stopped on"] == pd.Timestamp(ago(100))
    assert (row["Direct cost"], row["Opportunity cost"], row["Total cost"]) == (
        180_000,
        46_000,
        226_000,
    )


def test_the_portfolio_counts_a_retired_pilots_weeks_to_its_stop_date_too() -> None:
    from diagnostics.framework.content import load_content
    from diagnostics.portfolio.analysis import analyse_portfolio, export_frame

    content = load_content()
    rows = [DECIDED_THEN_STOPPED, {**DECIDED_THEN_STOPPED, "pilot_id": "R-2", "stop_date": None}]
    analysis = analyse_portfolio(frame_of(rows), content, as_of=AS_OF)
    # 300 - 100 = 200 days to the stop; 300 - 200 = 100 days to the decision without one
    assert analysis.pilots["weeks_in_pilot"].tolist() == [round(200 / 7, 1), round(100 / 7, 1)]
    assert export_frame(analysis, content)["Weeks in pilot"].tolist() == [28.6, 14.3]
