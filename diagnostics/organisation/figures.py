"""Charts of the organisation's view: heatmaps, spread per reason, gaps, one pilot vs median.

Same palette as every other chart: the content file's risk bands, so a red cell in a heatmap
means exactly what a red bar means on a pilot's own profile.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from diagnostics.framework.content import Content
from diagnostics.framework.figures import NEUTRAL, _layout, band_colors, color_for
from diagnostics.organisation.profile import OrganisationProfile
from diagnostics.sheets.safe_export import escape_html

MAX_HEATMAP_ROWS = 60
ROW_PX = 28
DECISION_BANDS = {"proceed": "low", "fix_first": "medium", "stop": "high"}


def band_colorscale(content: Content) -> list[list]:
    """A stepped colour scale over 0-100: one flat colour per risk band, no blending."""
    scale: list[list] = []
    bands = list(content.bands)
    for i, band in enumerate(bands):
        low = band.min_readiness / 100
        high = bands[i + 1].min_readiness / 100 if i + 1 < len(bands) else 1.0
        scale += [[low, band.color], [high, band.color]]
    return scale


def readiness_heatmap(
    matrix: pd.DataFrame,
    content: Content,
    *,
    counts: pd.Series | None = None,
    max_rows: int = MAX_HEATMAP_ROWS,
) -> go.Figure:
    """Rows (pilots or business units) × reasons, each cell coloured by its risk band.

    Rows are sorted weakest first (lowest mean readiness) and cut at `max_rows`, so the rows
    a steering committee must see are always on screen.
    """
    reason_keys = [r.key for r in content.reasons]
    data = matrix.reindex(columns=reason_keys)
    order = data.mean(axis=1, skipna=True).fillna(-1).sort_values(kind="stable").index
    data = data.loc[order].head(max_rows)
    # Plotly reads tags such as <b> or <a href> in labels: names from users are escaped.
    labels = [escape_html(i) for i in data.index]
    if counts is not None:
        labels = [
            f"{label} ({int(counts.get(i, 0))})"
            for label, i in zip(labels, data.index, strict=True)
        ]
    x = [content.reasons_by_key[k].short for k in reason_keys]
    values = data.to_numpy(dtype="float64")
    text = [["–" if pd.isna(v) else f"{v:.0f}" for v in row] for row in values]
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=x,
            y=labels,
            zmin=0,
            zmax=100,
            colorscale=band_colorscale(content),
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y}<br>%{x}: %{text}/100<extra></extra>",
            xgap=2,
            ygap=2,
            showscale=False,
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", automargin=True)
    height = max(220, 90 + ROW_PX * len(labels))
    fig = _layout(fig, height=height)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10})
    return fig


def reason_spread(profile: OrganisationProfile, content: Content) -> go.Figure:
    """Readiness of every pilot per reason: a box for the spread, a point per pilot."""
    fig = go.Figure()
    stats = profile.reasons.set_index("reason")
    for reason in content.reasons:
        values = profile.pilots[reason.key]
        median = stats.loc[reason.key, "median"]
        color = color_for(None if pd.isna(median) else median, content)
        fig.add_trace(
            go.Box(
                x=values,
                name=reason.short,
                boxpoints="all",
                jitter=0.4,
                pointpos=0,
                marker={"color": color, "size": 7, "opacity": 0.75},
                line={"color": color},
                fillcolor="rgba(0,0,0,0)",
                text=[escape_html(p) for p in profile.pilots["pilot"]],
                hovertemplate="%{text}: %{x:.0f}/100<extra></extra>",
                orientation="h",
            )
        )
    fig.update_xaxes(range=[-3, 103], title="Readiness (0 = not ready, 100 = ready)")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return _layout(fig, height=80 + 48 * len(content.reasons))


def decisions_bar(profile: OrganisationProfile, content: Content) -> go.Figure:
    """How many pilots are cleared to proceed, must fix first, or should stop."""
    colors = band_colors(content)
    frame = profile.decisions
    fig = go.Figure(
        go.Bar(
            x=frame["label"],
            y=frame["pilots"],
            marker={"color": [colors.get(DECISION_BANDS[d], NEUTRAL) for d in frame["decision"]]},
            text=[f"{n} ({s:.0%})" for n, s in zip(frame["pilots"], frame["share"], strict=True)],
            textposition="outside",
            hovertemplate="%{x}: %{y} pilots<extra></extra>",
        )
    )
    top = max(1, int(frame["pilots"].max() or 0))
    fig.update_yaxes(range=[0, top * 1.25], title="Pilots")
    return _layout(fig, height=300)


def pilot_vs_median_chart(frame: pd.DataFrame, pilot_name: str, content: Content) -> go.Figure:
    """One pilot's readiness per reason (bars in band colours) beside the median (diamonds)."""
    fig = go.Figure(
        [
            go.Bar(
                y=frame["short"],
                x=frame["pilot"].fillna(0),
                orientation="h",
                name=escape_html(pilot_name),
                marker={
                    "color": [color_for(None if pd.isna(v) else v, content) for v in frame["pilot"]]
                },
                text=["not scored" if pd.isna(v) else f"{v:.0f}" for v in frame["pilot"]],
                textposition="outside",
                hovertemplate="%{y}: %{x:.0f}/100<extra></extra>",
            ),
            go.Scatter(
                y=frame["short"],
                x=frame["median"],
                mode="markers",
                name="Organisation median",
                marker={
                    "symbol": "diamond",
                    "size": 14,
                    "color": "#1d2433",
                    "line": {"width": 1, "color": "white"},
                },
                hovertemplate="Median %{y}: %{x:.0f}/100<extra></extra>",
            ),
        ]
    )
    fig.update_xaxes(range=[0, 112], title="Readiness (0 = not ready, 100 = ready)")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig = _layout(fig, height=360)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.25})
    return fig
