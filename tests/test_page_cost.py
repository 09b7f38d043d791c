"""The cost page, opened as `streamlit run` would, on a saved portfolio whose cost is known.

The portfolio is saved through the real portfolio store into a fresh demo database. With the
as-of date set to 30 June 2026 and a team cost of 30,437.5 a month (1,000 a day), its costs
are worked out by hand below, as in tests/test_cost.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from portfolio_frames import HandImport, canonical_frame

from diagnostics.cost import ASSUMPTIONS
from diagnostics.formats import format_money
from diagnostics.storage import portfolios as portfolio_store
from diagnostics.storage import store

PAGE = "pages/cost.py"
AS_OF = date(2026, 6, 30)
VALUE = 365_250.0  # 1,000 a day


def ago(days: int) -> str:
    return (AS_OF - timedelta(days=days)).isoformat()


ROWS = [
    # 200 days open, 130 past the decision point: 50,000 + 130,000 = 180,000 direct;
    # 46 days past the recommended go-live: 46,000 opportunity.
    {
        "pilot_id": "A-1",
        "name": "Ticket triage",
        "business_unit": "Ops",
        "stage": "pilot",
        "start_date": ago(200),
        "pilot_budget": 50_000,
        "expected_annual_value": VALUE,
    },
    # Stopped on day 100 without a budget: 70 days × 1,000 + 30 days × 1,000 = 100,000.
    {
        "pilot_id": "A-2",
        "name": '=HYPERLINK("x")',
        "business_unit": "Ops",
        "stage": "retired",
        "start_date": ago(300),
        "decision_date": ago(200),
        "expected_annual_value": VALUE,
    },
    # Live on day 254 instead of day 154: 100,000 of value delivered late.
    {
        "pilot_id": "B-1",
        "name": "Invoice matching",
        "business_unit": "Finance",
        "stage": "production",
        "start_date": ago(400),
        "decision_date": ago(146),
        "pilot_budget": 80_000,
        "expected_annual_value": VALUE,
    },
    # 50 days in: nothing yet.
    {
        "pilot_id": "C-1",
        "name": "Contract clauses",
        "business_unit": "Legal",
        "stage": "development",
        "start_date": ago(50),
        "pilot_budget": 25_000,
    },
    # No start date: left out.
    {
        "pilot_id": "C-2",
        "name": "Undated",
        "business_unit": "Legal",
        "stage": "pilot",
        "pilot_budget": 1e6,
    },
]
# Direct 280,000; opportunity 146,000; total 426,000.


@pytest.fixture
def cost_page(app_test, demo_sqlite_url):
    """Open the cost page on a database holding only the portfolio above, as of 30 June."""
    engine = store.make_engine(demo_sqlite_url)
    for record in portfolio_store.list_portfolios(engine):
        portfolio_store.delete_portfolio(engine, record.id)
    frame = canonical_frame(ROWS)
    portfolio_store.save_portfolio(engine, HandImport(frame=frame), "Pilots 2026")
    engine.dispose()
    at = app_test(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    at.date_input(key="cost_as_of").set_value(AS_OF)
    at.number_input(key="cost_monthly_team_cost").set_value(30_437.5)
    at.number_input(key="cost_value_ramp_months").set_value(0).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table_with(at, column: str):
    """The shown table that has `column` (AppTest does not expose a dataframe's key)."""
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(tables) == 1, f"{len(tables)} tables with a {column!r} column"
    return tables[0]


def test_totals_match_the_hand_computation(cost_page) -> None:
    shown = metrics(cost_page)
    assert shown["Cost of the trap so far"] == format_money(426_000) == "426k"
    assert shown["Direct cost"] == "280k"
    assert shown["Opportunity cost"] == "146k"
    units = table_with(cost_page, "Trust erosion signal").set_index("Business unit")
    assert units.loc["Ops", "Total cost"] == 326_000
    assert units.loc["Finance", "Total cost"] == 100_000
    assert units.loc["Legal", "Left out"] == 1


def test_missing_data_is_stated(cost_page) -> None:
    warning = " ".join(w.value for w in cost_page.warning)
    assert "1 of 5 pilots have no pilot budget" in warning
    assert "1 of them count as direct cost" in warning
    assert "1 pilot open or stopped without a start date" in warning


def test_changing_an_assumption_recomputes_at_once(cost_page) -> None:
    cost_page.number_input(key="cost_monthly_team_cost").set_value(0).run()
    shown = metrics(cost_page)
    assert shown["Direct cost"] == "50k"  # only the recorded budget of A-1 is left
    assert shown["Cost of the trap so far"] == "196k"
    captions = " ".join(c.value for c in cost_page.caption)
    assert "team cost 0 a month" in captions


def test_every_assumption_has_an_input_with_help(cost_page) -> None:
    for spec in ASSUMPTIONS:
        if spec.key == "currency":
            widget = cost_page.selectbox(key="cost_currency")
            assert widget.label == spec.label
        else:
            widget = (
                cost_page.date_input(key=f"cost_{spec.key}")
                if spec.key == "as_of"
                else cost_page.number_input(key=f"cost_{spec.key}")
            )
            assert spec.unit in widget.label
        assert widget.help == spec.help


def test_a_currency_names_every_amount(cost_page) -> None:
    assert "name it in the assumptions" in " ".join(m.value for m in cost_page.markdown)
    cost_page.selectbox(key="cost_currency").set_value("EUR").run()
    shown = metrics(cost_page)
    assert shown["Cost of the trap so far"].startswith("EUR ")
    assert shown["Direct cost"].startswith("EUR ")
    assert "Amounts in EUR." in " ".join(m.value for m in cost_page.markdown)


def test_assumptions_that_contradict_each_other_are_refused(cost_page) -> None:
    cost_page.number_input(key="cost_decision_point_weeks").set_value(30).run()
    errors = " ".join(e.value for e in cost_page.error)
    assert "decision point (30 weeks) must not come after" in errors
    assert "Direct cost" not in metrics(cost_page)


def test_stop_now_on_overdue_pilots_saves_their_next_year(cost_page) -> None:
    """Only A-1 is open past the 154-day path. Stopped today it saves 365.25 days of team
    cost and of value: 730,500 by 30 June 2027."""
    cost_page.radio(key="cost_stop_rule").set_value("overdue").run()
    shown = metrics(cost_page)
    assert shown["Saving by 2027-06-30"] == format_money(730_500)
    assert shown["Pilots stopped"] == "1"
    stopped = table_with(cost_page, "Saving")
    assert list(stopped.columns) == ["Pilot id", "Pilot", "Business unit", "Cost so far", "Saving"]
    assert stopped["Pilot id"].tolist() == ["A-1"]
    assert stopped["Saving"].tolist() == [730_500]
    assert (stopped["Cost so far"] % 1 == 0).all()  # whole amounts, as the metrics show them


def test_without_readiness_scores_nothing_is_recommended_to_stop(cost_page) -> None:
    cost_page.radio(key="cost_stop_rule").set_value("recommended").run()
    info = " ".join(i.value for i in cost_page.info)
    assert "nothing to stop" in info


def test_the_most_expensive_pilots_are_listed_as_text(cost_page) -> None:
    top = table_with(cost_page, "Where it stands")
    assert top["Pilot"].tolist() == ["Ticket triage", '=HYPERLINK("x")', "Invoice matching"]
    assert top["Total cost"].tolist() == [226_000, 100_000, 100_000]


def test_without_a_saved_portfolio_the_page_says_to_import_one(app_test, demo_sqlite_url):
    engine = store.make_engine(demo_sqlite_url)
    for record in portfolio_store.list_portfolios(engine):
        portfolio_store.delete_portfolio(engine, record.id)
    engine.dispose()
    at = app_test(PAGE)
    assert not at.exception
    assert "no saved portfolio yet" in " ".join(i.value for i in at.info)
    assert not at.metric


def test_the_charts_are_pictures_without_a_chart_script(cost_page) -> None:
    """Test that the cost charts come as pictures drawn on the server (no Plotly chart for
    the browser to load and lay out): the parts, the build-up and the units."""
    assert not cost_page.get("plotly_chart")
    assert len(cost_page.get("image")) == 3
    headings = [s.value for s in cost_page.subheader]
    for title in ("Where the cost comes from", "How it built up", "Cost by business unit"):
        assert title in headings


def _download_buttons(at) -> dict:
    return {b.proto.label: b.proto for b in at.get("download_button")}


def test_the_cost_tables_are_prepared_then_follow_the_assumptions(cost_page) -> None:
    """Test that the workbook is built on request and handed over as bytes, and that a
    changed assumption drops it, so the file on offer is never one of older figures."""
    assert _download_buttons(cost_page) == {}
    prepare = cost_page.button(key="cost_download_prepare")
    assert prepare.label == "Prepare the cost tables"
    assert prepare.help
    assert any("a portfolio of 3,600 pilots" in c.value for c in cost_page.caption)
    prepare.click().run()
    assert not cost_page.exception
    button = _download_buttons(cost_page)["Download the cost tables (xlsx)"]
    assert button.url
    assert not button.deferred_file_id
    assert button.help
    assert any(c.value.startswith("XLSX, ") for c in cost_page.caption)

    cost_page.number_input(key="cost_monthly_team_cost").set_value(0).run()
    assert _download_buttons(cost_page) == {}
    assert cost_page.button(key="cost_download_prepare").label == "Prepare the cost tables"
