"""A portfolio's currency is the one its sheet names (in the money columns' cells or
headers); the organisation report states it in every format and uses it whatever the cost
page was set to; a sheet naming none or several gets no currency, and several are warned of."""

from __future__ import annotations

import io
import re
from datetime import date
from html import escape as html_escape

import openpyxl
import pandas as pd
import pypdf
import pytest
from pptx import Presentation
from report_cases import CONTENT, make_organisation

from diagnostics.portfolio.currency import currencies_in
from diagnostics.portfolio.importer import import_portfolio
from diagnostics.render.files import organisation_file
from diagnostics.storage import store
from diagnostics.storage.portfolios import portfolio_cost, portfolio_currency, save_portfolio

TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("€ 900k", {"EUR"}),
        ("$1.2M", {"USD"}),
        ("US$ 5m", {"USD"}),
        ("C$ 40k", {"CAD"}),
        ("120,000 CHF", {"CHF"}),
        ("Budget (GBP)", {"GBP"}),
        ("Expected value in euros", {"EUR"}),
        ("TRY 1.5M", {"TRY"}),
        ("Budget to try", set()),  # a word, not the code
        ("1.2 m", set()),
        ("Pilot budget", set()),
    ],
)
def test_the_currency_a_text_names(text, codes) -> None:
    assert currencies_in([text]) == codes


def _sheet(budget_header: str, budgets: list[str]) -> bytes:
    rows = [
        {
            "Pilot ID": f"P{i}",
            "Pilot name": f"Pilot {i}",
            "Business unit": "Finance",
            "Stage": "Pilot",
            "Start date": "2026-01-05",
            budget_header: budget,
            "Expected annual value": "",
        }
        for i, budget in enumerate(budgets, 1)
    ]
    return pd.DataFrame(rows).to_csv(index=False).encode()


@pytest.mark.parametrize(
    ("header", "budgets", "currency", "warned"),
    [
        ("Pilot budget (EUR)", ["120000", "90000"], "EUR", False),
        ("Pilot budget", ["€ 120k", "90,000"], "EUR", False),
        ("Pilot budget", ["£120k", "£90k"], "GBP", False),
        ("Pilot budget", ["120000", "90000"], None, False),
        ("Pilot budget", ["$120k", "€ 90k"], None, True),
    ],
)
def test_the_import_reads_the_currency_of_the_amounts(header, budgets, currency, warned) -> None:
    imported = import_portfolio(_sheet(header, budgets), "pilots.csv")
    assert imported.frame["pilot_budget"].tolist() == [120_000, 90_000]
    assert imported.currency == currency
    assert imported.summary()["currency"] == currency
    mixed = [w for w in imported.warnings if "more than one currency" in w]
    assert bool(mixed) == warned
    if warned:
        assert mixed[0].startswith("The amounts name more than one currency (EUR, USD)")


@pytest.fixture
def engine(sqlite_url: str):
    engine = store.make_engine(sqlite_url)
    store.migrate(engine)
    yield engine
    engine.dispose()


def test_a_saved_portfolio_keeps_its_currency_and_its_cost_uses_it(engine) -> None:
    euros = save_portfolio(
        engine, import_portfolio(_sheet("Pilot budget (EUR)", ["120000", "90000"]), "a.csv"), "A"
    )
    bare = save_portfolio(
        engine, import_portfolio(_sheet("Pilot budget", ["120000", "90000"]), "b.csv"), "B"
    )
    assert portfolio_currency(engine, euros) == "EUR"
    assert portfolio_currency(engine, bare) is None
    cost = portfolio_cost(engine, CONTENT, euros, TODAY)
    assert cost.assumptions.currency == "EUR"
    # both pilots started 2026-01-05, 334 days before: each costs its budget plus the team
    # cost from day 70 on (20,000 a month × 264 days ÷ 30.4375)
    assert cost.totals["direct"] == pytest.approx(210_000 + 2 * 20_000 * 264 / 30.4375)
    assert portfolio_cost(engine, CONTENT, bare, TODAY).assumptions.currency is None


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(
    ("header", "sentence", "total"),
    [
        (
            "Pilot budget (EUR)",
            "Amounts in EUR, the currency the portfolio's spreadsheet is written in.",
            "EUR 557k",
        ),
        (
            "Pilot budget",
            "Amounts as the portfolio's spreadsheet gives them: it names no single currency, "
            "so none is shown and nothing is converted.",
            "557k",
        ),
    ],
)
def test_every_format_of_the_organisation_report_states_the_currency(
    engine, header, sentence, total
) -> None:
    pid = save_portfolio(
        engine, import_portfolio(_sheet(header, ["120000", "90000"]), "a.csv"), "A"
    )
    cost = portfolio_cost(engine, CONTENT, pid, TODAY)
    profile, check = make_organisation()

    def build(fmt: str) -> bytes:
        return organisation_file(profile, CONTENT, fmt, check=check, cost=cost, today=TODAY)

    html = build("html").decode()
    assert f"id='cost-currency'>{html_escape(sentence)}</p>" in html
    assert f"id='cost-total'>{total}</b>" in html
    pdf = pypdf.PdfReader(io.BytesIO(build("pdf")))
    assert sentence in _flat(pdf.pages[-1].extract_text())
    deck = Presentation(io.BytesIO(build("pptx")))
    cost_slide = next(s for s in deck.slides if s.shapes.title.text == "What the trap costs")
    lines = [
        p for s in cost_slide.shapes if s.has_text_frame for p in s.text_frame.text.split("\n")
    ]
    assert sentence in lines
    assert total in lines
    book = openpyxl.load_workbook(io.BytesIO(build("xlsx")))
    sheet = next(book[n] for n in book.sheetnames if "cost" in n.lower())
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert sentence in cells


@pytest.mark.parametrize(
    ("budgets", "line"),
    [
        (["€ 120k", "90,000"], "Currency of the amounts: EUR"),
        (["120000", "90000"], "Currency of the amounts: none named"),
        (["$120k", "€ 90k"], "Currency of the amounts: several (EUR, USD)"),
    ],
)
def test_the_command_line_names_the_currency(tmp_path, capsys, budgets, line) -> None:
    from diagnostics.cli import main as cli_main

    path = tmp_path / "pilots.csv"
    path.write_bytes(_sheet("Pilot budget", budgets))
    assert cli_main(["portfolio", str(path)]) == 0
    assert line in capsys.readouterr().out.splitlines()
