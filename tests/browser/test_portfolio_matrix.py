"""The demo portfolio's readiness × value matrix in a real browser on a phone (390x844), a
laptop (1366x768) and a shared screen (1920x1080): each quadrant's name is drawn clear of
every point and of both threshold lines."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import SCREENS
from .helpers import after_rerun, open_page, screenshot

# The drawn boxes of the quadrant names, the points and the dashed lines, in page pixels.
_BOXES = """(chart) => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  return {
    names: [...chart.querySelectorAll('.annotation-text')].map((e) =>
      ({text: e.textContent, ...box(e)})),
    points: [...chart.querySelectorAll('.scatterlayer .point')].map(box),
    lines: [...chart.querySelectorAll('.shapelayer path')].map(box),
  };
}"""


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


@pytest.mark.browser
@pytest.mark.timeout(300)
@pytest.mark.parametrize("screen_page", list(SCREENS), indirect=True)
def test_the_quadrant_names_clear_every_point_and_line(app_server, screen_page, request) -> None:
    page = screen_page
    open_page(page, app_server, "portfolio")
    after_rerun(page, page.get_by_text("Show the matrix", exact=True).click)
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".annotation-text")).to_have_count(4)
    chart.evaluate("element => element.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(500)
    screenshot(page, f"portfolio-matrix-{request.node.callspec.id}", whole_page=False)
    boxes = chart.evaluate(_BOXES)
    assert sorted(n["text"] for n in boxes["names"]) == [
        "Fix blockers", "Rethink", "Scale now", "Stop",
    ]  # fmt: skip
    assert len(boxes["points"]) > 100  # the demo's rated pilots
    assert len(boxes["lines"]) == 2  # readiness and value thresholds
    for name in boxes["names"]:
        assert not [p for p in boxes["points"] if _overlap(name, p)], name
        assert not [line for line in boxes["lines"] if _overlap(name, line)], name
    assert page.problems == []
