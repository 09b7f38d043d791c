"""The team deployment shape for real: `scripts/run_team.sh` (what `make run-team` runs) starts
a PostgreSQL server from this machine's binaries and two `streamlit run` processes sharing it.

A participant joins a workshop and votes through process A; the shared screen served by
process B shows the vote. Then the database server stops: pages say so plainly instead of
showing a trace, and recover once it is back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import REPO_ROOT, free_port, unavailable

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
SCRIPT = REPO_ROOT / "scripts" / "run_team.sh"
STEP_TIMEOUT_MS = 30_000


@dataclass
class Team:
    process_a: str
    process_b: str
    database_url: str
    env: dict[str, str]
    team_dir: Path


def _script(action: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT), action],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


@pytest.fixture(scope="module")
def team() -> Iterator[Team]:
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")) and not shutil.which("pg_ctl"):
        unavailable(
            "PostgreSQL binaries are missing; install them with `apt-get install -y postgresql`"
        )
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing; install it with `apt-get install -y chromium`")
    team_dir = Path(tempfile.mkdtemp(prefix="team-", dir="/tmp"))
    team_dir.chmod(0o755)  # the postgres account must reach its folder inside
    ports = [free_port(), free_port()]
    pg_port = free_port()
    env = {
        **os.environ,
        "POCTRAP_TEAM_DIR": str(team_dir),
        "POCTRAP_PG_PORT": str(pg_port),
        "POCTRAP_APP_PORTS": " ".join(map(str, ports)),
        "POCTRAP_PYTHON": sys.executable,
    }
    for name in ("DATABASE_URL", "POCTRAP_PASSWORD_HASH", "POCTRAP_AUTH", "STREAMLIT_SERVER_PORT"):
        env.pop(name, None)
    started = _script("start", env)
    try:
        if started.returncode != 0:
            pytest.fail(
                f"run_team.sh start failed ({started.returncode}):\n{started.stdout}\n"
                f"{started.stderr}",
                pytrace=False,
            )
        yield Team(
            process_a=f"http://127.0.0.1:{ports[0]}",
            process_b=f"http://127.0.0.1:{ports[1]}",
            database_url=f"postgresql+psycopg://postgres@127.0.0.1:{pg_port}/poctrap",
            env=env,
            team_dir=team_dir,
        )
    finally:
        _script("stop", env)
        pg_path = team_dir / "pg.path"
        if pg_path.exists():
            shutil.rmtree(pg_path.read_text().strip(), ignore_errors=True)
        shutil.rmtree(team_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _open(browser, url: str, **context_options):
    from browser.helpers import wait_for_app

    page = browser.new_context(**context_options).new_page()
    page.goto(url)
    wait_for_app(page)
    return page


def test_a_vote_cast_through_one_process_shows_on_the_screen_of_the_other(team, chromium) -> None:
    from browser.helpers import EXCEPTION, click_button, main_text
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from diagnostics import workshop as ws
    from diagnostics.framework.content import load_content
    from diagnostics.storage import store

    content = load_content()
    engine = store.make_engine(team.database_url)
    try:
        new = ws.create_workshop(engine, content, pilot_name="Claims triage across processes")
        code, token = new.state.code, new.facilitator_token

        presenter = _open(chromium, f"{team.process_b}/present?facilitator={token}")
        assert presenter.locator(EXCEPTION).count() == 0
        # Nobody in yet: the shared screen shows the code big.
        presenter.locator(".st-key-present_code").get_by_text(code).wait_for(
            timeout=STEP_TIMEOUT_MS
        )

        # Process A's very first session is this deep link: it must still go through app.py
        # (which takes the code from the link), as ui/frame.py ensures.
        phone = _open(
            chromium,
            f"{team.process_a}/join?code={code}",
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
        try:  # the join link carries the code: the page finds the workshop by itself
            phone.get_by_role("button", name="Join", exact=True).wait_for(timeout=STEP_TIMEOUT_MS)
        except PlaywrightTimeout:
            pytest.fail(f"no Join button on process A's join page:\n{main_text(phone)}")
        click_button(phone, "Join")
        assert phone.locator(EXCEPTION).count() == 0, main_text(phone)
        yes = phone.get_by_role("button", name="Yes", exact=True).first
        yes.wait_for(timeout=STEP_TIMEOUT_MS)
        click_button(phone, "Yes")
        phone.get_by_role("button", name="✓ Yes", exact=True).first.wait_for(
            timeout=STEP_TIMEOUT_MS
        )

        # Process B never saw this participant: it re-reads the shared database.
        presenter.get_by_text("1 of 1 answered").first.wait_for(timeout=STEP_TIMEOUT_MS)
        assert presenter.locator(EXCEPTION).count() == 0
        live = ws.live_status(ws.facilitator(engine, token), content)
        assert (live.participants, live.total_votes) == (1, 1)
    finally:
        engine.dispose()


def test_a_stopped_database_shows_a_message_and_the_app_recovers(team, chromium) -> None:
    from browser.helpers import EXCEPTION, main_text

    pg_dir = Path((team.team_dir / "pg.path").read_text().strip())
    pg_ctl = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))), None)
    pg_ctl = str(pg_ctl or shutil.which("pg_ctl"))
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [*as_postgres, pg_ctl, "-D", str(pg_dir / "data"), "-m", "fast", "-w", "stop"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    page = _open(chromium, f"{team.process_a}/")
    page.goto(f"{team.process_a}/assess")
    from browser.helpers import wait_for_app

    wait_for_app(page)
    text = main_text(page)
    assert "cannot be reached" in text, text
    assert page.locator(EXCEPTION).count() == 0
    assert "Traceback" not in text

    restarted = _script("start", team.env)  # starts the server again; the apps keep running
    assert restarted.returncode == 0, restarted.stderr
    page.goto(f"{team.process_a}/assess")
    wait_for_app(page)
    assert "cannot be reached" not in main_text(page)
    assert page.locator(EXCEPTION).count() == 0
