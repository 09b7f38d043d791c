"""The portfolio's one interactive chart, the readiness × value matrix, whose hover names
each pilot and why it sits where it does. Data in, `plotly.graph_objects.Figure` out. The
dashboard's other charts are pictures (diagnostics/render/portfolio_charts.py).

Colours are the risk bands of the content file: green is what works (production, on time,
scale now), amber what needs attention, red what is stuck or should stop; grey is unknown.
"""

from __future__ import annotations

import html
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from diagnostics.framework.content import Content
from diagnostics.framework.figures import ACCENT, _layout
from diagnostics.portfolio.analysis import MatrixThresholds
from diagnostics.portfolio.recommendations import QUADRANTS, RECOMMENDATIONS
from diagnostics.render import portfolio_charts

# Beyond this a scatter is a blur and slows the page: a sample is drawn. SVG, not WebGL:
# meeting-room PCs and virtual machines often lack a GPU, where WebGL crawls.
MAX_MATRIX_POINTS = 2_000
# The quadrants' names sit in a band at the top and one at the bottom of the plot that no
# point or threshold line enters: at a phone's width "Scale now" is wider than the quarter of
# readiness right of the line, so anywhere else it would cross the line or cover points.
LABEL_BAND = 0.12  # of the plot's height, each


def _quadrant_colors(content: Content) -> dict[str, str]:
    bands = portfolio_charts.bands(content)
    return {
        "scale_now": bands["good"],
        "fix_blockers": bands["warn"],
        "rethink": ACCENT,
        "stop": bands["bad"],
    }


def _hover_lines(text: object, width: int = 60) -> str:
    """A reason as short lines for a hover label (plotly does not wrap)."""
    return "<br>".join(textwrap.wrap(html.escape(str(text)), width)) if pd.notna(text) else ""


def _value_range(rated: pd.DataFrame, thresholds: MatrixThresholds) -> list[float] | None:
    """The value axis' range (log10) putting every point and the value line between the
    label bands: the values' span, widened by a band's share of the whole at either end."""
    values = [v for v in rated["expected_annual_value"] if pd.notna(v) and v > 0]
    values += [thresholds.value] if thresholds.value and thresholds.value > 0 else []
    if not values:
        return None
    low, high = np.log10(min(values)), np.log10(max(values))
    if high - low < 1:  # a decade at least, so close values do not fill the height
        low, high = (low + high - 1) / 2, (low + high + 1) / 2
    pad = (high - low) * LABEL_BAND / (1 - 2 * LABEL_BAND)
    return [float(low - pad), float(high + pad)]


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
    fig.add_vline(
        x=thresholds.readiness,
        y0=LABEL_BAND,
        y1=1 - LABEL_BAND,
        line={"color": "#444", "dash": "dot"},
    )
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
    fig.update_yaxes(
        title="Expected annual value", type="log", range=_value_range(rated, thresholds)
    )
    title = None
    if total > MAX_MATRIX_POINTS:
        title = f"A sample of {MAX_MATRIX_POINTS:,} of {total:,} rated pilots"
    fig = _layout(fig, title=title, height=440)
    fig.update_layout(
        showlegend=True, legend={"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 12}}
    )
    return fig
