"""The organisation view in a real browser: a 30-pilot answer sheet uploaded and saved, each
tab on a laptop, the report downloaded under its dated name, and the page on a phone."""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path

import pypdf
import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from diagnostics.framework.content import load_content

from .helpers import (
    ERROR_MESSAGE,
    EXCEPTION,
    after_rerun,
    click_button,
    download,
    heading,
    screenshot,
    wait_for_app,
)

URL = "organisation"
UNITS = ("Customer Service", "Finance", "Operations", "HR", "Legal")


def thirty_pilots(tmp_path) -> str:
    """A sheet of 30 pilots; most have no production budget owner (the shared gap)."""
    content = load_content()
    rng = random.Random(12)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Answers"
    ids = [q.id for q in content.questions]
    sheet.append(["pilot_id", "pilot_name", "business_unit", "position", *ids])
    for i in range(30):
        answers = [rng.choice(["Yes", "Yes", "Partly", "No", "Don't know"]) for _ in ids]
        answers[ids.index("ob_production_budget_owner")] = "No" if i % 10 else "Yes"
        sheet.append([f"AI-{i:03d}", f"Pilot {i + 1}", UNITS[i % 5], "", *answers])
    path = tmp_path / "thirty-pilots.xlsx"
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return str(path)


def _no_errors(page) -> None:
    shown = page.locator(f"{EXCEPTION}, {ERROR_MESSAGE}")
    assert shown.count() == 0, shown.all_inner_texts()
    assert page.problems == [], page.problems


def _tab(page, name: str) -> None:
    after_rerun(page, page.get_by_role("tab", name=name).click)


@pytest.mark.browser
@pytest.mark.timeout(420)  # first visit, upload, save, recomputation, five tabs, two downloads
def test_thirty_pilot_sheet_on_laptop(app_server, laptop_page, tmp_path):
    page = laptop_page
    # The first visit computes (and caches) the whole view on a busy machine: allow for it.
    page.goto(f"{app_server}/{URL}")
    wait_for_app(page, timeout_ms=180_000)
    expect(heading(page, "Organisation view")).to_be_visible()
    _no_errors(page)
    screenshot(page, "organisation-1-demo-laptop")

    page.get_by_text("Add answers for many pilots from a spreadsheet").click()
    chooser = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    after_rerun(page, lambda: chooser.set_input_files(thirty_pilots(tmp_path)))
    page.get_by_text("Read 30 pilots (30 with answers)").wait_for()
    click_button(page, "Save the answers of 30 pilots")
    expect(page.get_by_text("Saved 30 assessments (30 new pilots, 0 updated).")).to_be_visible()
    pilots = page.get_by_test_id("stMetric").filter(has_text="Pilots assessed")
    # Right after the save, no reload: the view moves from the demo to every assessed
    # pilot, the 30 from the sheet (demo pilots never mix with real ones).
    expect(pilots).to_contain_text("30", timeout=180_000)
    expect(page.get_by_text("In view: Every assessed pilot")).to_be_visible()
    # 27 of the 30 answer No on the production budget owner: the first shared gap.
    expect(page.get_by_text("1. Owner of the production budget named")).to_be_visible()
    expect(page.get_by_text("27 of 30 pilots (90%)", exact=False).first).to_be_visible()
    _no_errors(page)
    screenshot(page, "organisation-2-gaps-laptop")

    _tab(page, "Risk profile")
    expect(heading(page, "Business units × reasons")).to_be_visible()
    screenshot(page, "organisation-3-profile-laptop")
    _tab(page, "One pilot vs the rest")
    screenshot(page, "organisation-4-pilot-laptop")
    _tab(page, "Are we in the PoC trap?")
    after_rerun(page, page.get_by_text("Yes", exact=True).nth(2).click)
    screenshot(page, "organisation-5-trap-laptop")
    _tab(page, "Report")
    click_button(page, "Prepare the files")
    report_file = download(page, "Download the report (HTML)")
    assert report_file.suggested_filename == f"poc-trap-organisation-{date.today()}.html"
    report = Path(report_file.path()).read_text(encoding="utf-8")
    assert "<b id='kpi-pilots'>30</b>" in report
    assert "In view: Every assessed pilot" in report
    assert "Owner of the production budget named" in report
    data_file = download(page, "Download the data (xlsx)")
    assert data_file.suggested_filename == f"poc-trap-organisation-{date.today()}.xlsx"
    brief_file = download(page, "Download the brief (PDF, two pages)")
    assert brief_file.suggested_filename == f"poc-trap-organisation-{date.today()}.pdf"
    brief = pypdf.PdfReader(brief_file.path())
    assert len(brief.pages) == 2
    assert "30 pilots assessed" in brief.pages[0].extract_text()
    _no_errors(page)


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_on_a_phone(app_server, phone_page):
    phone_page.goto(f"{app_server}/{URL}")
    wait_for_app(phone_page, timeout_ms=180_000)
    expect(heading(phone_page, "Organisation view")).to_be_visible()
    _no_errors(phone_page)
    # Nothing wider than the phone's screen: the page never scrolls sideways.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    screenshot(phone_page, "organisation-6-gaps-phone")
    _tab(phone_page, "Risk profile")
    screenshot(phone_page, "organisation-7-profile-phone")
    _tab(phone_page, "Are we in the PoC trap?")
    screenshot(phone_page, "organisation-8-trap-phone")
