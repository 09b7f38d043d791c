"""What every Plotly figure builder shares: the palette and the layout, never streamlit.

One palette for every chart: the risk bands from the content file, so red means the same
thing on the heatmaps, the portfolio matrix and the cost charts. The pilot's own charts are
static pictures drawn in `diagnostics.render.charts`.
"""

from __future__ import annotations

import plotly.graph_objects as go

from diagnostics.framework.content import Content

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
