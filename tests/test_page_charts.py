"""The pages' static charts: every label in full (wrapped, never shortened), nothing drawn
outside the picture, bar lengths and written figures as computed by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from portfolio_frames import canonical_frame
from test_page_cost import AS_OF, ROWS

from diagnostics import cost
from diagnostics.framework.content import load_content
from diagnostics.render import page_charts
from diagnostics.render.page_charts import Bar

CONTENT = load_content()
LONG_QUESTION = (
    "Is it decided who will spot a drop in the model's performance in production and who "
    "will act on it"
)


def texts(chart) -> list[str]:
    return [t.get_text() for t in chart.figure.findobj(Text) if t.get_text().strip()]


def outside(chart) -> list[str]:
    """The texts whose drawn box leaves the picture (they would be cut on the page)."""
    canvas = FigureCanvasAgg(chart.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    box = chart.figure.bbox
    hidden = set()  # ticks beyond an axis' limits keep their labels but are not drawn
    for ax in chart.figure.axes:
        for axis, (low, high) in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            low, high = min(low, high), max(low, high)
            for tick in axis.get_major_ticks():
                if not low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    hidden.update({id(tick.label1), id(tick.label2)})
    cut = []
    for text in chart.figure.findobj(Text):
        if not text.get_visible() or not text.get_text().strip() or id(text) in hidden:
            continue
        e = text.get_window_extent(renderer)
        if min(e.x0 - box.x0, e.y0 - box.y0, box.x1 - e.x1, box.y1 - e.y1) < -0.5:
            cut.append(text.get_text())
    return cut


def coloured_widths(chart, color: str) -> list[float]:
    """Widths of the bars drawn in `color` (hex), top to bottom."""
    from matplotlib.colors import to_hex

    bars = [
        p
        for p in chart.figure.axes[0].patches
        if isinstance(p, Rectangle) and to_hex(p.get_facecolor()) == color.lower()
    ]
    return [round(b.get_width(), 6) for b in sorted(bars, key=lambda b: b.get_y())]


def gaps_frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"label": LONG_QUESTION, "no": 3, "dont_know": 1, "asked": 8},
            {"label": "Future users taking part", "no": 2, "dont_know": 0, "asked": 4},
        ]
    )


def test_shared_gaps_show_each_question_in_full_and_numbered() -> None:
    chart = page_charts.shared_gaps(gaps_frame())
    lines = texts(chart)
    assert "…" not in "".join(lines)
    assert f"1. {LONG_QUESTION}" in " ".join(lines)  # wrapped over lines, every word kept
    assert f"1. {LONG_QUESTION}" not in lines  # too long for one line at a phone's width
    assert "2. Future users taking part" in lines
    assert "4 of 8 pilots" in lines
    assert "2 of 4 pilots" in lines
    assert not outside(chart)


def test_shared_gap_bars_are_to_scale_of_the_pilots_asked() -> None:
    chart = page_charts.shared_gaps(gaps_frame())
    # The longest scale is the 8 pilots asked: 0.7 of the width; 3 No -> 0.2625.
    assert coloured_widths(chart, page_charts.NO_COLOR) == [0.2625, 0.175]
    assert coloured_widths(chart, page_charts.DONT_KNOW_COLOR) == [0.0875]


def test_cost_charts_write_the_hand_computed_totals() -> None:
    assumptions = cost.CostAssumptions.from_content(CONTENT, as_of=AS_OF).model_copy(
        update={"monthly_team_cost": 30_437.5, "value_ramp_months": 0}
    )
    result = cost.compute_cost(canonical_frame(ROWS), assumptions)
    parts = page_charts.cost_parts(result, CONTENT)
    # Direct 280,000; opportunity 146,000; total 426,000 (tests/test_page_cost.py).
    assert {"280k", "146k", "426k"} <= set(texts(parts))
    colors = page_charts.cost_colors(CONTENT)
    direct = coloured_widths(parts, colors[page_charts.DIRECT])
    assert direct == [round(0.7 * 280 / 426, 6)] * 2  # its own row and the total's
    units = page_charts.cost_units(result, CONTENT)
    assert [t for t in texts(units) if t in ("326k", "100k")] == ["326k", "100k"]
    built = page_charts.cost_build_up(result, CONTENT)
    assert {"280k", "146k"} <= set(texts(built))  # each part's figure at the last month
    for chart in (parts, units, built):
        assert not outside(chart), chart.title


def test_many_units_end_in_one_row_for_the_rest() -> None:
    result = type(
        "Result",
        (),
        {
            "assumptions": cost.CostAssumptions.from_content(CONTENT, as_of=date(2026, 6, 30)),
            "by_unit": pd.DataFrame(
                {
                    "business_unit": [f"Unit {i}" for i in range(20)],
                    "direct_cost": [1000.0 * (20 - i) for i in range(20)],
                    "opportunity_cost": [0.0] * 20,
                    "total_cost": [1000.0 * (20 - i) for i in range(20)],
                }
            ),
        },
    )()
    lines = texts(page_charts.cost_units(result, CONTENT, limit=15))
    assert "Other units (6)" in lines
    assert "21k" in lines  # 6k + 5k + 4k + 3k + 2k + 1k


@settings(max_examples=25, deadline=None)
@given(
    labels=st.lists(
        st.text(alphabet=st.characters(codec="ascii", categories=["L", "N", "Zs"]), max_size=140),
        min_size=1,
        max_size=6,
    ),
    values=st.lists(st.floats(min_value=0, max_value=1e9), min_size=6, max_size=6),
)
def test_no_label_or_figure_leaves_the_picture(labels, values) -> None:
    bars = [Bar(label, (v, v / 2), f"{v:,.0f}") for label, v in zip(labels, values, strict=False)]
    chart = page_charts.stacked_bars(bars, [("A", "#D55E00"), ("B", "#7f8fa6")], "Any")
    assert not outside(chart)


def test_action_follow_up_charts_count_by_hand() -> None:
    units = pd.DataFrame(
        {"business_unit": ["Ops", "HR"], "open": [3, 1], "overdue": [1, 0], "done": [2, 0]}
    )
    chart = page_charts.actions_per_unit(units, CONTENT)
    assert {"3 to do, 2 done", "1 to do, 0 done"} <= set(texts(chart))
    # The longest bar, Ops with 5 actions, takes 0.7 of the width: 0.14 an action.
    assert coloured_widths(chart, CONTENT.bands[0].color) == [0.14]  # Ops: 1 overdue
    assert coloured_widths(chart, page_charts.ACCENT) == [0.28, 0.14]  # 2 and 1 on time
    days = pd.date_range("2026-06-01", periods=3, freq="D")
    over_time = pd.DataFrame({"day": days, "open": [1, 3, 2], "done": [0, 0, 2]})
    line = page_charts.actions_over_time(over_time, CONTENT)
    assert [t for t in texts(line) if t in ("2", "Still to do", "Done")].count("2") == 2
    assert not outside(line)
    one_day = page_charts.actions_over_time(over_time.head(1), CONTENT)
    assert not outside(one_day)


def _unit_costs(count: int):
    """A cost result of `count` units with one-line names, unit i costing 1000 * (count - i)."""
    costs = [1000.0 * (count - i) for i in range(count)]
    return type(
        "Result",
        (),
        {
            "assumptions": cost.CostAssumptions.from_content(CONTENT, as_of=date(2026, 6, 30)),
            "by_unit": pd.DataFrame(
                {
                    "business_unit": [f"Unit {i:02d}" for i in range(count)],
                    "direct_cost": [c / 2 for c in costs],
                    "opportunity_cost": [c / 2 for c in costs],
                    "total_cost": costs,
                }
            ),
        },
    )()


def _label_rows(chart) -> dict[str, float]:
    """Each unit label's height on the picture, in inches from the top."""
    return {
        t.get_text(): t.get_position()[1]
        for t in chart.figure.axes[0].texts
        if t.get_text().startswith("Unit ")
    }


def test_a_long_list_of_units_shows_its_colours_again_every_few_inches() -> None:
    """On a phone a long list outruns the screen: the legend comes again down the list."""
    # The page's 15 rows (14 units and the rest summed): the legend on top and before row 9.
    page_rows = page_charts.cost_units(_unit_costs(30), CONTENT)
    assert texts(page_rows).count(page_charts.DIRECT) == 2
    assert not outside(page_rows)
    chart = page_charts.cost_units(_unit_costs(20), CONTENT, limit=20)
    # One-line rows of 0.19 + 0.2 + 0.14 = 0.53 in: 9 rows make 4.77 in, a 10th passes 5;
    # the legend on top, then again before units 9 and 18.
    assert texts(chart).count(page_charts.DIRECT) == 3
    assert texts(chart).count(page_charts.OPPORTUNITY) == 3
    rows = _label_rows(chart)
    assert len(rows) == 20
    assert rows["Unit 09"] - rows["Unit 08"] == pytest.approx(0.53 * 2)
    assert rows["Unit 10"] - rows["Unit 09"] == pytest.approx(0.53)
    legends = sorted(t.get_position()[1] for t in chart.figure.axes[0].texts if t.get_text() == "■")
    # Each repeated legend sits between the bar above it and the label below it.
    assert rows["Unit 08"] + 0.53 < legends[2] < rows["Unit 09"]
    assert rows["Unit 17"] + 0.53 < legends[4] < rows["Unit 18"]
    assert not outside(chart)


def test_a_short_list_or_a_single_series_shows_its_legend_once_or_never() -> None:
    short = page_charts.cost_units(_unit_costs(9), CONTENT)  # 4.77 in of rows
    assert texts(short).count(page_charts.DIRECT) == 1
    bars = [Bar(f"Unit {i:02d}", (float(i + 1),), f"{i + 1}") for i in range(20)]
    single = page_charts.stacked_bars(bars, [("Pilots", page_charts.ACCENT)], "Any")
    assert "Pilots" not in texts(single)
    assert "■" not in texts(single)
