"""Static pictures for the pages' charts that nobody needs to hover: bars with their figures
written beside them, and a build-up over time.

Why not Plotly on these pages: a session's first Plotly chart loads a 4.7 MB script and every
chart is laid out in the browser again on each rerun that sends it; measured in Chromium, that
is most of a page's first load (docs/scaling.md). A picture drawn once on the server is a few
kilobytes and costs the browser nothing. The figures a hover gave are written on the picture.

Layout rules are the report charts' (diagnostics/render/charts.py): each label on its own
lines above its bar, wrapped rather than shortened, so nothing is cut at a phone's width.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import matplotlib
import pandas as pd
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties

from diagnostics.cost.figures import DIRECT, MAX_UNITS, OPPORTUNITY, cost_colors
from diagnostics.cost.model import CostResult
from diagnostics.cost.stop_now import StopNowScenario
from diagnostics.formats import format_money
from diagnostics.framework.content import Content
from diagnostics.render.charts import (
    _LOCK,
    _RC,
    ACCENT,
    INK,
    MUTED,
    NEUTRAL,
    TRACK,
    WIDTH_INCHES,
    Chart,
    _drawn,
    _figure,
)

LINE_INCHES = 0.19  # one line of 10 pt label text
BAR_INCHES = 0.2
GAP_INCHES = 0.14
LEGEND_INCHES = 0.32
LABEL_CHARACTERS = 52  # characters per label line at the chart's width
# A heading band drawn among the rows (see `stacked_bars`' `bands`): as tall as a row.
BAND_INCHES = LINE_INCHES + BAR_INCHES + GAP_INCHES
# A long list of rows draws its headings (a legend's colours, a chart's column names) again
# after at most this much of it: a 390x844 phone shows about 9 inches of a picture, a
# 1366x768 laptop about 7, so one is always on screen.
HEADINGS_EVERY_INCHES = 5.0


@dataclass(frozen=True)
class Bar:
    """One row: its label, the stacked parts (one per series, in order), the text beside the
    bar, where the bar starts (0 for all but a waterfall's floating part), and a colour of its
    own for a one-part bar (else the series')."""

    label: str
    parts: tuple[float, ...]
    text: str
    start: float = 0.0
    color: str | None = None


@functools.cache
def _renderer() -> RendererAgg:
    return RendererAgg(10, 10, 72)  # at 72 dpi a width comes out in points


def _points(text: str, size: float, weight: str = "normal") -> float:
    """How wide `text` is drawn, in points."""
    font = FontProperties(family=_RC["font.family"], size=size, weight=weight)
    with _LOCK:
        return _renderer().get_text_width_height_descent(text, font, ismath=False)[0]


def _lines(label: str, characters: int, room: float, weight: str = "normal") -> list[str]:
    """`label` wrapped at about `characters` a line, narrower where a line of wide letters
    (10 pt, in `weight`) would not fit in `room` points: the whole label is always shown."""
    while True:
        lines = textwrap.wrap(label, characters, break_long_words=True) or [""]
        if characters <= 4 or all(_points(line, 10, weight) <= room for line in lines):
            return lines
        characters -= 4


def row_inches(lines: Sequence[str]) -> float:
    """How tall a row is drawn: its label's lines, its bar and the gap under it."""
    return LINE_INCHES * len(lines) + BAR_INCHES + GAP_INCHES


def headings_again(heights: Sequence[float]) -> list[int]:
    """The rows (by position, of `heights` inches each) before which a chart headed at its
    top draws its headings again, so that no run of rows outgrows HEADINGS_EVERY_INCHES."""
    again, run = [], 0.0
    for n, height in enumerate(heights):
        if run and run + height > HEADINGS_EVERY_INCHES:
            again.append(n)
            run = 0.0
        run += height
    return again


def _legend(ax, series: Sequence[tuple[str, str]], y: float) -> None:
    """Coloured squares with the series' names, left to right along the top."""
    x = 0.0
    for name, color in series:
        ax.text(x, y, "■", color=color, fontsize=12, va="center", ha="left")
        ax.text(x + 0.045, y, name, color=INK, fontsize=9, va="center", ha="left")
        x += 0.045 + 0.021 * len(name) + 0.06


@_drawn
def rows_canvas(total: float, width: float = WIDTH_INCHES):
    """A figure `total` inches tall whose axes run 0-1 across and 0-`total` inches down, with
    no frame: the rows of text and bars are placed in inches from the top."""
    fig = _figure(total, width)
    with matplotlib.rc_context(_RC):
        ax = fig.add_axes((0.025, 0, 0.95, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(total, 0)
    return fig, ax


def stacked_bars(
    bars: Sequence[Bar],
    series: Sequence[tuple[str, str]],
    title: str,
    *,
    wrap: int = LABEL_CHARACTERS,
    scale_to: float | None = None,
    width: float = WIDTH_INCHES,
    bands: Mapping[int, str | None] | None = None,
) -> Chart:
    """Horizontal bars, one per row, each split into the series' parts (name, colour) and
    followed by its text. The longest bar takes 70% of the width (or `scale_to` does).
    `bands` puts a heading (bold, a row tall; None: the legend) before the bars of the given
    positions; by default a legend (two series or more) comes again down a long list."""
    room = 0.95 * width * 72  # the axes' width in points
    labels = [_lines(b.label, wrap, room) for b in bars]
    legend = LEGEND_INCHES if len(series) > 1 else 0.06
    heights = [row_inches(lines) for lines in labels]
    if bands is None:
        bands = dict.fromkeys(headings_again(heights) if len(series) > 1 else [])
    total = legend + sum(heights) + BAND_INCHES * len(bands) + 0.06
    fig, ax = rows_canvas(total, width)
    if len(series) > 1:
        _legend(ax, series, legend / 2)
    largest = scale_to or max((b.start + sum(b.parts) for b in bars), default=0) or 1
    unit = 0.7 / largest
    y = legend
    for i, (bar, lines, height) in enumerate(zip(bars, labels, heights, strict=True)):
        if i in bands:
            y += BAND_INCHES
            if bands[i] is None:
                _legend(ax, series, y - GAP_INCHES - LINE_INCHES / 2)
            else:
                band_heading(ax, bands[i], 0, y - GAP_INCHES, ha="left")
        for line in lines:
            ax.text(0, y + LINE_INCHES / 2, line, color=INK, fontsize=10, va="center")
            y += LINE_INCHES
        middle = y + BAR_INCHES / 2
        ax.barh(middle, 1, height=BAR_INCHES, left=0, color=TRACK, zorder=1)
        left = bar.start
        for value, (_name, color) in zip(bar.parts, series, strict=True):
            if value > 0:
                ax.barh(
                    middle,
                    value * unit,
                    height=BAR_INCHES,
                    left=left * unit,
                    color=bar.color or color,
                )
            left += value
        ax.text(
            min(left * unit + 0.015, 1 - _points(bar.text, 9.5, "bold") / room),
            middle,
            bar.text,
            color=INK,
            fontsize=9.5,
            fontweight="bold",
            va="center",
            ha="left",
            zorder=3,
        )
        y += height - LINE_INCHES * len(lines)
    return Chart(fig, title)


def band_heading(ax, text: str, x: float, bottom: float, *, ha: str = "center") -> None:
    """A heading among a chart's rows: bold, dark, its last line's foot at `bottom`."""
    ax.text(
        x,
        bottom,
        text,
        color=INK,
        fontsize=10,
        fontweight="bold",
        ha=ha,
        va="bottom",
        linespacing=1.1,
    )


@_drawn
def build_up(
    days: Sequence[date],
    series: Sequence[tuple[str, str, Sequence[float]]],
    title: str,
    *,
    stacked: bool,
    value_format: Callable[[float], str],
    steps: bool = False,
    height: float = 2.8,
) -> Chart:
    """Values over time: filled and stacked (a total built of parts) or as lines; the last
    value of each series written at the right end, with the y-axis in `value_format`."""
    fig = _figure(height + LEGEND_INCHES)
    top = (LEGEND_INCHES + 0.1) / fig.get_figheight()
    with matplotlib.rc_context(_RC):
        ax = fig.add_axes((0.16, 0.14, 0.66, 1 - 0.14 - top))
    ax.spines[["top", "right"]].set_visible(False)
    x = mdates.date2num(list(days))
    below = [0.0] * len(x)
    ends = []
    for name, color, values in series:
        values = [float(v) for v in values]
        top = [b + v for b, v in zip(below, values, strict=True)] if stacked else values
        drawstyle = "steps-post" if steps else "default"
        marker = "o" if len(x) <= 2 else None  # a line needs two days: a lone day is a dot
        ax.plot(x, top, color=color, linewidth=1.8, drawstyle=drawstyle, marker=marker, label=name)
        if stacked:
            ax.fill_between(x, below, top, color=color, alpha=0.55, linewidth=0, step=None)
        if len(x):  # a stacked part's figure sits in the middle of its band
            ends.append((top[-1] - values[-1] / 2 if stacked else top[-1], values[-1], color))
        below = top if stacked else below
    for y, value, color in ends:
        ax.annotate(
            value_format(value),
            (x[-1], y),
            xytext=(4, 0),
            textcoords="offset points",
            color=color,
            fontsize=8.5,
            fontweight="bold",
            va="center",
            annotation_clip=False,
        )
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _pos: value_format(v)))
    ax.yaxis.set_major_locator(ticker.MaxNLocator(4, integer=not stacked))
    locator = mdates.AutoDateLocator(minticks=2, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.tick_params(labelsize=8.5, colors=MUTED)
    ax.grid(axis="y", color="#e6e9ef", linewidth=0.8)
    legend_y = 1 + (LEGEND_INCHES / 2 + 0.05) / (fig.get_figheight() * ax.get_position().height)
    ax.legend(
        loc="center left",
        bbox_to_anchor=(-0.2, legend_y),
        ncol=len(series),
        frameon=False,
        fontsize=9,
        handlelength=1.2,
    )
    return Chart(fig, title)


# --- the organisation view ---------------------------------------------------------------------

NO_COLOR = "#D55E00"
DONT_KNOW_COLOR = "#7f8fa6"


def shared_gaps(gaps: pd.DataFrame) -> Chart:
    """The most frequent gaps, numbered like the list under the chart: pilots answering No
    and Don't know per question, each question in full."""
    bars = [
        Bar(
            f"{i}. {row['label']}",
            (float(row["no"]), float(row["dont_know"])),
            f"{int(row['no']) + int(row['dont_know'])} of {int(row['asked'])} pilots",
        )
        for i, (_, row) in enumerate(gaps.iterrows(), 1)
    ]
    series = [("No", NO_COLOR), ("Don't know", DONT_KNOW_COLOR)]
    largest = max((float(row["asked"]) for _, row in gaps.iterrows()), default=1)
    return stacked_bars(bars, series, "Gaps most pilots share", scale_to=largest)


# --- the cost of the trap ----------------------------------------------------------------------


def _cost_series(content: Content) -> list[tuple[str, str]]:
    colors = cost_colors(content)
    return [(DIRECT, colors[DIRECT]), (OPPORTUNITY, colors[OPPORTUNITY])]


def cost_parts(result: CostResult, content: Content) -> Chart:
    """Direct cost, then opportunity cost on top of it, then the total they make."""
    direct, opportunity = result.totals["direct"], result.totals["opportunity"]
    currency = result.assumptions.currency
    bars = [
        Bar(
            "Direct cost: spent on pilots stuck past the decision point",
            (direct, 0.0),
            format_money(direct, currency),
        ),
        Bar(
            "Opportunity cost: value not delivered while they wait",
            (0.0, opportunity),
            format_money(opportunity, currency),
            start=direct,
        ),
        Bar("Total", (direct, opportunity), format_money(direct + opportunity, currency)),
    ]
    return stacked_bars(bars, _cost_series(content), "Where the cost comes from")


def cost_build_up(result: CostResult, content: Content) -> Chart:
    """The cost to date at each month end, stacked: direct below, opportunity above."""
    monthly = result.monthly
    colors = cost_colors(content)
    currency = result.assumptions.currency
    return build_up(
        [pd.Timestamp(m).date() for m in monthly["month"]],
        [
            (DIRECT, colors[DIRECT], list(monthly["direct"])),
            (OPPORTUNITY, colors[OPPORTUNITY], list(monthly["opportunity"])),
        ],
        "How it built up",
        stacked=True,
        value_format=lambda v: format_money(v, currency),
    )


def cost_units(result: CostResult, content: Content, limit: int = MAX_UNITS) -> Chart:
    """Cost per business unit, the most expensive first; beyond `limit` units the rest are
    summed as one row."""
    currency = result.assumptions.currency
    units = result.by_unit[result.by_unit["total_cost"] > 0]
    rows = units.to_dict("records")
    if len(rows) > limit:
        rest = rows[limit - 1 :]
        rows = [
            *rows[: limit - 1],
            {
                "business_unit": f"Other units ({len(rest)})",
                "direct_cost": sum(r["direct_cost"] for r in rest),
                "opportunity_cost": sum(r["opportunity_cost"] for r in rest),
                "total_cost": sum(r["total_cost"] for r in rest),
            },
        ]
    bars = [
        Bar(
            str(r["business_unit"]),
            (float(r["direct_cost"]), float(r["opportunity_cost"])),
            format_money(r["total_cost"], currency),
        )
        for r in rows
    ]
    return stacked_bars(bars, _cost_series(content), "Cost by business unit")


def stop_now(scenario: StopNowScenario, content: Content, currency: str | None = None) -> Chart:
    """The cost so far, then the cost at the end of the horizon if the chosen pilots run on,
    against stopping them today."""
    horizon = scenario.horizon_end.isoformat()
    money = (lambda v: format_money(v, currency)) if currency else format_money
    bars = [
        Bar("Cost so far", (scenario.cost_today, 0.0, 0.0), money(scenario.cost_today)),
        Bar(
            f"Run on until {horizon}",
            (0.0, scenario.keep_direct, scenario.keep_opportunity),
            money(scenario.keep_total),
        ),
        Bar(
            f"Stop them today, by {horizon}",
            (0.0, scenario.stop_direct, scenario.stop_opportunity),
            money(scenario.stop_total),
        ),
    ]
    series = [("Cost so far", NEUTRAL), *_cost_series(content)]
    return stacked_bars(bars, series, "What stopping now would save")


# --- the action register's follow-up -----------------------------------------------------------


def _ends(content: Content) -> tuple[str, str]:
    """The worst and the best band's colours: overdue and done."""
    return content.bands[0].color, content.bands[-1].color


def actions_per_unit(table: pd.DataFrame, content: Content) -> Chart:
    """Per business unit, most overdue first: overdue, still to do on time, done."""
    worst, best = _ends(content)
    bars = [
        Bar(
            str(row["business_unit"]),
            (
                float(row["overdue"]),
                float(row["open"] - row["overdue"]),
                float(row["done"]),
            ),
            f"{int(row['open'])} to do, {int(row['done'])} done",
        )
        for _, row in table.iterrows()
    ]
    series = [("Overdue", worst), ("To do, on time", ACCENT), ("Done", best)]
    return stacked_bars(bars, series, "Per business unit")


def actions_over_time(over_time: pd.DataFrame, content: Content) -> Chart:
    """Actions still to do and actions done at the end of each day."""
    _worst, best = _ends(content)
    return build_up(
        [pd.Timestamp(d).date() for d in over_time["day"]],
        [
            ("Still to do", ACCENT, list(over_time["open"])),
            ("Done", best, list(over_time["done"])),
        ],
        "Still to do and done, day by day",
        stacked=False,
        steps=True,
        value_format=lambda v: f"{v:,.0f}",
    )
