"""The report charts: every label inside the picture (nothing clipped at any size it is shown
at), the band and decision colours from the content file, small SVG without script."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from report_cases import CONTENT, make_organisation, make_review

from diagnostics.framework.timeline import recommended_path
from diagnostics.render import charts


def _clipped(chart: charts.Chart) -> list[str]:
    """The texts whose drawn box leaves the figure (they would be cut in any format)."""
    fig = chart.figure
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    box = fig.bbox
    # Ticks beyond an axis' limits keep their label objects but are not drawn.
    hidden = set()
    for ax in fig.axes:
        for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            low, high = min(low, high), max(low, high)
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    hidden.update({id(tick.label1), id(tick.label2)})
    out = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip() or id(text) in hidden:
            continue
        extent = text.get_window_extent(renderer)
        if (
            extent.x0 < box.x0 - 0.5
            or extent.x1 > box.x1 + 0.5
            or extent.y0 < box.y0 - 0.5
            or extent.y1 > box.y1 + 0.5
        ):
            out.append(text.get_text())
    return out


def test_readiness_bars_weakest_first_in_band_colours() -> None:
    review, _ = make_review()
    chart = charts.readiness_bars(review.result, CONTENT)
    assert _clipped(chart) == []
    labels = [t.get_text() for t in chart.figure.axes[0].texts]
    weakest_first = sorted(review.result.reasons, key=lambda s: (s.readiness, s.title))
    titles = [s.title for s in weakest_first]
    assert [label for label in labels if label in titles] == titles
    colors = {p.get_facecolor()[:3] for p in chart.figure.axes[0].patches}
    low = CONTENT.band_for(100).color.lstrip("#")
    assert tuple(int(low[i : i + 2], 16) / 255 for i in (0, 2, 4)) in colors


@settings(max_examples=15, deadline=None)
@given(
    started_days_ago=st.integers(min_value=-30, max_value=900),
    milestones=st.integers(min_value=0, max_value=4),
    width=st.sampled_from([4.4, 6.0, 7.2, 7.5]),
    through_production=st.booleans(),
)
def test_timeline_labels_stay_inside_whatever_the_dates(
    started_days_ago, milestones, width, through_production
) -> None:
    today = date(2026, 3, 9)
    start = today - timedelta(days=started_days_ago)
    path = recommended_path(start, CONTENT)
    points = [(start + timedelta(days=20 * i), f"Assessment {i}") for i in range(milestones)]
    chart = charts.timeline(
        path,
        today,
        CONTENT,
        severity=2,
        milestones=points,
        width=width,
        through_production=through_production,
    )
    assert _clipped(chart) == []


def test_trend_and_spread_labels_stay_inside() -> None:
    review, _ = make_review()
    profile, _ = make_organisation()
    assert _clipped(charts.reason_spread(profile.reasons, CONTENT)) == []
    assert _clipped(charts.history_trend(review.history * 3, CONTENT)) == []


def test_svg_is_small_scalable_and_script_free() -> None:
    review, _ = make_review()
    svg = charts.readiness_bars(review.result, CONTENT).svg()
    assert svg.startswith("<svg preserveAspectRatio='xMinYMin meet'")
    assert "viewBox=" in svg
    assert ' width="' not in svg.split(">", 1)[0]  # scales to its container
    assert "<script" not in svg
    assert len(svg) < 120_000


def test_a_dollar_sign_is_text_not_a_formula() -> None:
    """matplotlib reads $...$ as mathematics unless told not to; every label stays as typed."""
    review, _ = make_review()
    chart = charts.readiness_bars(review.result, CONTENT)
    texts = [t for t in chart.figure.findobj(Text) if t.get_text()]
    assert texts
    assert not any(t.get_parse_math() for t in texts)
