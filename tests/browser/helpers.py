"""Small verbs for browser tests, so a test reads like what a user does.

Streamlit answers its health check before `app.py` has run and reruns the script after
every interaction, so every verb here waits until the app says the run is over.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

# One home for how a test or the benchmark tells that the app has settled after a click.
from bench.ui.browser import (
    RERUN_START_GRACE_MS,
    RUN_FINISHED,
    RUN_STARTED,
    WATCH_RUNS,
    wait_until_idle,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
EXCEPTION = '[data-testid="stException"]'
ERROR_MESSAGE = '[data-testid="stAlertContentError"]'  # st.error
RUN_TIMEOUT_MS = 30_000
_CHART = '[data-testid="stPlotlyChart"]'
_PLACEHOLDER = '[data-testid="stSkeleton"]'
# Scroll each visible chart (or its loading placeholder) into view, then back to the top.
_PASS_BY_CHARTS = f"""async () => {{
  for (const element of document.querySelectorAll('{_CHART}, {_PLACEHOLDER}')) {{
    if (!element.checkVisibility()) continue;
    element.scrollIntoView({{block: "center"}});
    await new Promise((resolve) => setTimeout(resolve, 120));
  }}
  document.querySelector('[data-testid="stMain"]')?.scrollTo(0, 0);
  window.scrollTo(0, 0);
}}"""
# Placeholders in a tab not shown never load; only the visible ones count.
_NO_PLACEHOLDER = (
    f"() => [...document.querySelectorAll('{_PLACEHOLDER}')].every((e) => !e.checkVisibility())"
)

_CONTENT_HEIGHT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  return main ? Math.ceil(main.scrollHeight) : 0;
}"""


def wait_for_app(page: Page, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait until the app is connected, its script has finished, and no spinner is left."""
    wait_until_idle(page, timeout_ms)


def open_page(page: Page, base_url: str, url_path: str = "") -> None:
    """Load a page by its URL path ("" for the default page) and wait for it to render."""
    page.goto(f"{base_url.rstrip('/')}/{url_path}")
    wait_for_app(page)


def after_rerun(page: Page, action) -> None:
    """Do `action` (which makes Streamlit rerun) and wait for that rerun to finish."""
    page.evaluate(WATCH_RUNS)
    action()
    # No run started within the grace period (the action needed none, e.g. a tab): settle.
    try:
        page.wait_for_function(RUN_STARTED, timeout=RERUN_START_GRACE_MS, polling=20)
    except PlaywrightTimeout:
        wait_for_app(page)
        return
    page.wait_for_function(RUN_FINISHED, timeout=RUN_TIMEOUT_MS, polling=20)
    wait_for_app(page)


def click_button(page: Page, label: str) -> None:
    """Click the button (or link styled as one) whose visible label is `label`."""
    # Wait for either to be drawn: on a busy machine the page may still be rendering.
    target = page.get_by_role("button", name=label, exact=True).or_(
        page.get_by_role("link", name=label, exact=True)
    )
    after_rerun(page, target.first.click)


def download(page: Page, label: str, timeout_ms: int = 90_000):
    """Click the download button labelled `label` once the app is idle; return the Download.

    A deferred download is built from the id the last run sent; a click while a run is
    still under way asks for an id that run has replaced. So wait for the app to settle.
    One click only: a file that arrives under another name (a bare media hash, because the
    server dropped the file before the browser fetched it) fails the test that checks it.
    """
    wait_for_app(page)
    page.wait_for_timeout(500)
    wait_for_app(page)
    with page.expect_download(timeout=timeout_ms) as started:
        page.get_by_role("button", name=label, exact=True).click()
    return started.value


def fill(page: Page, label: str, text: str) -> None:
    """Type `text` into the input labelled `label` and commit it (Streamlit commits on blur)."""
    field = page.get_by_label(label, exact=True).first

    def type_and_leave() -> None:
        field.fill(text)
        field.press("Tab")

    after_rerun(page, type_and_leave)


def heading(page: Page, text: str | re.Pattern[str]) -> Locator:
    """The heading (h1-h3) in the main area showing `text`."""
    return page.locator('[data-testid="stMain"]').get_by_role("heading", name=text)


def main_text(page: Page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def screenshot(page: Page, name: str, *, whole_page: bool = True) -> Path:
    """Save a PNG under test-artifacts/screenshots/ (git-ignored) and return its path.

    Streamlit scrolls inside its own container, so a browser "full page" shot stops at the
    viewport; for the whole page the viewport is stretched to the content, then restored.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    viewport = page.viewport_size
    height = page.evaluate(_CONTENT_HEIGHT) if whole_page and viewport else 0
    if viewport and height > viewport["height"]:
        # A chart loads (a grey placeholder until then) and draws when it is first scrolled
        # to; stretching the viewport does not count as scrolling: pass by every chart, wait
        # for the placeholders to go, and pass again, or the lower charts stay blank.
        page.evaluate(_PASS_BY_CHARTS)
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(_NO_PLACEHOLDER, timeout=10_000)
        page.evaluate(_PASS_BY_CHARTS)
        page.set_viewport_size({"width": viewport["width"], "height": min(height, 12_000)})
        page.wait_for_timeout(300)  # let the layout settle at the new size
        page.screenshot(path=str(path))
        page.set_viewport_size(viewport)
    else:
        page.screenshot(path=str(path))
    return path
