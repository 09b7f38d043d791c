"""Charts of the register: actions still to do against those done, day by day, and the
follow-up per business unit. Data in, `plotly.graph_objects.Figure` out.

Colours follow the risk bands of the content file: what is done in the best band's colour,
what is overdue in the worst band's, what is still to do in the accent colour.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from diagnostics.framework.content import Content
from diagnostics.framework.figures import ACCENT, _layout

DAY_MS = 86_400_000
WHOLE_TICKS_UP_TO = 10  # below this many actions, one tick per action: no "0, 1, 1, 2" ticks


def _count_ticks(largest: float) -> dict:
    """Whole-number ticks on a count axis."""
    return {"tickformat": "d", "dtick": 1 if largest <= WHOLE_TICKS_UP_TO else None}


def _band(content: Content, best: bool) -> str:
    return content.bands[-1 if best else 0].color


def open_vs_done(over_time: pd.DataFrame, content: Content) -> go.Figure:
    """Two lines over the days: actions still to do (open or in progress) and actions done."""
    fig = go.Figure()
    few_days = len(over_time) <= 2  # a line needs two days; a lone day shows as points
    for column, name, color in (
        ("open", "Still to do", ACCENT),
        ("done", "Done", _band(content, best=True)),
    ):
        fig.add_trace(
            go.Scatter(
                x=over_time["day"],
                y=over_time[column],
                name=name,
                mode="lines+markers" if few_days else "lines",
                marker={"size": 10},
                line={"color": color, "width": 3, "shape": "hv"},
                hovertemplate=f"%{{x|%d %b %Y}}: %{{y}} {name.lower()}<extra></extra>",
            )
        )
    _layout(fig, height=320)
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        margin={"l": 50, "r": 20, "t": 40, "b": 40},
    )
    largest = max([0, *over_time["open"], *over_time["done"]]) if len(over_time) else 0
    days = len(over_time)
    fig.update_xaxes(
        type="date",
        showgrid=True,
        gridcolor="#eeeeee",
        tickformat="%d %b",
        dtick=DAY_MS if days <= 14 else None,  # whole days, never hours
    )
    if days and days <= 2:
        first, last = over_time["day"].iloc[0], over_time["day"].iloc[-1]
        fig.update_xaxes(
            range=[
                pd.Timestamp(first) - pd.Timedelta(days=1),
                pd.Timestamp(last) + pd.Timedelta(days=1),
            ]
        )
    fig.update_yaxes(
        title="Actions", rangemode="tozero", gridcolor="#eeeeee", **_count_ticks(largest)
    )
    return fig


def per_unit(table: pd.DataFrame, content: Content) -> go.Figure:
    """Stacked bars per business unit: overdue, still to do on time, done."""
    table = table.iloc[::-1]  # the most overdue unit on top
    on_time = table["open"] - table["overdue"]
    fig = go.Figure()
    for values, name, color in (
        (table["overdue"], "Overdue", _band(content, best=False)),
        (on_time, "To do, on time", ACCENT),
        (table["done"], "Done", _band(content, best=True)),
    ):
        fig.add_trace(
            go.Bar(
                y=table["business_unit"],
                x=values,
                name=name,
                orientation="h",
                marker={"color": color},
                hovertemplate=f"%{{y}}: %{{x}} {name.lower()}<extra></extra>",
            )
        )
    _layout(fig, height=max(220, 60 + 36 * len(table)))
    fig.update_layout(
        barmode="stack",
        showlegend=True,
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "x": 0,
            "traceorder": "normal",  # as the bars stack: overdue first
        },
        margin={"l": 10, "r": 20, "t": 40, "b": 40},
    )
    fig.update_yaxes(automargin=True)
    largest = int((table["open"] + table["done"]).max()) if len(table) else 0
    fig.update_xaxes(title="Actions", gridcolor="#eeeeee", **_count_ticks(largest))
    return fig
