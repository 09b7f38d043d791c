"""Charts of the cost of the trap: the waterfall of its parts, the cost accumulating month by
month, the cost by business unit, and the stop-now comparison. Data in, Figure out.

Colours come from the risk bands of the content file: direct spend in the highest-risk colour,
value not delivered in the middle one, so the two parts read the same on every chart.
"""

from __future__ import annotations

import plotly.graph_objects as go

from diagnostics.cost.model import CostResult
from diagnostics.cost.stop_now import StopNowScenario
from diagnostics.formats import format_money
from diagnostics.framework.content import Content
from diagnostics.framework.figures import NEUTRAL, _layout, band_colors
from diagnostics.sheets.safe_export import escape_html

MAX_UNITS = 15  # more bars than this are unreadable: the rest are summed as "Other units"
DIRECT = "Direct cost"
OPPORTUNITY = "Opportunity cost"


def cost_colors(content: Content) -> dict[str, str]:
    """Direct cost in the highest-risk band colour, opportunity cost in the next one."""
    colors = band_colors(content)
    keys = [b.key for b in content.bands]  # the highest risk first
    return {DIRECT: colors[keys[0]], OPPORTUNITY: colors[keys[min(1, len(keys) - 1)]]}


def _money_axis(fig: go.Figure, axis: str = "y") -> None:
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    update(tickformat="~s", rangemode="tozero", gridcolor="#e6e9ef")


def _legend(fig: go.Figure) -> go.Figure:
    fig.update_layout(
        showlegend=True,
        legend={
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 0,
            "xanchor": "left",
            "traceorder": "normal",
        },
    )
    return fig


def cost_waterfall(result: CostResult, content: Content) -> go.Figure:
    """Direct cost, then opportunity cost on top of it, then the total they make."""
    colors = cost_colors(content)
    direct, opportunity = result.totals["direct"], result.totals["opportunity"]
    total = direct + opportunity
    labels = ["Direct", "Opportunity", "Total"]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[direct, opportunity, direct],
            base=[0, direct, 0],
            marker={"color": [colors[DIRECT], colors[OPPORTUNITY], colors[DIRECT]]},
            text=[format_money(direct), format_money(opportunity), ""],
            textposition="inside",
            insidetextanchor="middle",
            customdata=[DIRECT, OPPORTUNITY, DIRECT],
            hovertemplate="%{customdata}: %{text}<extra></extra>",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Bar(
            x=[labels[2]],
            y=[opportunity],
            base=[direct],
            marker={"color": colors[OPPORTUNITY]},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_annotation(
        x=labels[2], y=total, text=f"<b>{format_money(total)}</b>", showarrow=False, yshift=12
    )
    fig.update_layout(barmode="overlay", bargap=0.35)
    fig.update_xaxes(tickangle=0)
    _money_axis(fig)
    fig.update_yaxes(range=[0, total * 1.15 or 1])
    return _layout(fig, height=340)


def cost_over_time(result: CostResult, content: Content) -> go.Figure:
    """The cost to date at each month end, stacked: direct below, opportunity above."""
    colors = cost_colors(content)
    monthly = result.monthly
    fig = go.Figure()
    for column, name in (("direct", DIRECT), ("opportunity", OPPORTUNITY)):
        fig.add_trace(
            go.Scatter(
                x=monthly["month"],
                y=monthly[column],
                name=name,
                mode="lines",
                stackgroup="cost",
                line={"color": colors[name], "width": 1.5},
                customdata=[format_money(v) for v in monthly[column]],
                hovertemplate=f"{name}, %{{x|%b %Y}}: %{{customdata}}<extra></extra>",
            )
        )
    _money_axis(fig)
    fig.update_xaxes(title=None)
    return _legend(_layout(fig, height=340))


def cost_by_unit(result: CostResult, content: Content, limit: int = MAX_UNITS) -> go.Figure:
    """Cost per business unit as stacked horizontal bars, the most expensive at the top."""
    colors = cost_colors(content)
    units = result.by_unit[result.by_unit["total_cost"] > 0]
    if len(units) > limit:
        head, rest = units.iloc[: limit - 1], units.iloc[limit - 1 :]
        other = {
            "business_unit": f"Other units ({len(rest)})",
            "direct_cost": rest["direct_cost"].sum(),
            "opportunity_cost": rest["opportunity_cost"].sum(),
            "total_cost": rest["total_cost"].sum(),
        }
        rows = [*head.to_dict("records"), other]
    else:
        rows = units.to_dict("records")
    # Plotly reads a few HTML tags in labels: unit names from a spreadsheet stay plain text.
    names = [escape_html(r["business_unit"]) for r in rows]
    fig = go.Figure()
    for column, name in (("direct_cost", DIRECT), ("opportunity_cost", OPPORTUNITY)):
        values = [r[column] for r in rows]
        fig.add_trace(
            go.Bar(
                x=values,
                y=names,
                name=name,
                orientation="h",
                marker={"color": colors[name]},
                customdata=[format_money(v) for v in values],
                hovertemplate=f"%{{y}}: {name.lower()} %{{customdata}}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[r["total_cost"] for r in rows],
            y=names,
            mode="text",
            text=[f"  {format_money(r['total_cost'])}" for r in rows],
            textposition="middle right",
            cliponaxis=False,
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(autorange="reversed", automargin=True)
    _money_axis(fig, "x")
    top = max((r["total_cost"] for r in rows), default=0)
    fig.update_xaxes(range=[0, top * 1.3 or 1])
    return _legend(_layout(fig, height=max(260, 60 + 32 * len(rows))))


def stop_now_chart(scenario: StopNowScenario, content: Content) -> go.Figure:
    """The cost so far, then the cost at the end of the horizon if the chosen pilots run on,
    against stopping them today."""
    colors = cost_colors(content)
    labels = ["Run on", "Stop now", "Today"]
    directs = [scenario.keep_direct, scenario.stop_direct, None]
    opportunities = [scenario.keep_opportunity, scenario.stop_opportunity, None]
    fig = go.Figure()
    for values, name in ((directs, DIRECT), (opportunities, OPPORTUNITY)):
        fig.add_trace(
            go.Bar(
                x=labels[:2],
                y=values[:2],
                name=name,
                marker={"color": colors[name]},
                customdata=[format_money(v) for v in values[:2]],
                hovertemplate=f"%{{x}}: {name.lower()} %{{customdata}}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Bar(
            x=[labels[2]],
            y=[scenario.cost_today],
            name="Cost so far",
            marker={"color": NEUTRAL},
            customdata=[format_money(scenario.cost_today)],
            hovertemplate="Cost so far: %{customdata}<extra></extra>",
        )
    )
    for label, value in zip(
        labels, (scenario.keep_total, scenario.stop_total, scenario.cost_today), strict=True
    ):
        fig.add_annotation(x=label, y=value, text=format_money(value), showarrow=False, yshift=10)
    fig.update_layout(barmode="stack", bargap=0.4)
    _money_axis(fig)
    fig.update_yaxes(range=[0, max(scenario.keep_total, scenario.cost_today) * 1.15 or 1])
    fig.update_xaxes(
        categoryorder="array", categoryarray=[labels[2], labels[0], labels[1]], tickangle=0
    )
    return _legend(_layout(fig, height=340))
