"""Plotly figure builders: data in, `plotly.graph_objects.Figure` out, never streamlit.

One palette for every chart: the risk bands from the content file, so red means the same
thing on the radar, the bars, the heatmaps and the portfolio matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from diagnostics.framework.content import Content
from diagnostics.framework.scoring import AssessmentResult
from diagnostics.framework.timeline import RecommendedPath, format_day

if TYPE_CHECKING:
    from diagnostics.framework.history import HistoryEntry

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


READINESS_RADAR_TITLE = "Readiness per reason (0 = not ready, 100 = ready)"
READINESS_BARS_TITLE = "Readiness per reason, weakest first (higher is better)"


def readiness_radar(result: AssessmentResult, content: Content) -> go.Figure:
    """Readiness per reason on a radar (further out is better), each point in its band."""
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
            textfont={"size": 12},
            customdata=[r.band_label or "not scored" for r in rated],
            hovertemplate="%{theta}: %{r:.0f}/100 (%{customdata})<extra></extra>",
        )
    )
    # The rings stay as a scale, but without their own numbers: each point carries its value,
    # and ring numbers printed on the same radius overlapped the points' labels.
    fig.update_layout(
        polar={
            "radialaxis": {
                "range": [0, 100],
                "tickvals": [25, 50, 75, 100],
                "showticklabels": False,
            }
        }
    )
    fig = _layout(fig, title=READINESS_RADAR_TITLE, height=400)
    # Room for the reason names around the circle, also in a narrow column on a phone.
    fig.update_layout(
        margin={"l": 70, "r": 70, "t": 80, "b": 40},
        title={"font": {"size": 14}, "x": 0, "xanchor": "left"},
    )
    return fig


def readiness_bars(result: AssessmentResult, content: Content) -> go.Figure:
    """Readiness per reason as horizontal bars, weakest at the top (the same direction as
    the radar beside it: a longer bar is better)."""
    rated = sorted(result.reasons, key=lambda r: r.readiness if r.readiness is not None else -1.0)
    fig = go.Figure(
        go.Bar(
            x=[r.readiness if r.readiness is not None else 0 for r in rated],
            y=[r.title for r in rated],
            orientation="h",
            marker={"color": [color_for(r.readiness, content) for r in rated]},
            text=["not scored" if r.readiness is None else f"{r.readiness:.0f}" for r in rated],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: readiness %{x:.0f}/100<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 112], title="Readiness (0 = not ready, 100 = ready)")
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig = _layout(fig, title=READINESS_BARS_TITLE, height=400)
    fig.update_layout(title={"font": {"size": 14}, "x": 0, "xanchor": "left"})
    return fig


# --- timeline and history ------------------------------------------------------------------

_GROUP_COLORS = {
    "pilot": ACCENT,
    "decision": "#6a3d9a",
    "production": "#0072B2",
    "rollout": "#56B4E9",
}
_OPEN_ENDED_DAYS = 28  # how much of the open-ended last phase to draw
_MS_PER_DAY = 86_400_000


def _wrap(text: str, width: int = 34) -> str:
    """Break a long axis label onto lines so it fits beside a chart on a phone."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _iso(day: date) -> str:
    return day.isoformat()


def timeline_chart(
    path: RecommendedPath,
    today: date,
    content: Content,
    *,
    severity: int = 0,
    milestones: Sequence[tuple[date, str]] = (),
) -> go.Figure:
    """The recommended path as a Gantt chart: the solid part of each bar is the shortest
    recommended duration, the pale part the slack up to the longest; today is a line coloured
    by how late the pilot is (band colours), the decision window is shaded and dated, and the
    pilot's own milestones (start, assessments) sit on their own row."""
    fig = go.Figure()
    rows = [_add_segment(fig, segment) for segment in path.segments]
    if milestones:
        rows.append(_add_milestones(fig, milestones))
    window = path.decision_window
    fig.add_shape(
        type="rect",
        xref="x",
        yref="paper",
        x0=_iso(window.start),
        x1=_iso(path.decision_due),
        y0=0,
        y1=1,
        fillcolor=_GROUP_COLORS["decision"],
        opacity=0.10,
        line={"width": 0},
        layer="below",
    )
    middle = window.start + (path.decision_due - window.start) / 2
    _mark_top(
        fig, middle, f"Decision by {format_day(path.decision_due)}", _GROUP_COLORS["decision"], 18
    )
    today_color = content.bands[max(0, len(content.bands) - 1 - severity)].color
    fig.add_shape(
        type="line",
        xref="x",
        yref="paper",
        x0=_iso(today),
        x1=_iso(today),
        y0=0,
        y1=1,
        line={"color": today_color, "width": 3, "dash": "dash"},
    )
    _mark_top(fig, today, f"Today, {format_day(today)}", today_color, 0)
    fig.update_yaxes(categoryorder="array", categoryarray=rows, autorange="reversed")
    fig.update_xaxes(type="date", showgrid=True, gridcolor="#eeeeee")
    fig.update_layout(barmode="overlay", bargap=0.35)
    fig = _layout(fig, height=110 + 44 * len(rows))
    fig.update_layout(margin={"l": 10, "r": 20, "t": 60, "b": 40})
    return fig


def _add_segment(fig: go.Figure, segment) -> str:
    """One step of the path as a firm bar and its pale slack; returns the row's label."""
    label = _wrap(f"{segment.title} ({segment.duration_label})")
    color = _GROUP_COLORS.get(segment.group, NEUTRAL)
    firm_days = (segment.end_min - segment.start).days
    slack_end = segment.end_max or segment.start + timedelta(days=_OPEN_ENDED_DAYS)
    slack_days = (slack_end - segment.end_min).days
    end_text = format_day(segment.end_max) if segment.end_max else "ongoing"
    hover = f"{segment.title}<br>{format_day(segment.start)} to {end_text}<extra></extra>"
    for days, base, opacity in (
        (firm_days, segment.start, 1.0),
        (slack_days, segment.end_min, 0.35),
    ):
        if days > 0:
            fig.add_trace(
                go.Bar(
                    x=[days * _MS_PER_DAY],
                    base=[_iso(base)],
                    y=[label],
                    orientation="h",
                    marker={"color": color, "opacity": opacity},
                    hovertemplate=hover,
                )
            )
    return label


def _add_milestones(fig: go.Figure, milestones: Sequence[tuple[date, str]]) -> str:
    row = "This pilot"
    fig.add_trace(
        go.Scatter(
            x=[_iso(day) for day, _ in milestones],
            y=[row] * len(milestones),
            mode="markers",
            marker={"symbol": "diamond", "size": 13, "color": "#222222"},
            text=[f"{text}: {format_day(day)}" for day, text in milestones],
            hovertemplate="%{text}<extra></extra>",
        )
    )
    return row


def _mark_top(fig: go.Figure, day, text: str, color: str, yshift: int) -> None:
    """A label above the plot at `day` (the decision window, today)."""
    fig.add_annotation(
        x=_iso(day),
        y=1.0,
        xref="x",
        yref="paper",
        yanchor="bottom",
        yshift=yshift,
        showarrow=False,
        text=text,
        font={"size": 12, "color": color},
    )


def history_trend(history: Sequence[HistoryEntry], content: Content) -> go.Figure:
    """Readiness per reason across a pilot's assessments, with each one's verdict on the
    overall line; the x axis names each assessment by its order and date."""
    labels = [f"{i}. {format_day(h.created_at.date())}" for i, h in enumerate(history, 1)]
    fig = go.Figure()
    for reason in content.reasons:
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=[h.readiness.get(reason.key) for h in history],
                name=reason.short,
                mode="lines+markers",
                line={"width": 1.5},
                hovertemplate=f"{reason.title}: %{{y:.0f}}/100<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=[h.overall for h in history],
            name="Overall",
            mode="lines+markers+text",
            line={"color": "#222222", "width": 3, "dash": "dash"},
            marker={
                "size": 12,
                "color": [color_for(h.overall, content) for h in history],
                "line": {"color": "#222222", "width": 1},
            },
            text=[h.verdict_label for h in history],
            textposition="top center",
            customdata=[h.position_label for h in history],
            hovertemplate="Overall %{y:.0f}/100: %{text} (%{customdata})<extra></extra>",
        )
    )
    fig.update_yaxes(range=[0, 110], title="Readiness (0–100)")
    fig = _layout(fig, height=380)
    fig.update_layout(
        showlegend=True, legend={"orientation": "h", "y": -0.2, "x": 0, "yanchor": "top"}
    )
    return fig
