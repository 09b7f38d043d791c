"""The portfolio dashboard's charts as static pictures: the funnel, time in pilot, the
production rate per unit and the symptoms per unit. Data in, `Chart` out.

Why pictures: the dashboard's first view then loads no chart script in the browser (Plotly's
is 4.7 MB, docs/scaling.md); every figure a hover gave is written on the picture, and the
per-unit details are in the table under the unit charts. Only the readiness × value matrix,
whose hover names each pilot, stays interactive (diagnostics/portfolio/figures.py).

The two unit charts are drawn row for row alike (the same label lines, bar height and gap as
`page_charts.stacked_bars`), so shown side by side at one width a unit's rate sits level
with its symptoms. On a phone they stand one under the other and a long list outruns the
screen: both draw their headings again every few inches (at the same rows, so they stay
level), and whatever part of the list is on screen says what its bars are.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.patches import Rectangle

from diagnostics.formats import count_of
from diagnostics.framework.content import Content
from diagnostics.framework.figures import band_colors
from diagnostics.portfolio.analysis import STUCK_WEEKS, PortfolioAnalysis
from diagnostics.render import page_charts
from diagnostics.render.charts import (
    ACCENT,
    INK,
    NEUTRAL,
    WIDTH_INCHES,
    Chart,
    _drawn,
)
from diagnostics.render.page_charts import (
    BAND_INCHES,
    BAR_INCHES,
    GAP_INCHES,
    LABEL_CHARACTERS,
    LINE_INCHES,
    Bar,
    _lines,
    band_heading,
    row_inches,
    rows_canvas,
    stacked_bars,
)

MAX_UNITS = 30  # both unit charts list the units with the most pilots, up to this many
ALL_UNITS = "All units"
UNKNOWN_CELL = "#d9dde3"
SYMPTOMS = {
    "many_pilots_none_live": "Many new pilots, none live",
    "fragmented_technology": "Every pilot its own technology",
    "results_without_users": "Results but no live users",
}


def bands(content: Content) -> dict[str, str]:
    """The worst, the middle and the best band's colours: stuck, needs attention, works."""
    colors = band_colors(content)
    keys = [b.key for b in content.bands]  # lowest readiness (highest risk) first
    return {"bad": colors[keys[0]], "warn": colors[keys[len(keys) // 2]], "good": colors[keys[-1]]}


def chart_units(analysis: PortfolioAnalysis) -> pd.DataFrame:
    """The units both unit charts list, in the same order: those with the most pilots."""
    return analysis.units.head(MAX_UNITS)


def _unit_lines(units: pd.DataFrame) -> list[list[str]]:
    """Each unit's name in the lines both unit charts draw it on."""
    room = 0.95 * WIDTH_INCHES * 72
    return [_lines(str(u), LABEL_CHARACTERS, room) for u in units["business_unit"]]


def headings_again(units: pd.DataFrame) -> list[int]:
    """The units (by position) before which both unit charts draw their headings again."""
    return page_charts.headings_again([row_inches(lines) for lines in _unit_lines(units)])


def funnel(analysis: PortfolioAnalysis, content: Content) -> Chart:
    """Pilots per stage, from idea to retired, unknown last; production in green."""
    good = bands(content)["good"]
    table = analysis.funnel
    chart_bars = [
        Bar(
            str(label),
            (float(n),),
            f"{int(n):,} ({share:.0%})",
            color=good
            if stage == "production"
            else NEUTRAL
            if stage in ("retired", "unknown")
            else None,
        )
        for stage, label, n, share in zip(
            table["stage"], table["label"], table["pilots"], table["share"], strict=True
        )
    ]
    return stacked_bars(chart_bars, [("Pilots", ACCENT)], "How far pilots get")


def time_labels(content: Content) -> dict[str, str]:
    """Each time-in-pilot bucket in weeks, against the content's pilot and decision weeks."""
    timeframes = content.timeframes
    pilot_w = f"{timeframes.pilot.upper_weeks:g}"
    decision_w = f"{timeframes.decision_point_weeks:g}"
    return {
        "on_plan": f"≤ {pilot_w} weeks",
        "decision_due": f"{pilot_w}–{decision_w} weeks",
        "overdue": f"{decision_w}–{STUCK_WEEKS} weeks",
        "stuck": f"> {STUCK_WEEKS} weeks",
        "no_start": "no start date",
    }


def time_in_pilot(analysis: PortfolioAnalysis, content: Content) -> Chart:
    """Open pilots by time since their start, coloured by how late that is."""
    table = analysis.time_in_pilot
    labels = time_labels(content)
    colors = band_colors(content)
    chart_bars = [
        Bar(
            labels[bucket],
            (float(n),),
            f"{int(n):,}",
            color=colors.get(band, NEUTRAL) if band else NEUTRAL,
        )
        for bucket, band, n in zip(table["bucket"], table["band"], table["pilots"], strict=True)
    ]
    return stacked_bars(chart_bars, [("Open pilots", NEUTRAL)], "Time in pilot")


def unit_rates(analysis: PortfolioAnalysis, content: Content) -> Chart:
    """Production rate per business unit, the same units in the same order as the symptoms
    beside it, under a first bar for all units together. A unit with no started pilot has no
    rate and says so."""
    units = chart_units(analysis)
    colors = bands(content)
    kpis = analysis.kpis
    overall = kpis.production_rate
    rows = [
        Bar(
            ALL_UNITS,
            (0.0 if overall is None else overall * 100,),
            "no pilot started"
            if overall is None
            else f"{overall:.0%} ({kpis.in_production:,} of {kpis.started:,})",
            color=INK,
        )
    ]
    for name, rate, live, started in zip(
        units["business_unit"],
        units["production_rate"],
        units["production"],
        units["started"],
        strict=True,
    ):
        if started == 0 or pd.isna(rate):
            rows.append(Bar(str(name), (0.0,), "no pilot started", color=NEUTRAL))
            continue
        color = (
            colors["bad"]
            if rate == 0
            else colors["good"]
            if overall and rate >= overall
            else colors["warn"]
        )
        rows.append(
            Bar(str(name), (rate * 100,), f"{rate:.0%} ({live:,} of {started:,})", color=color)
        )
    heading = "Production rate" + ("" if overall is None else f", all units {overall:.0%}")
    return stacked_bars(
        rows,
        [("Production rate", ACCENT)],
        "Production rate per unit",
        scale_to=100,
        bands={n + 1: heading for n in headings_again(units)},  # after "All units"
    )


def symptom_cell(row: pd.Series, symptom: str) -> str:
    """What a unit's figures are for one symptom, in words (the table under the charts)."""
    if symptom == "many_pilots_none_live":
        return f"{row['recent']} new, {row['recent_live']} live"
    if symptom == "fragmented_technology":
        return (
            f"{count_of(int(row['tech_known']), 'pilot')}, "
            f"{count_of(int(row['technologies']), 'technology', 'technologies')}"
        )
    return f"{row['results_no_users']} of {row['with_results']} without users"


@_drawn
def unit_symptoms(analysis: PortfolioAnalysis, content: Content) -> Chart:
    """The three symptoms a spreadsheet shows, per unit: red yes, green no, grey unknown, in
    rows as tall as the production-rate chart's, the symptoms' names where its first bar is
    and again where it draws its heading again."""
    units = chart_units(analysis)
    colors = bands(content)
    width = WIDTH_INCHES
    room = 0.95 * width * 72
    names = _unit_lines(units)
    again = set(headings_again(units))
    legend = 0.06  # the rate chart's room above its first row (one series: no legend)
    heights = [row_inches(lines) for lines in names]
    total = legend + BAND_INCHES * (1 + len(again)) + sum(heights) + 0.06
    fig, ax = rows_canvas(total, width)
    cell = 1 / len(SYMPTOMS)
    # Two lines each: a third would rise past the top of the band.
    titles = ["\n".join(_lines(t, 18, cell * room - 2, "bold")) for t in SYMPTOMS.values()]

    def headings(bottom: float) -> None:
        for i, title in enumerate(titles):
            band_heading(ax, title, (i + 0.5) * cell, bottom)

    y = legend + BAND_INCHES  # level with the rate chart's "All units" row
    headings(y - GAP_INCHES)
    rows = zip(units.iterrows(), names, heights, strict=True)
    for n, ((_, row), lines, height) in enumerate(rows):
        if n in again:
            y += BAND_INCHES
            headings(y - GAP_INCHES)
        for line in lines:
            ax.text(0, y + LINE_INCHES / 2, line, color=INK, fontsize=10, va="center")
            y += LINE_INCHES
        for i, key in enumerate(SYMPTOMS):
            value = row[key]
            known = not pd.isna(value)
            fill = colors["bad"] if known and value else colors["good"] if known else UNKNOWN_CELL
            ax.add_patch(
                Rectangle((i * cell + 0.01, y), cell - 0.02, BAR_INCHES, color=fill, linewidth=0)
            )
            ax.text(
                (i + 0.5) * cell,
                y + BAR_INCHES / 2,
                "?" if not known else "yes" if value else "no",
                color=INK if not known else "white",
                fontsize=9,
                fontweight="bold",
                ha="center",
                va="center",
            )
        y += height - LINE_INCHES * len(lines)
    return Chart(fig, "Symptoms per unit")
