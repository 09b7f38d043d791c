"""The portfolio page in Chromium: the demo dashboard, then the US federal AI inventory uploaded,
saved and downloaded enriched; screenshots on a laptop and on a phone."""

from __future__ import annotations

import pytest
from harness import REPO_ROOT, unavailable
from openpyxl import load_workbook
from playwright.sync_api import expect

from .helpers import (
    ERROR_MESSAGE,
    EXCEPTION,
    after_rerun,
    click_button,
    fill,
    heading,
    open_page,
    screenshot,
    wait_for_app,
)

FEDERAL_XLSX = (
    REPO_ROOT.parent
    / "shared"
    / "datasets"
    / "us-federal-ai-inventory-2025"
    / "2025_individually_reported_AI_use_cases.xlsx"
)
SLOW_MS = 120_000  # reading and saving 3,611 rows on a busy 2-core machine


def _no_problems(page) -> None:
    expect(page.locator(EXCEPTION)).to_have_count(0)
    expect(page.locator(ERROR_MESSAGE)).to_have_count(0)
    assert page.problems == []


@pytest.mark.browser
def test_upload_the_federal_inventory_save_it_and_download_it_enriched(
    app_server, laptop_page, phone_page, tmp_path
) -> None:
    if not FEDERAL_XLSX.exists():
        unavailable(f"the federal dataset is missing: {FEDERAL_XLSX}")
    page = laptop_page
    # The first visit builds the analysis and charts (cold caches, plotly's first import).
    page.goto(f"{app_server}/portfolio")
    wait_for_app(page, SLOW_MS)
    expect(heading(page, "Portfolio")).to_be_visible()
    expect(page.get_by_text("A demo portfolio of made-up pilots")).to_be_visible()
    screenshot(page, "portfolio-demo-laptop")

    after_rerun(page, page.get_by_role("tab", name="Import a spreadsheet").click)
    expect(page.get_by_text("up to 25 MB")).to_be_visible()
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    after_rerun(page, lambda: uploader.set_input_files(str(FEDERAL_XLSX)))
    success = page.get_by_test_id("stAlertContentSuccess")
    expect(success).to_contain_text("3,611 rows imported", timeout=SLOW_MS)
    _no_problems(page)
    screenshot(page, "portfolio-import-laptop")

    fill(page, "Portfolio name", "Federal AI inventory 2025")
    click_button(page, "Save portfolio")
    values = page.get_by_test_id("stMetricValue")
    expect(values.first).to_have_text("3,611", timeout=SLOW_MS)
    # Production rate: 1,040 in production of 3,273 started (1,479 + 440 + 1,040 + 314).
    expect(values.nth(1)).to_have_text("1,040")
    expect(values.nth(2)).to_have_text("32%")
    _no_problems(page)
    screenshot(page, "portfolio-federal-laptop")

    with page.expect_download(timeout=SLOW_MS) as download_info:
        page.get_by_role("button", name="Enriched portfolio (xlsx)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("federal-ai-inventory-2025-v1-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True)["Pilots"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 3611
    assert {"Stage", "Recommendation", "Why"} <= set(rows[0])

    phone = phone_page
    open_page(phone, app_server, "portfolio")
    expect(phone.get_by_test_id("stMetricValue").first).to_have_text("3,611", timeout=SLOW_MS)
    expect(phone.get_by_role("heading", name="Readiness × value")).to_be_visible()
    _no_problems(phone)
    screenshot(phone, "portfolio-federal-phone")
