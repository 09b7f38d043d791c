"""Where the page is after a click: a new questionnaire step opens at its top, and on a phone
the menu gets out of the way once a page is chosen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from diagnostics.framework.content import load_content
from diagnostics.storage import store

from .helpers import after_rerun, heading, open_page, screenshot, wait_for_app

CONTENT = load_content()
STEP_TITLES = [f"{i + 1}. {r.title}" for i, r in enumerate(CONTENT.reasons)]
# Streamlit's fixed header is about 60 px high; a heading below it and in the upper part of
# the screen is where a reader starts.
HEADER_PX = 50

_SCROLL_TO_BOTTOM = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  main.scrollTo(0, main.scrollHeight);
  window.scrollTo(0, document.body.scrollHeight);
}"""


def _new_assessment(app_server) -> str:
    engine = store.make_engine(app_server.database_url)
    pilot = store.create_pilot(engine, "Layout pilot")
    token = store.start_assessment(engine, pilot.id, CONTENT.version, "decision_point").token
    engine.dispose()
    return token


def _top_of(page, locator) -> float:
    return locator.first.evaluate("element => element.getBoundingClientRect().top")


def _scrolled_by(page) -> float:
    return page.evaluate(
        "() => document.querySelector('[data-testid=\"stMain\"]').scrollTop + window.scrollY"
    )


@pytest.mark.browser
@pytest.mark.timeout(300)
@pytest.mark.parametrize("device", ["laptop_page", "phone_page"])
def test_next_opens_the_new_step_at_its_heading(app_server, device, request) -> None:
    """Test that after Next from the bottom of a step, the next step's progress bar and
    heading are on screen, near its top, and an answer tap then keeps its place."""
    page = request.getfixturevalue(device)
    open_page(page, app_server, f"assess?token={_new_assessment(app_server)}")
    expect(heading(page, STEP_TITLES[0])).to_be_visible()
    height = page.viewport_size["height"]
    for step in (1, 2):
        page.evaluate(_SCROLL_TO_BOTTOM)
        assert _scrolled_by(page) > 300  # the Next button is far below the heading
        after_rerun(page, page.get_by_role("button", name="Next", exact=True).click)
        title = heading(page, STEP_TITLES[step])
        expect(title).to_be_visible()
        page.wait_for_timeout(300)  # the scroll is made once the step is drawn
        top = _top_of(page, title)
        assert HEADER_PX <= top <= height / 2, f"step {step + 1} heading at {top} px"
        progress = page.get_by_test_id("stProgress")
        assert HEADER_PX <= _top_of(page, progress) < top
        expect(progress).to_contain_text(f"Step {step + 1} of 7")
    screenshot(page, f"assess-step-3-opened-{device}")

    # An answer is a rerun of the same step: the page stays where the person is.
    group = page.get_by_role("radiogroup").nth(2)
    group.evaluate("element => element.scrollIntoView({block: 'center'})")
    before = _scrolled_by(page)
    after_rerun(page, group.get_by_text("Partly", exact=True).click)
    page.wait_for_timeout(300)
    assert abs(_scrolled_by(page) - before) < 5


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_the_phone_menu_closes_after_a_choice(app_server, phone_page) -> None:
    """Test that on a phone the menu closes once a page is chosen, leaving the page visible."""
    page = phone_page
    open_page(page, app_server)
    sidebar = page.get_by_test_id("stSidebar")
    for title, page_heading in (
        ("Framework guide", "How the framework works"),
        ("Assess a pilot", "Assess a pilot"),
    ):
        page.get_by_test_id("stExpandSidebarButton").tap()
        link = sidebar.get_by_role("link", name=title, exact=True)
        expect(link).to_be_in_viewport()
        after_rerun(page, link.tap)
        wait_for_app(page)
        expect(heading(page, page_heading)).to_be_visible()
        expect(link).not_to_be_in_viewport()
        expect(page.get_by_test_id("stExpandSidebarButton")).to_be_visible()
    screenshot(page, "menu-closed-after-choice-phone")
