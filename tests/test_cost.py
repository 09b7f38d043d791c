"""The cost model, checked against portfolios whose costs are worked out by hand.

To keep the hand arithmetic simple most tests use a team cost of 30,437.5 a month and an
expected value of 365,250 a year: with a month of 30.4375 days (365.25 / 12), both come to
exactly 1,000 a day. The decision point is 70 days (10 weeks) after the start and the
recommended go-live 154 days (22 weeks) after it.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnostics.cost import (
    ASSUMPTIONS,
    CostAssumptions,
    compute_cost,
    cost_sheets,
    export_filename,
    make_assumptions,
    overdue_open_pilots,
    stop_now,
    stop_table,
)
from diagnostics.errors import DiagnosticError
from diagnostics.framework.content import load_content
from diagnostics.portfolio.fields import DATE_FIELDS, NUMBER_FIELDS, STAGE_RAW, TEXT_FIELDS
from diagnostics.portfolio.stages import CANONICAL_STAGES, STAGE_DTYPE

AS_OF = date(2026, 6, 30)
PER_DAY = 1_000.0
TEAM = 30_437.5  # 1,000 a day
VALUE = 365_250.0  # 1,000 a day
TEXT = (*TEXT_FIELDS, STAGE_RAW)


def frame_of(rows: list[dict]) -> pd.DataFrame:
    """A canonical portfolio frame (every column present, NA where a row gives nothing)."""
    frame = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    for name in TEXT:
        values = [r.get(name) for r in rows]
        if name == "pilot_id":
            values = [v or f"row-{i + 1}" for i, v in enumerate(values)]
        frame[name] = pd.Series(values, dtype="str", index=frame.index)
    frame["stage"] = pd.Categorical([r.get("stage", "unknown") for r in rows], dtype=STAGE_DTYPE)
    for name in DATE_FIELDS:
        frame[name] = pd.to_datetime(pd.Series([r.get(name) for r in rows], dtype=object)).astype(
            "datetime64[ns]"
        )
    for name in NUMBER_FIELDS:
        frame[name] = pd.Series([r.get(name, np.nan) for r in rows], dtype="float64")
    return frame


def ago(days: float) -> date:
    return AS_OF - timedelta(days=days)


def assumptions(**changes) -> CostAssumptions:
    values = {
        "recommended_path_weeks": 22,
        "decision_point_weeks": 10,
        "monthly_team_cost": TEAM,
        "value_ramp_months": 0,
        "as_of": AS_OF,
    }
    return make_assumptions({**values, **changes})


# The reference portfolio ------------------------------------------------------------------

REFERENCE = [
    # 200 days open; decision point at 70: 130 days over. Direct 50,000 + 130 × 1,000 =
    # 180,000. Go-live due at 154: 46 days late, opportunity 46 × 1,000 = 46,000.
    {
        "pilot_id": "stuck",
        "stage": "pilot",
        "business_unit": "Ops",
        "start_date": ago(200),
        "pilot_budget": 50_000,
        "expected_annual_value": VALUE,
    },
    # Stopped on day 100, no budget: planned spend 70 days × 1,000 = 70,000, plus 30 days
    # over = 100,000. Stopped before go-live was due (day 154): no opportunity cost.
    {
        "pilot_id": "late-stop",
        "stage": "retired",
        "business_unit": "Ops",
        "start_date": ago(300),
        "decision_date": ago(200),
        "expected_annual_value": VALUE,
    },
    # Stopped on day 60, before the decision point: stopping on time costs nothing.
    {
        "pilot_id": "early-stop",
        "stage": "retired",
        "business_unit": "HR",
        "start_date": ago(300),
        "decision_date": ago(240),
        "pilot_budget": 90_000,
        "expected_annual_value": VALUE,
    },
    # Live on day 254, due on day 154: 100 days of value lost = 100,000; no direct cost.
    {
        "pilot_id": "late-live",
        "stage": "production",
        "business_unit": "HR",
        "start_date": ago(400),
        "decision_date": ago(146),
        "pilot_budget": 80_000,
        "expected_annual_value": VALUE,
    },
    # Live on day 150, within the path: nothing.
    {
        "pilot_id": "on-time-live",
        "stage": "production",
        "business_unit": "HR",
        "start_date": ago(400),
        "decision_date": ago(250),
        "expected_annual_value": VALUE,
    },
    # 50 days in, decision not yet due: nothing.
    {
        "pilot_id": "young",
        "stage": "development",
        "business_unit": "IT",
        "start_date": ago(50),
        "pilot_budget": 25_000,
        "expected_annual_value": VALUE,
    },
    # An idea is not being worked on, whatever its date.
    {
        "pilot_id": "idea",
        "stage": "idea",
        "business_unit": "IT",
        "start_date": ago(500),
        "pilot_budget": 10_000,
    },
    # Left out: the stage is unknown, and an open pilot without a start date.
    {"pilot_id": "mystery", "stage": "unknown", "start_date": ago(500), "pilot_budget": 1e6},
    {
        "pilot_id": "undated",
        "stage": "pilot",
        "business_unit": "IT",
        "pilot_budget": 1e6,
        "expected_annual_value": VALUE,
    },
    # 100 days open: 10,000 + 30 × 1,000 = 40,000 direct; no value, so no opportunity cost.
    {"pilot_id": "no-value", "stage": "decision", "start_date": ago(100), "pilot_budget": 10_000},
]
EXPECTED = {
    "stuck": (180_000, 46_000),
    "late-stop": (100_000, 0),
    "early-stop": (0, 0),
    "late-live": (0, 100_000),
    "on-time-live": (0, 0),
    "young": (0, 0),
    "idea": (0, 0),
    "mystery": (0, 0),
    "undated": (0, 0),
    "no-value": (40_000, 0),
}


@pytest.fixture
def reference():
    return compute_cost(frame_of(REFERENCE), assumptions())


def test_each_pilot_costs_what_the_hand_computation_says(reference) -> None:
    got = reference.pilots.set_index("pilot_id")
    for pilot_id, (direct, opportunity) in EXPECTED.items():
        assert got.loc[pilot_id, "direct_cost"] == pytest.approx(direct), pilot_id
        assert got.loc[pilot_id, "opportunity_cost"] == pytest.approx(opportunity), pilot_id


def test_totals_add_up(reference) -> None:
    assert reference.totals["direct"] == pytest.approx(320_000)
    assert reference.totals["opportunity"] == pytest.approx(146_000)
    assert reference.totals["total"] == pytest.approx(466_000)
    assert reference.totals["pilots_left_out"] == 2
    assert reference.totals["pilots_with_cost"] == 4
    assert reference.totals["direct_from_estimates"] == pytest.approx(100_000)


def test_statuses_say_where_each_pilot_stands(reference) -> None:
    status = reference.pilots.set_index("pilot_id")["status"].astype(str).to_dict()
    assert status == {
        "stuck": "stuck",
        "late-stop": "stopped_late",
        "early-stop": "stopped_on_time",
        "late-live": "live_late",
        "on-time-live": "live_on_time",
        "young": "on_track",
        "idea": "not_started",
        "mystery": "left_out",
        "undated": "left_out",
        "no-value": "stuck",
    }


def test_business_units_are_summed_and_sorted_with_unassigned_kept(reference) -> None:
    units = reference.by_unit.set_index("business_unit")
    # Ops: 180,000 + 46,000 + 100,000; HR: 100,000; Unassigned: "mystery" and "no-value".
    assert list(units.index[:3]) == ["Ops", "HR", "Unassigned"]
    assert units.loc["Ops", "total_cost"] == pytest.approx(326_000)
    assert units.loc["HR", "total_cost"] == pytest.approx(100_000)
    assert units.loc["Unassigned", "total_cost"] == pytest.approx(40_000)
    assert units.loc["IT", "total_cost"] == 0
    assert units.loc["Unassigned", "pilots"] == 2
    assert units.loc["IT", "left_out"] == 1


def test_trust_signals_count_stuck_and_recently_stopped_pilots(reference) -> None:
    units = reference.by_unit.set_index("business_unit")
    # Ops: "stuck" open past its decision point; "late-stop" stopped 200 days ago.
    assert units.loc["Ops", "stuck_now"] == 1
    assert units.loc["Ops", "stopped_12m"] == 1
    assert units.loc["Ops", "live_12m"] == 0
    assert units.loc["Ops", "trust_signal"] == "Some"
    # HR: one stopped 240 days ago, one live 146 days ago, one live 250 days ago.
    assert units.loc["HR", "stopped_12m"] == 1
    assert units.loc["HR", "live_12m"] == 2
    assert units.loc["HR", "trust_signal"] == "Low"


def test_three_failures_and_nothing_live_is_a_strong_signal() -> None:
    rows = [
        {"stage": "pilot", "business_unit": "Sales", "start_date": ago(300)},
        {"stage": "pilot", "business_unit": "Sales", "start_date": ago(200)},
        {
            "stage": "retired",
            "business_unit": "Sales",
            "start_date": ago(500),
            "decision_date": ago(30),
        },
        # Stopped more than 12 months ago: no longer a recent signal.
        {
            "stage": "retired",
            "business_unit": "Legal",
            "start_date": ago(900),
            "decision_date": ago(400),
        },
    ]
    units = compute_cost(frame_of(rows), assumptions()).by_unit.set_index("business_unit")
    assert units.loc["Sales", "trust_signal"] == "Strong"
    assert units.loc["Legal", "stopped_12m"] == 0
    assert units.loc["Legal", "trust_signal"] == "Low"


def test_missing_data_is_stated_with_counts_and_what_was_done(reference) -> None:
    items = {m.key: m for m in reference.missing}
    # No budget: late-stop, on-time-live, no... only late-stop and on-time-live lack one.
    assert items["pilot_budget"].count == 2
    assert items["pilot_budget"].treatment == "estimated"
    assert "1 of them count as direct cost" in items["pilot_budget"].message
    # No value: idea, mystery, no-value.
    assert items["expected_annual_value"].count == 3
    assert items["expected_annual_value"].treatment == "left out"
    assert "the 1 late pilot among them" in items["expected_annual_value"].message
    assert items["unknown_stage"].count == 1
    assert items["no_start_date"].count == 1
    assert reference.left_out_counts() == {"stage not recognised": 1, "no start date": 1}
    notes = reference.pilots.set_index("pilot_id")["note"]
    assert notes["late-stop"] == "no budget: team cost estimate used"
    assert notes["no-value"] == "no expected value: opportunity cost left out"


def test_complete_data_says_so_in_one_sentence() -> None:
    rows = [
        {
            "stage": "pilot",
            "start_date": ago(10),
            "pilot_budget": 1,
            "decision_date": None,
            "expected_annual_value": 1,
        }
    ]
    result = compute_cost(frame_of(rows), assumptions())
    assert result.missing == ()
    assert result.missing_statement() == [
        "Every pilot has the stage, dates, budget and value the model needs."
    ]


def test_a_zero_team_cost_counts_recorded_budgets_only() -> None:
    frame = frame_of(REFERENCE)
    result = compute_cost(frame, assumptions(monthly_team_cost=0))
    got = result.pilots.set_index("pilot_id")["direct_cost"]
    assert got["stuck"] == pytest.approx(50_000)
    assert got["late-stop"] == 0  # no budget, nothing to estimate with
    assert got["no-value"] == pytest.approx(10_000)
    message = next(m.message for m in result.missing if m.key == "pilot_budget")
    assert "set to 0" in message


def test_value_ramp_after_go_live_is_linear_then_full() -> None:
    """Ramp R = 3 months = 91.3125 days at 1,000 a day at full speed.

    46 days late (inside the ramp): 1,000 × 46² / (2 × 91.3125) = 11,586.58.
    146 days late (past the ramp): 1,000 × (146 − 91.3125 / 2) = 100,343.75.
    Live 100 days late, both dates past the ramp: the shift is 100 days = 100,000.
    """
    rows = [
        {"pilot_id": "a", "stage": "pilot", "start_date": ago(200), "expected_annual_value": VALUE},
        {"pilot_id": "b", "stage": "pilot", "start_date": ago(300), "expected_annual_value": VALUE},
        {
            "pilot_id": "c",
            "stage": "production",
            "start_date": ago(400),
            "decision_date": ago(146),
            "expected_annual_value": VALUE,
        },
    ]
    result = compute_cost(frame_of(rows), assumptions(value_ramp_months=3))
    got = result.pilots.set_index("pilot_id")["opportunity_cost"]
    assert got["a"] == pytest.approx(1_000 * 46**2 / (2 * 91.3125))
    assert got["b"] == pytest.approx(1_000 * (146 - 91.3125 / 2))
    assert got["c"] == pytest.approx(100_000)


def test_month_by_month_accumulates_to_the_total() -> None:
    """One stuck pilot, 200 days open on 30 June, budget 50,000, at 1,000 a day past day 70.

    Its start is 12 Dec 2025, decision point 20 Feb 2026. On 31 Mar 2026 it is 39 days
    over: 89,000; on 30 Apr 2026, 69 days over: 119,000. Before 20 Feb: nothing.
    """
    rows = [{"stage": "pilot", "start_date": ago(200), "pilot_budget": 50_000}]
    result = compute_cost(frame_of(rows), assumptions())
    monthly = result.monthly.set_index(result.monthly["month"].dt.date)
    assert monthly.loc[date(2026, 1, 31), "direct"] == 0
    assert monthly.loc[date(2026, 3, 31), "direct"] == pytest.approx(89_000)
    assert monthly.loc[date(2026, 4, 30), "direct"] == pytest.approx(119_000)
    assert result.monthly["month"].iloc[-1].date() == AS_OF
    assert result.monthly["total"].iloc[-1] == pytest.approx(result.totals["total"])
    assert result.monthly["month"].iloc[0].date() == date(2025, 12, 31)


def test_month_by_month_goes_back_at_most_five_years() -> None:
    rows = [{"stage": "pilot", "start_date": date(2001, 1, 1), "pilot_budget": 1}]
    result = compute_cost(frame_of(rows), assumptions())
    assert len(result.monthly) == 61
    assert result.monthly["month"].iloc[0].date() == date(2021, 6, 30)
    assert result.monthly["direct"].iloc[0] > 0  # cost to date, not cost since the window


def test_production_without_dates_is_counted_on_time_and_said() -> None:
    rows = [
        {"stage": "production", "start_date": ago(900), "expected_annual_value": VALUE},
        {"stage": "production", "decision_date": ago(10), "expected_annual_value": VALUE},
    ]
    result = compute_cost(frame_of(rows), assumptions())
    assert result.totals["total"] == 0
    assert set(result.pilots["status"].astype(str)) == {"live_undated"}
    item = next(m for m in result.missing if m.key == "go_live_date")
    assert (item.count, item.treatment) == (2, "assumed on time")


def test_stopped_without_a_stop_date_or_with_reversed_dates_is_left_out() -> None:
    rows = [
        {"stage": "retired", "start_date": ago(900), "pilot_budget": 1e5},
        {
            "stage": "retired",
            "start_date": ago(100),
            "decision_date": ago(300),
            "pilot_budget": 1e5,
        },
    ]
    result = compute_cost(frame_of(rows), assumptions())
    assert result.totals["total"] == 0
    assert result.left_out_counts() == {
        "stopped, but no stop date": 1,
        "decision or stop date before start date": 1,
    }


def test_negative_money_is_treated_as_missing() -> None:
    rows = [
        {"stage": "pilot", "start_date": ago(100), "pilot_budget": -5, "expected_annual_value": -1}
    ]
    result = compute_cost(frame_of(rows), assumptions())
    assert result.totals["direct"] == pytest.approx(70_000 + 30_000)  # estimated
    assert result.totals["opportunity"] == 0


def test_an_empty_or_unmapped_portfolio_costs_nothing_and_says_why() -> None:
    empty = compute_cost(frame_of([]), assumptions())
    assert empty.totals["total"] == 0
    assert len(empty.monthly) == 1
    unmapped = compute_cost(frame_of([{}, {}]), assumptions())
    assert unmapped.totals["pilots_left_out"] == 2
    assert unmapped.by_unit["business_unit"].tolist() == ["Unassigned"]


def test_a_frame_without_the_canonical_columns_is_refused() -> None:
    with pytest.raises(DiagnosticError, match="expected_annual_value"):
        compute_cost(pd.DataFrame({"pilot_id": ["a"]}), assumptions())


# Assumptions ---------------------------------------------------------------------------


def test_defaults_come_from_the_content_file() -> None:
    a = CostAssumptions.from_content(load_content())
    assert (a.decision_point_weeks, a.recommended_path_weeks) == (10, 22)
    assert a.as_of == date.today()
    assert a.monthly_team_cost > 0


def test_every_assumption_has_a_unit_and_a_help_line_and_a_field() -> None:
    fields = set(CostAssumptions.model_fields)
    assert {spec.key for spec in ASSUMPTIONS} == fields
    for spec in ASSUMPTIONS:
        assert spec.unit, spec.key
        assert len(spec.help) > 30, spec.key
    rows = assumptions().rows()
    assert [r["assumption"] for r in rows] == [s.label for s in ASSUMPTIONS]


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"monthly_team_cost": -1}, "monthly_team_cost"),
        ({"decision_point_weeks": 30}, "decision point"),
        ({"colour": "red"}, "colour"),
        ({"as_of": "yesterday"}, "as_of"),
    ],
)
def test_bad_assumptions_are_refused_naming_the_field(changes, named) -> None:
    with pytest.raises(DiagnosticError, match=named):
        assumptions(**changes)


# The stop-now scenario -------------------------------------------------------------------


def test_stopping_a_stuck_pilot_saves_its_next_year() -> None:
    """Horizon 12 months = 365.25 days. Left running, "stuck" would reach 50,000 +
    (130 + 365.25) × 1,000 = 545,250 direct and (46 + 365.25) × 1,000 = 411,250 opportunity;
    stopped today it stays at 180,000 + 46,000. Saving: 365,250 + 365,250 = 730,500."""
    frame = frame_of(REFERENCE)
    scenario = stop_now(frame, assumptions(), ["stuck"])
    assert scenario.stopped == 1
    assert scenario.saving_direct == pytest.approx(365_250)
    assert scenario.saving_opportunity == pytest.approx(365_250)
    assert scenario.saving == pytest.approx(730_500)
    assert scenario.horizon_end == date(2027, 6, 30)
    assert scenario.cost_today == pytest.approx(466_000)
    assert scenario.pilots["pilot_id"].tolist() == ["stuck"]


def test_the_stop_table_shows_whole_amounts_under_readable_names() -> None:
    """A team cost of 1,000.30 a month does not divide into whole days, so the amounts are
    fractional; the table shown on the cost page rounds them, as its metrics do."""
    scenario = stop_now(frame_of(REFERENCE), assumptions(monthly_team_cost=1_000.3), ["stuck"])
    table = stop_table(scenario)
    assert list(table.columns[:3]) == ["Pilot id", "Pilot", "Business unit"]
    assert scenario.pilots["saving"].iloc[0] % 1 != 0
    assert table["Saving"].iloc[0] == round(scenario.pilots["saving"].iloc[0])
    assert (table[["Cost so far", "Saving"]] % 1 == 0).all().all()


def test_stopping_before_the_decision_point_avoids_the_trap_altogether() -> None:
    """ "young", 50 days in with a 25,000 budget, would be 345.25 days past its decision point
    a year on: 25,000 + 345,250 = 370,250 direct, and 261.25 days late on 1,000 a day of
    value. Stopped today it counts as stopped on time: nothing."""
    frame = frame_of(REFERENCE)
    mask = pd.Series(frame["pilot_id"] == "young", index=frame.index)
    scenario = stop_now(frame, assumptions(), mask)
    assert scenario.saving_direct == pytest.approx(370_250)
    assert scenario.saving_opportunity == pytest.approx(261_250)


def test_only_open_pilots_can_be_stopped() -> None:
    frame = frame_of(REFERENCE)
    scenario = stop_now(frame, assumptions(), ["late-stop", "late-live", "undated", "nope"])
    assert (scenario.selected, scenario.stopped, scenario.not_stoppable) == (3, 0, 3)
    assert scenario.saving == 0


def test_overdue_selection_picks_open_pilots_past_the_path() -> None:
    frame = frame_of(REFERENCE)
    chosen = frame.loc[overdue_open_pilots(frame, assumptions()), "pilot_id"].tolist()
    assert chosen == ["stuck"]  # no-value is 100 days in: past the decision point only


# Exports ------------------------------------------------------------------------------


def test_export_holds_every_table_and_the_assumptions(reference) -> None:
    scenario = stop_now(frame_of(REFERENCE), assumptions(), ["stuck"])
    sheets = cost_sheets(reference, scenario)
    assert list(sheets) == [
        "Summary",
        "Cost per pilot",
        "By business unit",
        "Month by month",
        "Missing data",
        "Assumptions",
        "Stop now",
        "Stop now, per pilot",
    ]
    per_pilot = sheets["Cost per pilot"]
    assert per_pilot["Pilot id"].iloc[0] == "stuck"
    assert per_pilot["Total cost"].iloc[0] == 226_000
    assert "Monthly team cost" in sheets["Assumptions"]["assumption"].tolist()


def test_export_filename_is_safe() -> None:
    name = export_filename("AI pilots / 2026 (v2)", date(2026, 6, 30))
    assert name == "poc-trap-cost-ai-pilots-2026-v2-2026-06-30.xlsx"
    assert export_filename("***", date(2026, 1, 2)) == "poc-trap-cost-portfolio-2026-01-02.xlsx"


# Invariants ----------------------------------------------------------------------------

DAY0 = date(2020, 1, 1)
optional_day = st.one_of(st.none(), st.integers(0, 3000).map(lambda d: DAY0 + timedelta(d)))
optional_money = st.one_of(st.none(), st.floats(-1e3, 1e7, allow_nan=False))
pilot_rows = st.fixed_dictionaries(
    {
        "stage": st.sampled_from(CANONICAL_STAGES),
        "business_unit": st.sampled_from([None, "A", "B"]),
        "start_date": optional_day,
        "decision_date": optional_day,
        "pilot_budget": optional_money,
        "expected_annual_value": optional_money,
    }
).map(
    lambda r: {
        k: (np.nan if v is None and k.endswith(("budget", "value")) else v) for k, v in r.items()
    }
)
portfolios = st.lists(pilot_rows, min_size=0, max_size=25).map(frame_of)
settings_ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
random_assumptions = st.builds(
    lambda dp, extra, team, ramp, horizon: dict(
        decision_point_weeks=dp,
        recommended_path_weeks=dp + extra,
        monthly_team_cost=team,
        value_ramp_months=ramp,
        stop_horizon_months=horizon,
    ),
    st.integers(1, 30),
    st.integers(0, 30),
    st.floats(0, 1e5),
    st.floats(0, 12),
    st.integers(1, 36),
)


@settings_
@given(portfolios, random_assumptions, st.integers(0, 3500))
def test_costs_are_never_negative_nor_missing(frame, values, day) -> None:
    result = compute_cost(frame, make_assumptions({**values, "as_of": DAY0 + timedelta(day)}))
    for column in ("direct_cost", "opportunity_cost", "total_cost"):
        assert result.pilots[column].notna().all()
        assert (result.pilots[column] >= 0).all()
    assert (np.diff(result.monthly["total"]) >= -1e-6).all()


@settings_
@given(portfolios, random_assumptions, st.integers(0, 3500), st.integers(1, 800))
def test_costs_never_decrease_as_the_as_of_date_moves_later(frame, values, day, later) -> None:
    early = compute_cost(frame, make_assumptions({**values, "as_of": DAY0 + timedelta(day)}))
    late = compute_cost(frame, make_assumptions({**values, "as_of": DAY0 + timedelta(day + later)}))
    for column in ("direct_cost", "opportunity_cost"):
        assert (late.pilots[column] >= early.pilots[column] - 1e-6).all(), column


@settings_
@given(
    st.lists(
        st.tuples(st.integers(0, 2000), st.integers(0, 154), optional_money, optional_money),
        max_size=20,
    ),
    st.integers(0, 4000),
)
def test_pilots_live_within_the_path_cost_nothing(pilots, day) -> None:
    rows = [
        {
            "stage": "production",
            "start_date": DAY0 + timedelta(s),
            "decision_date": DAY0 + timedelta(s + days_to_live),
            "pilot_budget": budget,
            "expected_annual_value": value,
        }
        for s, days_to_live, budget, value in pilots
    ]
    frame = frame_of(rows)
    result = compute_cost(frame, assumptions(as_of=DAY0 + timedelta(day)))
    assert result.totals["total"] == 0


@settings_
@given(portfolios, random_assumptions, st.integers(0, 3500), st.data())
def test_stopping_saves_between_nothing_and_the_projected_cost(frame, values, day, data) -> None:
    a = make_assumptions({**values, "as_of": DAY0 + timedelta(day)})
    chosen = data.draw(st.lists(st.booleans(), min_size=len(frame), max_size=len(frame)))
    scenario = stop_now(frame, a, pd.Series(chosen, index=frame.index, dtype=bool))
    assert -1e-6 <= scenario.saving <= scenario.keep_total + 1e-6
    assert scenario.saving_direct >= -1e-6
    assert scenario.saving_opportunity >= -1e-6
    assert scenario.keep_total >= scenario.cost_today - 1e-6


# Speed ---------------------------------------------------------------------------------


def big_portfolio(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    stages = rng.choice(list(CANONICAL_STAGES), size=n)
    start = pd.Timestamp(AS_OF) - pd.to_timedelta(rng.integers(0, 1100, n), unit="D")
    decision = start + pd.to_timedelta(rng.integers(20, 400, n), unit="D")
    frame = pd.DataFrame(
        {
            "pilot_id": pd.Series([f"P{i}" for i in range(n)], dtype="str"),
            "name": pd.Series([f"Pilot {i}" for i in range(n)], dtype="str"),
            "business_unit": pd.Series(rng.choice(["A", "B", "C", "D"], n), dtype="str"),
            "stage": pd.Categorical(stages, dtype=STAGE_DTYPE),
            "start_date": pd.Series(start).where(rng.random(n) > 0.05).astype("datetime64[ns]"),
            "decision_date": pd.Series(decision).astype("datetime64[ns]"),
            "pilot_budget": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(1e4, 1e6, n)),
            "expected_annual_value": np.where(rng.random(n) < 0.2, np.nan, rng.uniform(0, 2e6, n)),
        }
    )
    return frame


def test_a_hundred_thousand_pilots_take_well_under_a_second() -> None:
    """Cost, month by month and the stop-now scenario for 100,000 pilots. Measured as this
    process's CPU time, best of three, so other work on a shared machine does not count."""
    frame = big_portfolio(100_000)
    a = assumptions()
    compute_cost(frame.head(100), a)  # warm up imports and caches
    timings = []
    for _ in range(3):
        started = time.process_time()
        result = compute_cost(frame, a)
        stop_now(frame, a, overdue_open_pilots(frame, a))
        timings.append(time.process_time() - started)
    assert result.totals["pilots"] == 100_000
    assert len(result.monthly) > 30
    assert min(timings) < 1.0, f"{min(timings):.2f} s"


# Caveats -------------------------------------------------------------------------------


def test_a_portfolio_without_budgets_or_values_says_so_plainly() -> None:
    """Like the US federal inventory: stages and dates, no money at all. Two pilots 100 days
    open, each estimated at 70,000 + 30,000 = 100,000; nothing can be said about value."""
    rows = [{"stage": "pilot", "start_date": ago(100)}, {"stage": "pilot", "start_date": ago(100)}]
    result = compute_cost(frame_of(rows), assumptions())
    assert result.totals["direct"] == pytest.approx(200_000)
    caveats = result.caveats()
    assert caveats[0].startswith("No pilot in this portfolio has a budget: the whole direct cost")
    assert "200k" in caveats[0]
    assert caveats[1].startswith("No pilot has an expected annual value")
    assert len(caveats) == 2


def test_mostly_estimated_direct_cost_and_many_left_out_are_flagged() -> None:
    rows = [
        {
            "stage": "pilot",
            "start_date": ago(100),
            "pilot_budget": 10_000,
            "expected_annual_value": VALUE,
        },
        {"stage": "pilot", "start_date": ago(100)},  # 100,000 estimated of 140,000 direct
        {"stage": "unknown"},
        {"stage": "unknown"},
    ]
    caveats = compute_cost(frame_of(rows), assumptions()).caveats()
    assert caveats == [
        "71% of the direct cost is estimated from the monthly team cost, because those "
        "pilots have no budget.",
        "2 of 4 pilots (50%) are left out, most for this reason: stage not recognised (2). "
        "The totals cover the rest.",
    ]
    assert compute_cost(frame_of(REFERENCE), assumptions()).caveats() == []


def test_a_live_pilot_without_dates_prevents_a_strong_signal() -> None:
    rows = [{"stage": "pilot", "business_unit": "X", "start_date": ago(300)} for _ in range(3)]
    strong = compute_cost(frame_of(rows), assumptions()).by_unit.set_index("business_unit")
    assert strong.loc["X", "trust_signal"] == "Strong"
    rows.append({"stage": "production", "business_unit": "X"})
    units = compute_cost(frame_of(rows), assumptions()).by_unit.set_index("business_unit")
    assert units.loc["X", "live_undated"] == 1
    assert units.loc["X", "trust_signal"] == "Some"


def test_the_workbook_keeps_numbers_and_neutralises_formulas() -> None:
    import io

    from openpyxl import load_workbook

    from diagnostics.sheets.safe_export import frames_to_xlsx_bytes

    rows = [dict(REFERENCE[0], name='=HYPERLINK("http://x","y")')]
    result = compute_cost(frame_of(rows), assumptions())
    book = load_workbook(io.BytesIO(frames_to_xlsx_bytes(cost_sheets(result))))
    sheet = book["Cost per pilot"]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["Pilot"] == '\'=HYPERLINK("http://x","y")'
    assert first["Total cost"] == 226_000
    labels = [row[0].value for row in book["Assumptions"].iter_rows(min_row=2)]
    assert labels == [spec.label for spec in ASSUMPTIONS]
