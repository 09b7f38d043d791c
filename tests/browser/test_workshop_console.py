"""The facilitator console's charts in a real browser (the disagreement ranking, a question's
answers and its split by role): room-sized, dark type like the shared screen's, every label
whole inside its chart, on a laptop (1366x768) and on a projector (1920x1080)."""

from __future__ import annotations

import pytest
from harness import vote
from playwright.sync_api import expect

from diagnostics import workshop as ws
from diagnostics.framework.content import load_content
from diagnostics.storage import store

from .helpers import EXCEPTION, screenshot, wait_for_app

CONTENT = load_content()
SLOW_MS = 180_000
# Six people, four questions, answers spread differently: four ranked questions.
ANSWERS = [
    ["yes", "yes", "no", "no", "yes", "no"],
    ["yes", "partly", "no", "yes", "yes", "partly"],
    ["no", "no", "no", "dont_know", "no", "yes"],
    ["yes", "yes", "yes", "yes", "yes", "partly"],
]
ROOM_PX = 22  # the shared screen's chart type
_TICKS = """(root) => [...root.querySelectorAll(
    '.ytick text, .xtick text, .g-xtitle text, .legendtext, .bartext')]
  .map((t) => {
    const box = t.getBoundingClientRect();
    return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
            fill: getComputedStyle(t).fill, left: box.left, right: box.right};
  })"""


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_the_consoles_charts_are_in_room_sized_dark_type(app_server, browser):
    engine = store.make_engine(app_server.database_url)
    created = ws.create_workshop(engine, CONTENT, pilot_name="Ranking", pacing="all")
    ids = created.state.question_ids[: len(ANSWERS)]
    roles = ["it", "it", "it", "data", "data", "data"]
    people = [
        ws.join_workshop(engine, created.state.code, f"r{i}", role=role)
        for i, role in enumerate(roles)
    ]
    for qid, answers in zip(ids, ANSWERS, strict=True):
        for person, value in zip(people, answers, strict=True):
            vote(engine, person, qid, value)
    engine.dispose()
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(SLOW_MS)
    page = context.new_page()
    try:
        page.goto(
            f"{app_server}/workshop?facilitator={created.facilitator_token}",
            wait_until="domcontentloaded",
        )
        wait_for_app(page, SLOW_MS)
        page.get_by_role("tab", name="Results").click()
        charts = page.locator('[data-testid="stPlotlyChart"]')
        # The ranking, the first question's answers, and its split by role.
        expect(charts).to_have_count(3)
        for width, height in ((1366, 768), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(1500)
            for n, name in enumerate(("ranking", "answers", "roles")):
                chart = charts.nth(n)
                chart.scroll_into_view_if_needed()
                expect(chart.locator(".xtick text").first).to_be_visible()
                box = chart.bounding_box()
                screenshot(page, f"workshop-console-{name}-{width}", whole_page=False)
                ticks = chart.evaluate(_TICKS)
                words = [t["text"] for t in ticks if t["text"] and not t["text"].isdigit()]
                assert len(words) >= {"ranking": 5, "answers": 4, "roles": 4}[name], words
                for tick in ticks:
                    assert tick["size"] >= ROOM_PX, (width, name, tick)
                    assert tick["fill"] in ("rgb(17, 17, 17)", "#111111"), (width, name, tick)
                    # Whole inside the chart: no label cut at either edge.
                    assert box["x"] - 1 <= tick["left"], (width, name, tick)
                    assert tick["right"] <= box["x"] + box["width"] + 1, (width, name, tick)
        expect(page.locator(EXCEPTION)).to_have_count(0)
    finally:
        context.close()
