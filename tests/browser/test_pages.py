"""Every registered page opens in a real browser, on a laptop and on a phone, without errors."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from harness import page_heading
from playwright.sync_api import expect

from ui.navigation import available_pages

from .helpers import ERROR_MESSAGE, EXCEPTION, after_rerun, heading, open_page, screenshot

PAGES = available_pages()
MENU_PAGES = [spec for spec in PAGES if spec.in_menu]
DEFAULT_PAGE = next(spec for spec in PAGES if spec.default)


def _url_path(spec) -> str:
    return "" if spec.default else spec.url_path


def _assert_page_shown(page, spec) -> None:
    main = page.locator('[data-testid="stMain"]')
    # An unknown path silently falls back to the default page and rewrites the URL to "/".
    assert urlparse(page.url).path.strip("/") == _url_path(spec), page.url
    expect(page.locator(EXCEPTION)).to_have_count(0)
    expected = page_heading(spec.path)
    if expected is not None:
        expect(heading(page, expected)).to_be_visible()
    else:
        expect(main.locator("h1").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"Page not found", re.I))).to_have_count(0)
    expect(page.locator(ERROR_MESSAGE)).to_have_count(0)
    assert page.problems == [], f"JavaScript errors on {spec.path}: {page.problems}"


@pytest.mark.browser
@pytest.mark.parametrize("spec", PAGES, ids=[spec.url_path for spec in PAGES])
def test_page_opens_on_laptop_and_phone(app_server, laptop_page, phone_page, spec) -> None:
    for device, page in (("laptop", laptop_page), ("phone", phone_page)):
        open_page(page, app_server, _url_path(spec))
        _assert_page_shown(page, spec)
        screenshot(page, f"{spec.url_path}-{device}")


@pytest.mark.browser
def test_menu_on_laptop_reaches_every_page(app_server, laptop_page) -> None:
    open_page(laptop_page, app_server)
    sidebar = laptop_page.get_by_test_id("stSidebar")
    expect(sidebar).to_be_visible()
    for spec in MENU_PAGES:
        link = sidebar.get_by_role("link", name=spec.title, exact=True)
        after_rerun(laptop_page, link.click)
        _assert_page_shown(laptop_page, spec)


@pytest.mark.browser
def test_menu_on_phone_opens_and_navigates(app_server, phone_page) -> None:
    target = next((spec for spec in MENU_PAGES if not spec.default), None)
    if target is None:
        pytest.skip("only the default page is registered")
    open_page(phone_page, app_server)
    sidebar = phone_page.get_by_test_id("stSidebar")
    # On a phone the menu starts closed so the page gets the whole width.
    expect(sidebar.get_by_role("link", name=target.title, exact=True)).not_to_be_in_viewport()
    phone_page.get_by_test_id("stExpandSidebarButton").tap()
    link = sidebar.get_by_role("link", name=target.title, exact=True)
    expect(link).to_be_in_viewport()
    after_rerun(phone_page, link.tap)
    _assert_page_shown(phone_page, target)
