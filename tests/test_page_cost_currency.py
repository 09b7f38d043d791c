"""The cost page starts with the currency the portfolio's own sheet names, follows the
picked portfolio, and keeps a currency picked by hand (AppTest on a fresh demo database)."""

from __future__ import annotations

import pytest
from portfolio_frames import HandImport, canonical_frame

from diagnostics.storage import portfolios as portfolio_store
from diagnostics.storage import store

ROWS = [
    {"pilot_id": "A-1", "name": "Ticket triage", "stage": "pilot", "start_date": "2026-01-05",
     "pilot_budget": 50_000},
]  # fmt: skip
# Saved oldest first; the page lists the newest first and opens on it.
SAVED = (("No currency", []), ("Rupees", ["INR"]), ("Euros", ["EUR"]))
ORDER = ["Euros", "Rupees", "No currency"]


@pytest.fixture
def cost_page(app_test, demo_sqlite_url):
    engine = store.make_engine(demo_sqlite_url)
    for record in portfolio_store.list_portfolios(engine):
        portfolio_store.delete_portfolio(engine, record.id)
    for name, currencies in SAVED:
        imported = HandImport(frame=canonical_frame(ROWS))
        imported.currencies = currencies  # what the importer read from the sheet
        portfolio_store.save_portfolio(engine, imported, name)
    engine.dispose()
    at = app_test("pages/cost.py")
    assert not at.exception, [e.value for e in at.exception]
    return at


def _pick(at, name: str) -> None:
    at.selectbox(key="cost_portfolio").select_index(ORDER.index(name)).run()
    assert not at.exception, [e.value for e in at.exception]


def _direct(at) -> str:
    return {m.label: m.value for m in at.metric}["Direct cost"]


def test_the_currency_follows_the_sheet_until_picked_by_hand(cost_page) -> None:
    at = cost_page
    assert at.selectbox(key="cost_portfolio").value.name == "Euros"
    assert at.selectbox(key="cost_currency").value == "EUR"
    assert _direct(at).startswith("EUR ")
    _pick(at, "No currency")
    assert at.selectbox(key="cost_currency").value == ""  # "None (amounts only)"
    assert _direct(at)[0].isdigit()
    _pick(at, "Rupees")  # not among the usual codes: offered all the same
    assert at.selectbox(key="cost_currency").value == "INR"
    assert "INR" in at.selectbox(key="cost_currency").options
    assert _direct(at).startswith("INR ")
    at.selectbox(key="cost_currency").set_value("GBP").run()
    _pick(at, "Euros")  # a currency picked by hand stays
    assert at.selectbox(key="cost_currency").value == "GBP"
    assert _direct(at).startswith("GBP ")
