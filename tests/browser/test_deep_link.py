"""A deep link that is a freshly started server's first request still opens inside app.py.

Streamlit runs a page file on its own while no session of the process has yet run app.py's
`st.navigation` (a `pages/` folder makes it an old-style multipage app until then). This
module has its own server (the `app_server` fixture is per module), and its first request is
a deep link, as after a restart behind a load balancer or when a shared link is opened first.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import EXCEPTION, heading, open_page, screenshot


@pytest.mark.browser
def test_a_deep_link_as_first_request_gets_the_menu_and_wide_layout(app_server, laptop_page):
    open_page(laptop_page, app_server, "cost")
    sidebar = laptop_page.get_by_test_id("stSidebar")
    expect(heading(laptop_page, "Cost of the PoC trap")).to_be_visible()
    # app.py's own menu, with its titles, not the raw list of files in pages/.
    expect(sidebar.get_by_role("link", name="Cost of the trap", exact=True)).to_be_visible()
    expect(sidebar.get_by_role("link", name="app", exact=True)).to_have_count(0)
    expect(sidebar.get_by_role("link", name="present", exact=True)).to_have_count(0)
    # app.py's wide layout: the main block uses most of a laptop's width.
    block = laptop_page.locator('[data-testid="stMainBlockContainer"]').bounding_box()
    assert block is not None
    assert block["width"] > 1000, block
    expect(laptop_page.locator(EXCEPTION)).to_have_count(0)
    screenshot(laptop_page, "deep-link-first-request-laptop")
