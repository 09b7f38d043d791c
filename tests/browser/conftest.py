"""Browser fixtures: a real `streamlit run` server and Debian's chromium driven by Playwright.

The server runs `app.py` from the repository on a free port against a fresh SQLite file that
`python -m diagnostics init-db --demo` has filled, exactly as `make run` does. When a test
fails, its report carries the server's output and a screenshot of each open page.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import REPO_ROOT, free_port, unavailable, worker_id

from bench.commands import run_cli
from bench.ui.browser import CHROMIUM_ARGS, watch_runs

from .helpers import screenshot

CHROMIUM = Path("/usr/bin/chromium")
SERVER_START_TIMEOUT_S = 60
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
# A touch phone's browser context (the size of a current mid-range handset).
PHONE_CONTEXT = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
# The three screens a page is looked at on: a phone, a laptop's visible screen and the shared
# screen of a room.
SCREENS = {
    "phone": PHONE_CONTEXT,
    "laptop": {"viewport": {"width": 1366, "height": 768}},
    "screen": {"viewport": {"width": 1920, "height": 1080}},
}


class AppServer(str):
    """The base URL of a running app (use it as a string), plus where its output goes."""

    log_path: Path
    database_url: str


def _server_output(server: AppServer) -> str:
    try:
        return server.log_path.read_text(errors="replace")[-20_000:]
    except OSError as exc:
        return f"(server output unavailable: {exc})"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:  # noqa: S310
            # Any unknown path answers 200 with the app's HTML: only the exact body counts.
            return response.status == 200 and response.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _start_streamlit(tmp: Path, env: dict[str, str]) -> tuple[subprocess.Popen, AppServer]:
    last_failure = ""
    for attempt in range(3):  # the free port may be taken between choosing and binding it
        port = free_port()
        log_path = tmp / f"streamlit-{attempt}.log"
        log = log_path.open("w")
        command = [sys.executable, "-m", "streamlit", "run", "app.py"]
        command += ["--server.port", str(port), "--server.address", "127.0.0.1"]
        command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
        process = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        server = AppServer(f"http://127.0.0.1:{port}")
        server.log_path = log_path
        server.database_url = env["DATABASE_URL"]
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline and process.poll() is None:
            if _healthy(server):
                return process, server
            time.sleep(0.1)
        _stop(process)
        last_failure = f"exit status {process.returncode}; output:\n{_server_output(server)}"
        if "address already in use" not in last_failure.lower():
            break
    # The server is the product under test, not missing infrastructure: always a failure.
    pytest.fail(f"`streamlit run app.py` did not become healthy: {last_failure}", pytrace=False)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def app_server() -> Iterator[AppServer]:
    """`streamlit run app.py` on a free port with demo data in a fresh SQLite file."""
    tmp = Path(tempfile.mkdtemp(prefix=f"app-{worker_id()}-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'app.db'}"}
    env.pop("STREAMLIT_SERVER_PORT", None)
    seeded = run_cli("init-db", "--demo", env=env)
    if seeded.returncode != 0:
        pytest.fail(
            "`python -m diagnostics init-db --demo` failed "
            f"(exit {seeded.returncode}):\n{seeded.stdout}\n{seeded.stderr}",
            pytrace=False,
        )
    process, server = _start_streamlit(tmp, env)
    try:
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's chromium, headless, launched by path (no browser is ever downloaded)."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing; install it with `apt-get install -y chromium`")
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
        except Error as exc:
            unavailable(f"chromium at {CHROMIUM} did not start: {exc}")
        yield launched
        launched.close()


def _page(browser, **context_options) -> Iterator:
    context = watch_runs(browser.new_context(**context_options))
    page = context.new_page()
    page.problems = []  # uncaught JavaScript errors, for tests to assert on
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def laptop_page(browser) -> Iterator:
    """A 1366x900 desktop browser tab."""
    yield from _page(browser, viewport=LAPTOP)


@pytest.fixture
def phone_page(browser) -> Iterator:
    """A 390x844 touch phone (the size of a current mid-range handset)."""
    yield from _page(browser, **PHONE_CONTEXT)


@pytest.fixture
def screen_page(request, browser) -> Iterator:
    """A tab on one of SCREENS, named by the test's parameter (`indirect`), e.g.
    `@pytest.mark.parametrize("screen_page", ["laptop", "phone"], indirect=True)`."""
    yield from _page(browser, **SCREENS[request.param])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """On failure, attach the server's output and a screenshot of every open page."""
    report = yield
    if not (report.failed and report.when in ("setup", "call")):
        return report
    funcargs = getattr(item, "funcargs", {})
    server = funcargs.get("app_server")
    if isinstance(server, AppServer):
        report.sections.append(("streamlit server output", _server_output(server)))
    for name in ("laptop_page", "phone_page", "screen_page"):
        page = funcargs.get(name)
        if page is None or page.url == "about:blank":
            continue
        try:
            saved = screenshot(page, f"FAILED-{item.name}-{name}")
            report.sections.append((f"{name} screenshot", str(saved)))
        except Exception as exc:  # a broken page must not hide the real failure
            report.sections.append((f"{name} screenshot", f"could not be taken: {exc}"))
        if page.problems:
            report.sections.append((f"{name} JavaScript errors", "\n".join(page.problems)))
    return report


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
