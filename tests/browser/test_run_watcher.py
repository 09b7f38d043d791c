"""How a test or the benchmark knows that the app has answered a click: each script run the
server starts and finishes is counted from the app's own messages (a fragment's run too),
and a click that makes no run is told apart instead of being timed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bench.ui.browser import NoRerun, timed_rerun
from diagnostics.framework.content import load_content
from diagnostics.storage import store

from .helpers import heading, open_page

CONTENT = load_content()
FIRST_STEP = f"1. {CONTENT.reasons[0].title}"


def _counts(page) -> tuple[int, int]:
    return tuple(page.evaluate("() => [window.__runsStarted, window.__runsFinished]"))


def _new_assessment(app_server) -> str:
    engine = store.make_engine(app_server.database_url)
    pilot = store.create_pilot(engine, "Watcher pilot")
    token = store.start_assessment(engine, pilot.id, CONTENT.version, "decision_point").token
    engine.dispose()
    return token


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_a_click_that_starts_no_run_is_not_timed(app_server, laptop_page) -> None:
    """Test that clicking a heading (nothing to run) raises NoRerun and counts no run."""
    page = laptop_page
    open_page(page, app_server, "framework")
    before = _counts(page)
    with pytest.raises(NoRerun):
        timed_rerun(page, heading(page, "How the framework works").first.click, None)
    assert _counts(page) == before


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_page_runs_and_fragment_runs_are_each_counted_once(app_server, laptop_page) -> None:
    """Test that a menu click (a whole run) and an answer tap (the questionnaire step's
    fragment) each count one started and one finished run, and the wait ends drawn."""
    page = laptop_page
    open_page(page, app_server, f"assess?token={_new_assessment(app_server)}")
    expect(heading(page, FIRST_STEP)).to_be_visible()
    started, finished = _counts(page)
    assert started >= 1  # the first load's run(s)
    assert finished >= 1

    option = page.locator('[data-testid="stRadio"]').first.get_by_text("Partly", exact=True)
    seconds = timed_rerun(page, option.click, None)
    assert 0 < seconds < 30
    assert _counts(page) == (started + 1, finished + 1)

    sidebar = page.get_by_test_id("stSidebar")
    link = sidebar.get_by_role("link", name="Framework guide", exact=True)
    timed_rerun(page, link.click, heading(page, "How the framework works"))
    assert _counts(page) == (started + 2, finished + 2)
