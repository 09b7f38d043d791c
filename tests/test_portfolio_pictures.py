"""The portfolio dashboard's pictures: every figure the charts showed is written on them, and
the two unit charts are drawn row for row level."""

from __future__ import annotations

import pytest
from portfolio_frames import canonical_frame
from test_portfolio_analysis import AS_OF, CONTENT, UNITS_ROWS

from diagnostics.portfolio.analysis import analyse_portfolio
from diagnostics.render import portfolio_charts as pictures


@pytest.fixture(scope="module")
def analysis():
    return analyse_portfolio(canonical_frame(UNITS_ROWS), CONTENT, as_of=AS_OF)


def _texts(chart) -> list[str]:
    return [t.get_text() for t in chart.figure.axes[0].texts]


def test_the_funnel_writes_each_stage_with_its_count_and_share(analysis) -> None:
    texts = _texts(pictures.funnel(analysis, CONTENT))
    # 11 pilots: idea 1, development 1, pilot 4, decision 1, production 2, retired 1, unknown 1.
    assert texts[:6] == ["Idea", "1 (9%)", "Development", "1 (9%)", "Pilot", "4 (36%)"]
    assert texts[8:10] == ["Production", "2 (18%)"]


def test_time_in_pilot_counts_open_pilots_in_weeks(analysis) -> None:
    texts = _texts(pictures.time_in_pilot(analysis, CONTENT))
    # Open pilots at 6 and 2 weeks on plan; 10 due; 25 overdue; 38 stuck; one without a start.
    assert texts == [
        "≤ 8 weeks", "2", "8–10 weeks", "1", "10–26 weeks", "1", "> 26 weeks", "1",
        "no start date", "1",
    ]  # fmt: skip


def test_unit_rates_start_with_all_units_and_say_started_and_live(analysis) -> None:
    texts = _texts(pictures.unit_rates(analysis, CONTENT))
    # 2 of 9 started pilots live; Sales 0 of 5 started (S1-S5), Finance 2 of 3 (F1, F2 of F1-F3).
    assert texts[:2] == ["All units", "22% (2 of 9)"]
    assert texts[2:6] == ["Sales", "0% (0 of 5)", "Finance", "67% (2 of 3)"]


def test_the_symptoms_sit_level_with_the_rates(analysis) -> None:
    rates = pictures.unit_rates(analysis, CONTENT)
    symptoms = pictures.unit_symptoms(analysis, CONTENT)
    assert symptoms.height == pytest.approx(rates.height)
    unit_rows = [t for t in _texts(rates)[2::2]]
    assert unit_rows == ["Sales", "Finance", "Unassigned"]

    # Each unit's name is drawn at the same height on both pictures.
    def heights(chart, names):
        return {t.get_text(): t.get_position()[1] for t in chart.figure.axes[0].texts
                if t.get_text() in names}  # fmt: skip

    names = set(unit_rows)
    assert heights(symptoms, names) == pytest.approx(heights(rates, names))
    cells = [t for t in _texts(symptoms) if t in ("yes", "no", "?")]
    assert len(cells) == 3 * 3


@pytest.fixture(scope="module")
def twenty_units():
    """20 units of one-line names, unit k with 21 - k pilots (two of them live)."""
    rows = [
        {
            "pilot_id": f"U{k:02d}-{i}",
            "business_unit": f"Unit {k:02d}",
            "stage": "production" if i < 2 else "pilot",
            "start_date": "2026-05-04",
            "technology": f"Tool {i % 3}",
        }
        for k in range(1, 21)
        for i in range(21 - k)
    ]
    return analyse_portfolio(canonical_frame(rows), CONTENT, as_of=AS_OF)


def test_a_long_list_of_units_says_what_its_bars_are_every_few_inches(twenty_units) -> None:
    """On a phone the unit charts stand one under the other and outrun the screen: their
    headings come again, at the same rows on both, so they stay level."""
    units = pictures.chart_units(twenty_units)
    # One-line rows of 0.19 + 0.2 + 0.14 = 0.53 in: 9 rows make 4.77 in, a 10th passes 5.
    assert pictures.headings_again(units) == [9, 18]
    rates = pictures.unit_rates(twenty_units, CONTENT)
    symptoms = pictures.unit_symptoms(twenty_units, CONTENT)
    # 39 live (two per unit, one in unit 20, its only pilot) of 210 started: 19%.
    assert _texts(rates).count("Production rate, all units 19%") == 2
    titles = [t.replace("\n", " ") for t in _texts(symptoms) if "\n" in t]
    assert titles == [*pictures.SYMPTOMS.values()] * 3
    assert symptoms.height == pytest.approx(rates.height)

    def rows(chart) -> dict[str, float]:
        return {t.get_text(): t.get_position()[1] for t in chart.figure.axes[0].texts
                if t.get_text().startswith("Unit ")}  # fmt: skip

    assert len(rows(rates)) == 20
    assert rows(symptoms) == pytest.approx(rows(rates))
    # The tenth unit sits a heading band (0.53 in) lower than the rows above it would put it.
    tenth = units["business_unit"].iloc[9]
    ninth = units["business_unit"].iloc[8]
    assert rows(rates)[tenth] - rows(rates)[ninth] == pytest.approx(0.53 * 2)


def test_a_short_list_draws_its_headings_once(analysis) -> None:
    assert pictures.headings_again(pictures.chart_units(analysis)) == []
    assert not any(
        t.startswith("Production rate") for t in _texts(pictures.unit_rates(analysis, CONTENT))
    )
