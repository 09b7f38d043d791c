"""The currency setting: none by default, a three-letter code when set, named beside every
amount (cost of delay, cost of the trap, workbook headings), never converting anything."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from report_cases import CONTENT, make_review

from diagnostics.cost import CostAssumptions, make_assumptions
from diagnostics.cost.delay import delay_cost
from diagnostics.errors import DiagnosticError
from diagnostics.formats import format_money, normalise_currency, with_currency
from diagnostics.render import pilot_report
from diagnostics.storage.store import PilotRecord


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("  ", None), ("eur", "EUR"), (" try ", "TRY"), ("USD", "USD")],
)
def test_codes_are_normalised(value, expected) -> None:
    assert normalise_currency(value) == expected


@pytest.mark.parametrize("value", ["euro", "€", "US$", "12", "E U"])
def test_anything_but_three_letters_is_refused_with_a_hint(value) -> None:
    with pytest.raises(DiagnosticError, match="three-letter code; use one like EUR"):
        normalise_currency(value)


def test_amounts_name_their_currency_only_when_set() -> None:
    assert format_money(43_333.3) == "43k"
    assert format_money(43_333.3, "EUR") == "EUR 43k"
    assert format_money(1_250_000, "TRY") == "TRY 1.2M"
    assert format_money(None, "EUR") == "–"
    assert with_currency("Pilot budget", "USD") == "Pilot budget (USD)"
    assert with_currency("Pilot budget", None) == "Pilot budget"


def test_the_cost_of_delay_names_the_currency() -> None:
    # 13 weeks past the 22-week path: 520,000 × 13 / 52 = 130,000; 43,333 a month.
    cost = delay_cost(
        CONTENT,
        start=date(2026, 1, 5),
        expected_annual_value=520_000,
        today=date(2026, 9, 7),
        currency="USD",
    )
    assert round(cost.cost_so_far) == 130_000
    assert "about USD 130k of expected value forgone so far, and USD 43k more" in cost.message


def test_cost_assumptions_carry_the_currency() -> None:
    assert CostAssumptions.from_content(CONTENT).currency is None
    assumptions = CostAssumptions.from_content(CONTENT, currency="gbp", as_of=date(2026, 1, 1))
    assert assumptions.currency == "GBP"
    assert "team cost GBP 20k a month" in assumptions.caption()
    rows = {r["assumption"]: r["value"] for r in assumptions.rows()}
    assert rows["Currency of the amounts"] == "GBP"
    with pytest.raises(DiagnosticError, match="currency"):
        make_assumptions({"currency": "pounds"})


def test_the_pilot_workbook_names_the_currency_on_its_amounts() -> None:
    pilot = PilotRecord(
        id=9,
        name="Priced",
        start_date=date(2026, 1, 5),
        expected_annual_value=520_000,
        pilot_budget=80_000,
        currency="TRY",
    )
    review, _ = make_review(pilot=pilot, today=date(2026, 9, 7))
    book = openpyxl.load_workbook(io.BytesIO(pilot_report.report_xlsx(review, CONTENT)))
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Expected annual value (TRY)"] == 520_000
    assert summary["Pilot budget (TRY)"] == 80_000
    assert summary["Expected value forgone so far (TRY)"] == pytest.approx(130_000)
    assert summary["Currency"] == "TRY"
    html = pilot_report.report_html(review, CONTENT)
    assert "Expected value TRY 520k a year · Pilot budget TRY 80k" in html
    assert "<b id='forgone'>TRY 130k</b>" in html
