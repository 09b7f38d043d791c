"""Portfolio charts: the funnel, production rate per unit, the symptoms per unit, time in
pilot, and the readiness × value matrix. Data in, `plotly.graph_objects.Figure` out.

Colours are the risk bands of the content file: green is what works (production, on time,
scale now), amber what needs attention, red what is stuck or should stop; grey is unknown.
"""

from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from diagnostics.formats import count_of
from diagnostics.framework.content import Content
from diagnostics.framework.figures import ACCENT, NEUTRAL, _layout, band_colors
from diagnostics.portfolio.analysis import STUCK_WEEKS, MatrixThresholds, PortfolioAnalysis
from diagnostics.portfolio.recommendations import QUADRANTS, RECOMMENDATIONS

# Beyond this a scatter is a blur and slows the page: a sample is drawn. SVG, not WebGL:
# meeting-room PCs and virtual machines often lack a GPU, where WebGL crawls.
MAX_MATRIX_POINTS = 2_000
MAX_HEATMAP_UNITS = 30
SYMPTOM_SHORT = {
    "many_pilots_none_live": "Many new pilots,<br>none live",
    "fragmented_technology": "Every pilot its<br>own technology",
    "results_without_users": "Results but<br>no live users",
}


def _bands(content: Content) -> dict[str, str]:
    colors = band_colors(content)
    keys = [b.key for b in content.bands]  # lowest readiness (highest risk) first
    return {"bad": colors[keys[0]], "warn": colors[keys[len(keys) // 2]], "good": colors[keys[-1]]}


def funnel_chart(analysis: PortfolioAnalysis, content: Content) -> go.Figure:
    """Pilots per stage, from idea to retired, unknown last; production in green."""
    table = analysis.funnel
    bands = _bands(content)
    colors = [
        bands["good"] if s == "production" else NEUTRAL if s in ("retired", "unknown") else ACCENT
        for s in table["stage"]
    ]
    fig = go.Figure(
        go.Bar(
            x=table["pilots"],
            y=table["label"],
            orientation="h",
            marker={"color": colors},
            text=[f"{n:,} ({s:.0%})" for n, s in zip(table["pilots"], table["share"], strict=True)],
            textposition="auto",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,} pilots<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Pilots")
    return _layout(fig, height=320)


def chart_units(analysis: PortfolioAnalysis) -> pd.DataFrame:
    """The units both unit charts list, in the same order: those with the most pilots."""
    return analysis.units.head(MAX_HEATMAP_UNITS)


ALL_UNITS = "All units"


def unit_rate_chart(analysis: PortfolioAnalysis, content: Content) -> go.Figure:
    """Production rate per business unit, the same units in the same order as the symptoms
    heat map beside it, under a first bar for all units together (a bar, not a line drawn
    through the labels). A unit with no started pilot has no rate and says so."""
    units = chart_units(analysis)
    bands = _bands(content)
    overall = analysis.kpis.production_rate
    names = [ALL_UNITS, *units["business_unit"].tolist()]
    rates, texts, colors = [], [], []
    rates.append(0.0 if overall is None else overall * 100)
    texts.append(
        "no pilot started"
        if overall is None
        else f"{overall:.0%} ({analysis.kpis.in_production:,} of {analysis.kpis.started:,})"
    )
    colors.append("#3d4556")
    for rate, live, started in zip(
        units["production_rate"], units["production"], units["started"], strict=True
    ):
        if started == 0 or pd.isna(rate):
            rates.append(0.0)
            texts.append("no pilot started")
            colors.append(NEUTRAL)
            continue
        rates.append(rate * 100)
        texts.append(f"{rate:.0%} ({live:,} of {started:,})")
        colors.append(
            bands["bad"]
            if rate == 0
            else bands["good"]
            if overall and rate >= overall
            else bands["warn"]
        )
    fig = go.Figure(
        go.Bar(
            x=rates,
            y=names,
            orientation="h",
            marker={"color": colors},
            text=texts,
            # Always beside the bar, on a track wide enough for the longest label: inside a
            # short bar or past the plot's edge a label was cut.
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(
        title="Started pilots in production (%)",
        range=[0, 160],
        tickvals=[0, 25, 50, 75, 100],
        showgrid=True,
    )
    return _layout(fig, height=max(260, 30 * len(names) + 100))


def _symptom_cell(row: pd.Series, symptom: str) -> str:
    if symptom == "many_pilots_none_live":
        return f"{row['recent']} new, {row['recent_live']} live"
    if symptom == "fragmented_technology":
        return (
            f"{count_of(int(row['tech_known']), 'pilot')}, "
            f"{count_of(int(row['technologies']), 'technology', 'technologies')}"
        )
    return f"{row['results_no_users']} of {row['with_results']} without users"


def symptoms_heatmap(analysis: PortfolioAnalysis, content: Content) -> go.Figure:
    """The three computable symptoms per business unit: red present, green absent, grey unknown."""
    units = chart_units(analysis)
    symptoms = list(SYMPTOM_SHORT)
    z, text, detail = [], [], []
    for _, row in units.iterrows():
        z.append([0.5 if pd.isna(row[s]) else float(bool(row[s])) for s in symptoms])
        text.append(["?" if pd.isna(row[s]) else "yes" if row[s] else "no" for s in symptoms])
        detail.append([_symptom_cell(row, s) for s in symptoms])
    bands = _bands(content)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[SYMPTOM_SHORT[s] for s in symptoms],
            y=units["business_unit"].tolist(),
            text=text,
            customdata=detail,
            texttemplate="%{text}",
            textfont={"size": 13},
            colorscale=[
                [0.0, bands["good"]],
                [0.33, bands["good"]],
                [0.34, "#d9dde3"],
                [0.66, "#d9dde3"],
                [0.67, bands["bad"]],
                [1.0, bands["bad"]],
            ],
            zmin=0,
            zmax=1,
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="%{y}: %{text}<br>%{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=0)
    return _layout(fig, height=max(220, 30 * len(units) + 100))


def time_in_pilot_chart(analysis: PortfolioAnalysis, content: Content) -> go.Figure:
    """Open pilots by time since their start, against the recommended pilot and decision."""
    table = analysis.time_in_pilot
    timeframes = content.timeframes
    pilot_w = f"{timeframes.pilot.upper_weeks:g}"
    decision_w = f"{timeframes.decision_point_weeks:g}"
    labels = {
        "on_plan": f"≤ {pilot_w} weeks",
        "decision_due": f"{pilot_w}–{decision_w} weeks",
        "overdue": f"{decision_w}–{STUCK_WEEKS} weeks",
        "stuck": f"> {STUCK_WEEKS} weeks",
        "no_start": "no start date",
    }
    colors = band_colors(content)
    fig = go.Figure(
        go.Bar(
            x=table["pilots"],
            y=[labels[b] for b in table["bucket"]],
            orientation="h",
            marker={"color": [colors.get(b, NEUTRAL) if b else NEUTRAL for b in table["band"]]},
            text=[f"{n:,}" for n in table["pilots"]],
            textposition="auto",
            hovertemplate="%{y}: %{x:,} open pilots<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="Open pilots")
    return _layout(fig, height=280)


def _quadrant_colors(content: Content) -> dict[str, str]:
    bands = _bands(content)
    return {
        "scale_now": bands["good"],
        "fix_blockers": bands["warn"],
        "rethink": ACCENT,
        "stop": bands["bad"],
    }


def _hover_lines(text: object, width: int = 60) -> str:
    """A reason as short lines for a hover label (plotly does not wrap)."""
    return "<br>".join(textwrap.wrap(html.escape(str(text)), width)) if pd.notna(text) else ""


def matrix_chart(pilots: pd.DataFrame, thresholds: MatrixThresholds, content: Content) -> go.Figure:
    """Readiness (x) against expected annual value (y, log scale), one colour per quadrant;
    the hover gives the recommendation and its reason, which say why an assessed pilot right
    of the line is not ready (a blocker or a weak link)."""
    rated = pilots[pilots["quadrant"].notna()]
    total = len(rated)
    if total > MAX_MATRIX_POINTS:
        rated = rated.sample(MAX_MATRIX_POINTS, random_state=0)
    colors = _quadrant_colors(content)
    fig = go.Figure()
    for key, label in QUADRANTS.items():
        part = rated[rated["quadrant"] == key]
        if part.empty:
            continue
        names = part["name"].astype(object).where(part["name"].notna(), "(no name)")
        units = part["business_unit_shown"].astype(object)
        recommendation = part["recommendation"].map(RECOMMENDATIONS).astype(object)
        why = part["recommendation_reason"].astype(object).map(_hover_lines)
        fig.add_trace(
            go.Scatter(
                x=part["readiness"],
                y=part["expected_annual_value"],
                mode="markers",
                name=f"{label} ({(rated['quadrant'] == key).sum():,})",
                marker={"color": colors[key], "size": 8, "opacity": 0.75},
                customdata=np.column_stack([names, units, recommendation, why]),
                hovertemplate=(
                    "%{customdata[0]}<br>%{customdata[1]}<br>readiness %{x:.0f}/100, "
                    "value %{y:,.0f} a year<br><b>%{customdata[2]}</b>: %{customdata[3]}"
                    "<extra></extra>"
                ),
            )
        )
    fig.add_vline(x=thresholds.readiness, line={"color": "#444", "dash": "dot"})
    if thresholds.value:
        fig.add_hline(y=thresholds.value, line={"color": "#444", "dash": "dot"})
    corners = (
        ("fix_blockers", 0.01, 0.99, "left", "top"),
        ("scale_now", 0.99, 0.99, "right", "top"),
        ("stop", 0.01, 0.01, "left", "bottom"),
        ("rethink", 0.99, 0.01, "right", "bottom"),
    )
    for key, x, y, xanchor, yanchor in corners:
        fig.add_annotation(
            x=x, y=y, xref="paper", yref="paper", text=f"<b>{QUADRANTS[key]}</b>",
            showarrow=False, xanchor=xanchor, yanchor=yanchor,
            font={"color": colors[key], "size": 13},
        )  # fmt: skip
    fig.update_xaxes(title="Readiness (0–100)", range=[0, 100])
    fig.update_yaxes(title="Expected annual value", type="log")
    title = None
    if total > MAX_MATRIX_POINTS:
        title = f"A sample of {MAX_MATRIX_POINTS:,} of {total:,} rated pilots"
    fig = _layout(fig, title=title, height=440)
    fig.update_layout(
        showlegend=True, legend={"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 12}}
    )
    return fig
