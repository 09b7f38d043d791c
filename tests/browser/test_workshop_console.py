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


def _answered_workshop(app_server) -> ws.NewWorkshop:
    """A workshop with every question open, six people and their ANSWERS to four of them."""
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
    return created


def _console(app_server, browser, created):
    """A laptop (1366x768) tab on the workshop's console, and its browser context."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(SLOW_MS)
    page = context.new_page()
    page.goto(
        f"{app_server}/workshop?facilitator={created.facilitator_token}",
        wait_until="domcontentloaded",
    )
    wait_for_app(page, SLOW_MS)
    return context, page


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_the_consoles_charts_are_in_room_sized_dark_type(app_server, browser):
    context, page = _console(app_server, browser, _answered_workshop(app_server))
    try:
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


# Each visible text in the console's room-sized containers: its size, ink and text.
_ROOM_TEXTS = """() => [...document.querySelectorAll('[class*="st-key-ws_room"] p')]
  .filter((p) => p.checkVisibility() && p.textContent.trim())
  .map((p) => ({text: p.textContent.trim(), size: parseFloat(getComputedStyle(p).fontSize),
                fill: getComputedStyle(p).color}))"""


@pytest.mark.browser
@pytest.mark.timeout(600)
def test_the_figures_a_room_reads_are_as_large_as_the_charts(app_server, browser):
    created = _answered_workshop(app_server)
    label = CONTENT.questions_by_id[created.state.question_ids[0]].short_label
    context, page = _console(app_server, browser, created)
    try:
        for width, height in ((1366, 768), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            page.get_by_role("tab", name="Run").click()
            expect(page.get_by_text("Answers so far", exact=True)).to_be_visible()
            page.wait_for_timeout(500)
            texts = {t["text"]: t for t in page.evaluate(_ROOM_TEXTS)}
            # Six people, 4 questions answered by each of them, all 38 questions open.
            assert {"People joined", "6", "Answers so far", "24"} <= set(texts), texts
            assert f"All {len(created.state.question_ids)} questions are open." in texts
            page.get_by_text("Answers so far", exact=True).scroll_into_view_if_needed()
            screenshot(page, f"workshop-console-room-run-{width}", whole_page=False)
            page.get_by_role("tab", name="Results").click()
            line = f"{label}: 6 answers so far · disagreement index 100 / 100"
            expect(page.get_by_text(line)).to_be_visible()
            page.get_by_text(line).scroll_into_view_if_needed()
            screenshot(page, f"workshop-console-room-results-{width}", whole_page=False)
            texts = page.evaluate(_ROOM_TEXTS)
            assert line in [t["text"] for t in texts]
            for text in texts:
                assert text["size"] >= ROOM_PX, (width, text)
                assert text["fill"] == "rgb(17, 17, 17)", (width, text)
            # The figures twice the charts' type; nothing pushed past the side.
            values = page.locator('[class*="st-key-ws_room"] [data-testid="stMetricValue"]')
            sizes = values.evaluate_all(
                "(all) => all.map((v) => parseFloat(getComputedStyle(v.querySelector('p')"
                " || v).fontSize))"
            )
            assert sizes == [2 * ROOM_PX] * 2, sizes
            main = page.get_by_test_id("stMain")
            assert main.evaluate("(m) => m.scrollWidth <= m.clientWidth"), width
        # Voted again: each round's answers and disagreement, side by side, in room type.
        engine = store.make_engine(app_server.database_url)
        fac = ws.facilitator(engine, created.facilitator_token)
        first = created.state.question_ids[0]
        ws.set_revealed(fac, CONTENT, [first])
        ws.open_next_round(fac, CONTENT, [first])
        engine.dispose()
        page.reload()
        wait_for_app(page, SLOW_MS)
        page.get_by_role("tab", name="Results").click()
        heading = "Round 1 · 6 answers · disagreement 100"
        expect(page.get_by_text(heading)).to_be_visible()
        page.get_by_text(heading).scroll_into_view_if_needed()
        screenshot(page, "workshop-console-room-rounds-1920", whole_page=False)
        texts = {t["text"]: t for t in page.evaluate(_ROOM_TEXTS)}
        assert {heading, "Round 2 · 0 answers"} <= set(texts), texts
        assert all(t["size"] >= ROOM_PX for t in texts.values()), texts
        expect(page.locator(EXCEPTION)).to_have_count(0)
    finally:
        context.close()
