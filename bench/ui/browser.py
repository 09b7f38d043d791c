"""Timing one interaction in Chromium: from the action to the app settled.

Settled means: a script run started after the action and has finished (Streamlit marks its
state on the app element), no spinner is left, and the element the user waits for is drawn.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Locator, Page
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
# Counts the script runs the server starts and finishes (whole runs and fragment runs), read
# from the app's websocket: installed before any page script (`watch_runs`), it wraps
# WebSocket so each message from the server is also read here. A ForwardMsg carrying
# `session_status_changed` (field 9) with `script_is_running` (its field 2) set starts a run;
# one carrying `script_finished` (field 6) ends it. A finish is counted only after the app has
# handled the message and painted, so a wait on it cannot end before the run is drawn.
# The script-state attribute on the app element cannot tell this alone: when the "running"
# and "not running" messages reach a busy page together, React draws both in one go and the
# attribute never changes.
RUN_COUNTER = """(() => {
  if (window.__runsFinished !== undefined) return;
  window.__runsStarted = 0;
  window.__runsFinished = 0;
  const fields = function* (bytes, from, to) {
    let i = from;
    const varint = () => {
      let value = 0, scale = 1;
      while (i < to) {
        const byte = bytes[i++];
        value += (byte & 0x7f) * scale;
        if (byte < 0x80) break;
        scale *= 128;
      }
      return value;
    };
    while (i < to) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) yield [field, varint()];
      else if (wire === 2) { const size = varint(); yield [field, [i, i + size]]; i += size; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return;
    }
  };
  const read = (buffer) => {
    const bytes = new Uint8Array(buffer);
    for (const [field, value] of fields(bytes, 0, bytes.length)) {
      if (field === 6 && typeof value === "number") return "finished";
      if (field === 9 && typeof value !== "number") {
        for (const [inner, flag] of fields(bytes, value[0], value[1])) {
          if (inner === 2 && flag === 1) return "started";
        }
      }
    }
    return null;
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        const kind = read(event.data);
        if (kind === "started") window.__runsStarted += 1;
        if (kind === "finished") {
          setTimeout(() => requestAnimationFrame(() => setTimeout(() => {
            window.__runsFinished += 1;
          })));
        }
      });
    }
  };
})();"""
# Marks where counting starts, so that a wait after a click cannot mistake the idle state
# before the rerun for the idle state after it. A page opened without `watch_runs` falls back
# on changes of the script-state attribute (which can miss a short run, see above).
WATCH_RUNS = """() => {
  window.__runsStartedAtMark = window.__runsStarted;
  window.__runsFinishedAtMark = window.__runsFinished;
  const app = document.querySelector('[data-testid="stApp"]');
  window.__runChanges = 0;
  if (window.__runWatcher) window.__runWatcher.disconnect();
  window.__runWatcher = new MutationObserver((records) => {
    window.__runChanges += records.length;
  });
  window.__runWatcher.observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}"""
RUN_STARTED = """() => window.__runsStarted === undefined
  ? window.__runChanges > 0
  : window.__runsStarted > window.__runsStartedAtMark"""
RUN_FINISHED = """() => (window.__runsFinished === undefined
    ? window.__runChanges > 0 : window.__runsFinished > window.__runsFinishedAtMark)
  && document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state')
    === 'notRunning'"""
RERUN_START_GRACE_MS = 3_000


class NoRerun(RuntimeError):
    """The action made no script run within the grace period: nothing to time."""


def watch_runs(context: BrowserContext) -> BrowserContext:
    """Count the app's finished script runs on every page of `context` (see RUN_COUNTER)."""
    context.add_init_script(RUN_COUNTER)
    return context


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
    """Seconds from `action` (which makes the app rerun) to the app settled with `expected`.

    An action that starts no run within the grace period raises NoRerun: the benchmark chose
    something that changes nothing, and waiting out the grace period is not a timing."""
    page.evaluate(WATCH_RUNS)
    start = time.perf_counter()
    action()
    try:
        page.wait_for_function(RUN_STARTED, timeout=RERUN_START_GRACE_MS, polling=20)
    except PlaywrightTimeout:
        settle(page)
        raise NoRerun("no script run followed the action") from None
    page.wait_for_function(RUN_FINISHED, timeout=TIMEOUT_MS, polling=20)
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


def timed_prepared_download(page: Page, prepare: Locator, name: str) -> float:
    """Seconds from the click on a "Prepare" button to the file starting: the files are
    built into the session, the download button labelled `name` appears, and its click
    hands over those bytes (the person's click on it counted as instant)."""
    settle(page)
    start = time.perf_counter()
    prepare.click()
    button = page.get_by_role("button", name=name, exact=True)
    button.wait_for(state="visible", timeout=TIMEOUT_MS)
    with page.expect_download(timeout=TIMEOUT_MS) as started:
        button.click()
    elapsed = time.perf_counter() - start
    if not started.value.suggested_filename.endswith((".xlsx", ".csv", ".pdf", ".pptx")):
        raise RuntimeError(f"the download came as {started.value.suggested_filename!r}")
    return elapsed
