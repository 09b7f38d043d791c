"""Plotly figure builders: data in, `plotly.graph_objects.Figure` out, never streamlit.

One palette for every chart: the risk bands from the content file, so red means the same
thing on the radar, the bars, the heatmaps and the portfolio matrix.
"""

from __future__ import annotations

import plotly.graph_objects as go

from diagnostics.content import Content
from diagnostics.scoring import AssessmentResult

FONT = "Inter, Segoe UI, Helvetica, Arial, sans-serif"
NEUTRAL = "#8a94a6"
ACCENT = "#1f5fa8"


def band_colors(content: Content) -> dict[str, str]:
    """Band key -> colour, e.g. {"high": "#c0392b", ...}."""
    return {b.key: b.color for b in content.bands}


def color_for(readiness: float | None, content: Content) -> str:
    return NEUTRAL if readiness is None else content.band_for(readiness).color


def _layout(fig: go.Figure, title: str | None = None, height: int = 380) -> go.Figure:
    fig.update_layout(
        title=title,
        height=height,
        margin={"l": 40, "r": 20, "t": 50 if title else 20, "b": 40},
        font={"family": FONT, "size": 13},
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=False,
    )
    return fig


def readiness_radar(result: AssessmentResult, content: Content) -> go.Figure:
    """Readiness per reason on a radar, each point coloured by its band."""
    rated = [r for r in result.reasons]
    labels = [r.short for r in rated] + [rated[0].short]
    values = [r.readiness or 0 for r in rated] + [rated[0].readiness or 0]
    fig = go.Figure()
    fig.add_trace(
        go.Scatterpolar(
            r=values,
            theta=labels,
            fill="toself",
            fillcolor="rgba(31,95,168,0.12)",
            line={"color": ACCENT, "width": 2},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatterpolar(
            r=[r.readiness or 0 for r in rated],
            theta=[r.short for r in rated],
            mode="markers+text",
            marker={"size": 14, "color": [color_for(r.readiness, content) for r in rated]},
            text=["–" if r.readiness is None else f"{r.readiness:.0f}" for r in rated],
            textposition="top center",
            customdata=[r.band_label or "not scored" for r in rated],
            hovertemplate="%{theta}: %{r:.0f}/100 (%{customdata})<extra></extra>",
        )
    )
    fig.update_layout(polar={"radialaxis": {"range": [0, 100], "tickvals": [25, 50, 75, 100]}})
    return _layout(fig, height=400)


def risk_bars(result: AssessmentResult, content: Content) -> go.Figure:
    """Risk per reason (100 − readiness) as horizontal bars, worst at the top."""
    rated = sorted(result.reasons, key=lambda r: -(r.risk if r.risk is not None else -1))
    fig = go.Figure(
        go.Bar(
            x=[r.risk if r.risk is not None else 0 for r in rated],
            y=[r.title for r in rated],
            orientation="h",
            marker={"color": [color_for(r.readiness, content) for r in rated]},
            text=["not scored" if r.risk is None else f"{r.risk:.0f}" for r in rated],
            textposition="outside",
            hovertemplate="%{y}: risk %{x:.0f}/100<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 110], title="Risk (0 = ready, 100 = not ready)")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=320)
