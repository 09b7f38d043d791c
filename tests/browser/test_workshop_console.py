"""The facilitator console's disagreement ranking in a real browser: room-sized, dark type
like the shared screen's, every label whole inside the chart, on a laptop (1366x768) and on
a projector (1920x1080)."""

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
_TICKS = """(root) => [...root.querySelectorAll('.ytick text, .xtick text, .g-xtitle text')]
  .map((t) => {
    const box = t.getBoundingClientRect();
    return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize),
            fill: getComputedStyle(t).fill, left: box.left, right: box.right};
  })"""


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_the_consoles_disagreement_ranking_is_in_room_sized_dark_type(app_server, browser):
    engine = store.make_engine(app_server.database_url)
    created = ws.create_workshop(engine, CONTENT, pilot_name="Ranking", pacing="all")
    ids = created.state.question_ids[: len(ANSWERS)]
    people = [ws.join_workshop(engine, created.state.code, f"r{i}") for i in range(6)]
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
        for width, height in ((1366, 768), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(1500)
            ranking = page.locator('[data-testid="stPlotlyChart"]').first
            ranking.scroll_into_view_if_needed()
            expect(ranking.locator(".ytick text").first).to_be_visible()
            box = ranking.bounding_box()
            screenshot(page, f"workshop-console-ranking-{width}", whole_page=False)
            ticks = ranking.evaluate(_TICKS)
            labels = [t["text"] for t in ticks if t["text"] and not t["text"].isdigit()]
            assert len(labels) >= len(ANSWERS), labels
            for tick in ticks:
                assert tick["size"] >= ROOM_PX, (width, tick)
                assert tick["fill"] in ("rgb(17, 17, 17)", "#111111"), (width, tick)
                # Whole inside the chart: no label cut at either edge.
                assert box["x"] - 1 <= tick["left"], (width, tick)
                assert tick["right"] <= box["x"] + box["width"] + 1, (width, tick)
        expect(page.locator(EXCEPTION)).to_have_count(0)
    finally:
        context.close()
