"""The portfolio page in Chromium: the demo dashboard, then the US federal AI inventory uploaded,
saved and downloaded enriched; screenshots on a laptop and on a phone."""

from __future__ import annotations

import io

import pytest
from harness import FEDERAL, unavailable
from openpyxl import Workbook, load_workbook
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

FEDERAL_XLSX = FEDERAL / "2025_individually_reported_AI_use_cases.xlsx"
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
    # The first view's charts are pictures: no chart script until the matrix is asked for.
    expect(page.locator(".js-plotly-plot")).to_have_count(0)
    screenshot(page, "portfolio-demo-laptop")
    after_rerun(page, page.get_by_text("Show the matrix").click)
    expect(page.locator(".js-plotly-plot")).to_have_count(1, timeout=SLOW_MS)
    screenshot(page, "portfolio-demo-matrix-laptop")

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

    click_button(page, "Prepare the files")
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
    # The unit pictures (30 agencies, their headings drawn again down the list) fit the
    # phone's width: nothing to scroll sideways, so no heading scrolls away that way.
    pictures = phone.locator('[data-testid="stImage"] img')
    expect(pictures.first).to_be_visible()
    edges = pictures.evaluate_all("(all) => all.map((p) => p.getBoundingClientRect().right)")
    assert len(edges) >= 4, edges  # the funnel, time in pilot, rates and symptoms
    assert max(edges) <= 390, edges
    main = phone.get_by_test_id("stMain")
    assert main.evaluate("(m) => m.scrollWidth <= m.clientWidth")
    screenshot(phone, "portfolio-federal-phone")


def _agency_without_dates() -> bytes:
    """One agency's own inventory: a bureau column, the older stage words, no dates."""
    book = Workbook()
    sheet = book.active
    sheet.title = "AI Inventory"
    sheet.append(["Use Case Name", "Agency", "Bureau / Component", "Stage of development"])
    rows = [
        ("Claims triage", "Field Operations", "In mission"),
        ("Runway alerts", "Office of Research", "Implementation"),
        ("Rail defects", "Office of Research", "Proof-of-concept completed"),
        ("Fire risk", "Customs", "Stage 3 - Implementation (under test and evaluation)"),
        ("Loan review", "Customs", "Sandbox"),
        ("Letters", "Field Operations", "Kept on the shelf"),
    ]
    for name, bureau, stage in rows:
        sheet.append([name, "DHS", bureau, stage])
    sheet.append([])
    sheet.append([])
    sheet.append(["`"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.browser
def test_an_agency_file_without_dates_says_what_is_missing(
    app_server, laptop_page, phone_page
) -> None:
    data = _agency_without_dates()
    for page, size in ((laptop_page, "laptop"), (phone_page, "phone")):
        page.goto(f"{app_server}/portfolio")
        wait_for_app(page, SLOW_MS)
        after_rerun(page, page.get_by_role("tab", name="Import a spreadsheet").click)
        uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
        after_rerun(
            page,
            lambda uploader=uploader: uploader.set_input_files(
                files=[
                    {
                        "name": "dhs_ai_inventory_raw.xlsx",
                        "mimeType": "application/octet-stream",
                        "buffer": data,
                    }
                ]
            ),
        )
        warnings = page.get_by_test_id("stAlertContentWarning")
        summary = warnings.filter(has_text="6 rows imported")
        expect(summary).to_contain_text("Missing: start dates", timeout=SLOW_MS)
        # Said up front: the banner sits above the mapping that fixes it.
        banner = warnings.first
        expect(banner).to_contain_text("No start dates.")
        mapping = page.get_by_text("How your columns map to ours")
        assert banner.bounding_box()["y"] < mapping.bounding_box()["y"]
        expect(page.get_by_text("Stage texts and the stage each became")).to_be_visible()
        _no_problems(page)
        screenshot(page, f"portfolio-import-missing-{size}")

    page = laptop_page
    fill(page, "Portfolio name", "DHS inventory without dates")
    click_button(page, "Save portfolio")
    values = page.get_by_test_id("stMetricValue")
    expect(values.first).to_have_text("6", timeout=SLOW_MS)
    # No start dates: the figures built on them show a dash, and the banner says why.
    expect(values.nth(3)).to_have_text("–")
    expect(values.nth(4)).to_have_text("–")
    expect(page.get_by_test_id("stAlertContentWarning").first).to_contain_text("No start dates.")
    _no_problems(page)
    screenshot(page, "portfolio-dashboard-missing-laptop")


@pytest.mark.browser
def test_a_mapping_changed_before_saving_is_the_one_saved(app_server, laptop_page) -> None:
    """The mapping reruns on its own (a fragment); Save still takes the mapping just chosen
    and opens the dashboard on it."""
    page = laptop_page
    page.goto(f"{app_server}/portfolio")
    wait_for_app(page, SLOW_MS)
    after_rerun(page, page.get_by_role("tab", name="Import a spreadsheet").click)
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    data = _agency_without_dates()
    after_rerun(
        page,
        lambda: uploader.set_input_files(
            files=[
                {"name": "dhs_mapped.xlsx", "mimeType": "application/octet-stream", "buffer": data}
            ]
        ),
    )
    summary = page.get_by_test_id("stAlertContentWarning").filter(has_text="6 rows imported")
    expect(summary).to_be_visible(timeout=SLOW_MS)
    # The Stage row (the seventh under the header, 35 px each) set to "(not used)".
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.evaluate("element => element.scrollIntoView({block: 'start'})")
    box = grid.bounding_box()
    page.mouse.dblclick(box["x"] + 0.4 * box["width"], box["y"] + 35 * 7 + 17)
    option = page.get_by_role("option", name="(not used)", exact=True).first
    after_rerun(page, option.click)
    _no_problems(page)
    fill(page, "Portfolio name", "DHS inventory without stages")
    click_button(page, "Save portfolio")
    values = page.get_by_test_id("stMetricValue")
    expect(values.first).to_have_text("6", timeout=SLOW_MS)
    # Mapped as uploaded, "In mission" is in production (1); without a stage column, none.
    expect(values.nth(1)).to_have_text("0")
    expect(page.get_by_role("tab", name="Dashboard", selected=True)).to_be_visible()
    _no_problems(page)
