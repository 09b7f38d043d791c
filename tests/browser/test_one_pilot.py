"""One pilot, one story in a real browser: an answer sheet saved on the organisation page
shows at once in the organisation view and in the portfolio's recommendations."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd
import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from diagnostics.framework.content import load_content
from diagnostics.portfolio.importer import import_portfolio
from diagnostics.storage import store
from diagnostics.storage.portfolios import save_portfolio

from .helpers import (
    ERROR_MESSAGE,
    EXCEPTION,
    after_rerun,
    click_button,
    heading,
    screenshot,
    wait_for_app,
)

PORTFOLIO = "Pilots 2026"
TODAY = date.today()


def _portfolio_csv() -> bytes:
    rows = [
        {
            "Pilot ID": f"AI-{n:02d}",
            "Pilot name": f"Pilot {n}",
            "Business unit": ("Finance", "Operations", "Legal")[n % 3],
            "Stage": "Pilot",
            "Start date": (TODAY - timedelta(weeks=6 + 3 * n)).isoformat(),
            "Expected annual value": 100_000 * n,
            "Live users": 0,
        }
        for n in range(1, 13)
    ]
    return pd.DataFrame(rows).to_csv(index=False).encode()


def _answer_sheet(tmp_path) -> str:
    """Four pilots: two all No (stop), one all Yes (proceed), one by name only (Partly)."""
    content = load_content()
    ids = [q.id for q in content.questions]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["pilot_id", "pilot_name", "business_unit", "position", *ids])
    rows = [
        ("AI-01", "", "No"),
        ("AI-02", "", "No"),
        ("AI-03", "", "Yes"),
        ("", "pilot 4", "Partly"),  # matched by its name only
    ]
    for pilot_id, name, answer in rows:
        sheet.append([pilot_id, name, "", "decision_point", *[answer] * len(ids)])
    path = tmp_path / "four-pilots.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)


def _no_errors(page) -> None:
    """No traceback and no error message (the trap check's red verdict aside)."""
    shown = page.locator(f"{EXCEPTION}, {ERROR_MESSAGE}").filter(has_not_text="PoC trap")
    assert shown.count() == 0, shown.all_inner_texts()
    assert page.problems == [], page.problems


def _metric(page, label: str):
    return page.get_by_test_id("stMetric").filter(has_text=label).first


@pytest.mark.browser
@pytest.mark.timeout(420)
def test_the_views_agree_right_after_a_save(app_server, laptop_page, tmp_path):
    """Test that after saving an answer sheet, without a reload, the organisation view of
    the portfolio counts its pilots and the portfolio recommends from their answers."""
    engine = store.make_engine(app_server.database_url)
    save_portfolio(engine, import_portfolio(_portfolio_csv(), "pilots.csv"), PORTFOLIO)
    # a self-assessment under a misspelt name: offered on the portfolio page, not applied
    content = load_content()
    near = store.create_pilot(engine, "Pilott 7")
    record = store.start_assessment(engine, near.id, content.version)
    store.save_answers(engine, record.id, {q.id: "yes" for q in content.questions})
    engine.dispose()

    page = laptop_page
    page.goto(f"{app_server}/organisation")
    wait_for_app(page, timeout_ms=180_000)
    expect(heading(page, "Organisation view")).to_be_visible()
    expect(
        page.get_by_text(f"In view: The assessed pilots of the portfolio {PORTFOLIO} (v1")
    ).to_be_visible()
    expect(page.get_by_text("No pilot has been assessed yet").first).to_be_visible()

    chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    after_rerun(page, lambda: chooser.set_input_files(_answer_sheet(tmp_path)))
    page.get_by_text("Read 4 pilots (4 with answers)").wait_for()
    click_button(page, "Save the answers of 4 pilots")
    # the same run that says it saved them counts them
    expect(page.get_by_text("Saved 4 assessments (4 new pilots, 0 updated).")).to_be_visible()
    expect(_metric(page, "Pilots assessed")).to_contain_text("4", timeout=120_000)
    expect(_metric(page, "Stop")).to_contain_text("2")
    expect(_metric(page, "Proceed")).to_contain_text("1")
    expect(_metric(page, "Fix first")).to_contain_text("1")
    _no_errors(page)
    screenshot(page, "one-pilot-1-organisation-after-save", whole_page=False)

    page.get_by_role("link", name="Portfolio").first.click()
    wait_for_app(page, timeout_ms=180_000)
    expect(heading(page, "Portfolio")).to_be_visible()
    counts = page.get_by_test_id("stMetric")
    stop = counts.filter(has_text="Stop").first
    # AI-01 and AI-02 (assessed: stop) and none by time alone (the oldest is 42 weeks in)
    expect(stop).to_contain_text("2", timeout=120_000)
    expect(counts.filter(has_text="Push").first).to_contain_text("1")
    expect(
        page.get_by_text("4 of 12 pilots have readiness data (4 from imported sheet)")
    ).to_be_visible()
    expect(page.get_by_text("1 possible match to check below.", exact=False)).to_be_visible()
    _no_errors(page)
    screenshot(page, "one-pilot-2-portfolio-after-save")

    # the near miss, linked by hand: its all-Yes assessment now stands for Pilot 7
    click_button(page, "Same pilot: link")
    expect(page.get_by_text("Linked: the pilot's latest assessment now stands")).to_be_visible()
    expect(counts.filter(has_text="Push").first).to_contain_text("2", timeout=120_000)
    expect(
        page.get_by_text("5 of 12 pilots have readiness data (4 from imported sheet, 1 from self-")
    ).to_be_visible()
    _no_errors(page)
    page.get_by_text("Saved assessments matched to this portfolio (5)").scroll_into_view_if_needed()
    screenshot(page, "one-pilot-3-portfolio-linked", whole_page=False)


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_the_decision_counts_fit_a_phone(app_server, phone_page):
    page = phone_page
    page.goto(f"{app_server}/portfolio")
    wait_for_app(page, timeout_ms=180_000)
    expect(heading(page, "Every pilot, and what to do with it")).to_be_visible(timeout=120_000)
    wait_for_app(page, timeout_ms=180_000)
    for label in ("Stop", "Decide now", "Push", "Fix", "Assess", "No action"):
        metric = page.get_by_test_id("stMetric").filter(has_text=label).first
        expect(metric).to_be_attached(timeout=60_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    heading(page, "Every pilot, and what to do with it").scroll_into_view_if_needed()
    screenshot(page, "one-pilot-4-decisions-phone", whole_page=False)
    page.goto(f"{app_server}/organisation")
    wait_for_app(page, timeout_ms=180_000)
    expect(page.get_by_text("In view:", exact=False).first).to_be_visible()
    wait_for_app(page, timeout_ms=180_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    screenshot(page, "one-pilot-5-organisation-scope-phone", whole_page=False)
    _no_errors(page)
