"""Timing one interaction in Chromium: from the action to the app settled.

Settled means: a script run started after the action and has finished (Streamlit marks its
state on the app element), no spinner is left, and the element the user waits for is drawn.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 768}
TIMEOUT_MS = 180_000
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
APP_CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
SPINNER = '[data-testid="stSpinner"]'
# Counts changes of the script state from now on, so that a wait after a click cannot mistake
# the idle state before the rerun for the idle state after it.
WATCH_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__runChanges = 0;
  if (window.__runWatcher) window.__runWatcher.disconnect();
  window.__runWatcher = new MutationObserver((records) => {
    window.__runChanges += records.length;
  });
  window.__runWatcher.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""
RUN_FINISHED = """() => window.__runChanges > 0 && document.querySelector(
  '[data-testid="stApp"]').getAttribute('data-test-script-state') === 'notRunning'"""
RERUN_START_GRACE_MS = 3_000


def wait_until_idle(page: Page, timeout_ms: int) -> None:
    """Wait until the app is connected, its script has finished, and no spinner is left."""
    page.wait_for_selector(APP_CONNECTED, timeout=timeout_ms, state="attached")
    page.wait_for_selector(APP_IDLE, timeout=timeout_ms, state="attached")
    page.locator(SPINNER).first.wait_for(state="hidden", timeout=timeout_ms)


def settle(page: Page, expected: Locator | None = None, state: str = "visible") -> None:
    """Wait until the app is connected and idle, no spinner is shown, and `expected` is drawn
    (`state="attached"` for an element drawn inside a closed expander)."""
    wait_until_idle(page, TIMEOUT_MS)
    if expected is not None:
        expected.first.wait_for(state=state, timeout=TIMEOUT_MS)


def timed_rerun(
    page: Page, action: Callable[[], object], expected: Locator | None, state: str = "visible"
) -> float:
    """Seconds from `action` (which makes the app rerun) to the app settled with `expected`."""
    page.evaluate(WATCH_RUNS)
    start = time.perf_counter()
    action()
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(RUN_FINISHED, timeout=RERUN_START_GRACE_MS, polling=20)
    settle(page, expected, state)
    return time.perf_counter() - start


def timed_load(page: Page, url: str, expected: Locator) -> float:
    """Seconds from typing `url` to the page settled with `expected` drawn."""
    start = time.perf_counter()
    page.goto(url)
    settle(page, expected)
    return time.perf_counter() - start


def timed_download(page: Page, button: Locator) -> float:
    """Seconds from the click on a download button to the file starting."""
    settle(page)
    page.wait_for_timeout(300)  # a deferred download needs the id of the run that drew it
    settle(page)
    start = time.perf_counter()
    with page.expect_download(timeout=TIMEOUT_MS) as started:
        button.click()
    elapsed = time.perf_counter() - start
    if not started.value.suggested_filename:
        raise RuntimeError("the download came without a file name")
    return elapsed
