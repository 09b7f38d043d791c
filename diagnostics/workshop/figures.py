"""Workshop charts: answer distributions, the split by role and the disagreement ranking.

Answer colours come from the risk bands of the content file (Yes in the low-risk colour, No in
the high-risk one), so a workshop chart reads like every other chart of the product.

Every workshop chart is read on a shared screen, the console's as much as the presenter's (a
facilitator often projects the console), so all of them use one type scale, `ROOM_TYPE_PX`
in dark ink: big enough to read from the back of a room on a 1920x1080 screen.
"""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from diagnostics.framework.content import Content
from diagnostics.framework.figures import NEUTRAL, _layout
from diagnostics.workshop.records import ANSWER_ORDER, ROLES, QuestionResult, WorkshopResults

NA_COLOR = "#c8ced8"
# Every label, tick, legend and bar figure of a workshop chart: the size and ink of the
# shared screen's type, read from the back of a room.
ROOM_TYPE_PX = 22
ROOM_INK = "#111111"
LINE_PX = round(ROOM_TYPE_PX * 1.3)
# A question's label wraps at this many characters: in room type a label on one line took
# most of a laptop's chart and pushed its start off the left edge.
LABEL_CHARACTERS = 36
# Under the role split: the axis's figures, then a legend of up to two lines.
LEGEND_MARGIN_PX = 20 + 5 * ROOM_TYPE_PX


def answer_colors(content: Content) -> dict[str, str]:
    """Answer key -> colour: Yes the lowest-risk band, Partly the middle one, No the highest."""
    bands = content.bands
    return {
        "yes": bands[-1].color,
        "partly": bands[len(bands) // 2].color,
        "no": bands[0].color,
        "dont_know": NEUTRAL,
        "na": NA_COLOR,
    }


def _labels(content: Content) -> dict[str, str]:
    return {a.key: a.label for a in content.answer_scale}


def distribution_bars(
    question: QuestionResult,
    content: Content,
    *,
    top: int | None = None,
    height: int = 360,
) -> go.Figure:
    """How many gave each answer to one question, as vertical bars in the answer order.

    `top` fixes the scale (the largest count drawn), so two rounds side by side compare.
    """
    colors = answer_colors(content)
    labels = _labels(content)
    keys = [k for k in ANSWER_ORDER if k != "na" or question.counts.get("na")]
    fig = go.Figure(
        go.Bar(
            x=[labels[k] for k in keys],
            y=[question.counts.get(k, 0) for k in keys],
            marker={"color": [colors[k] for k in keys]},
            text=[question.counts.get(k, 0) for k in keys],
            textposition="outside",
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    top = max([question.counts.get(k, 0) for k in keys] + [top or 1])
    fig.update_yaxes(range=[0, top * 1.25], visible=False)
    fig = _for_the_room(_layout(fig, height=height))
    fig.update_layout(margin={"l": 10, "r": 10, "t": 20, "b": 60})
    return fig


def rounds_scale(*questions: QuestionResult) -> int:
    """The largest count among the rounds drawn side by side: one scale for all of them."""
    return max([n for q in questions for n in q.counts.values()] + [1])


def role_split(question: QuestionResult, content: Content) -> go.Figure:
    """Answers per role (only roles with enough answers to stay anonymous), stacked bars."""
    colors = answer_colors(content)
    labels = _labels(content)
    roles = list(question.by_role)
    fig = go.Figure()
    for key in ANSWER_ORDER:
        values = [question.by_role[r].get(key, 0) for r in roles]
        if not any(values):
            continue
        fig.add_trace(
            go.Bar(
                name=labels[key],
                y=[ROLES[r] for r in roles],
                x=values,
                orientation="h",
                marker={"color": colors[key]},
                hovertemplate=f"%{{y}}: %{{x}} {labels[key]}<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    plot_px = 70 * len(roles) + 30
    fig = _layout(fig, height=plot_px + LEGEND_MARGIN_PX)
    # People are counted in whole numbers: no 0.5 person on the axis.
    fig.update_xaxes(tickformat=",d", dtick=1 if _largest_group(question) <= 10 else None)
    # The legend a fixed distance under the axis's figures, however many roles are drawn:
    # placed as a share of the plot's height, it ran into them when one role was shown.
    fig.update_layout(
        showlegend=True,
        legend={
            "orientation": "h",
            "y": -(ROOM_TYPE_PX * 2.2) / plot_px,
            "yanchor": "top",
            "traceorder": "normal",  # Yes first, as the answers are offered
        },
        margin={"t": 20, "b": LEGEND_MARGIN_PX - 20},
    )
    return _for_the_room(fig)


def _largest_group(question: QuestionResult) -> int:
    return max((sum(c.values()) for c in question.by_role.values()), default=0)


def disagreement_ranking(results: WorkshopResults, content: Content, *, top: int = 10) -> go.Figure:
    """Questions with the widest spread of answers first: where discussion is worth having."""
    ranked = results.ranking[:top]
    labels = [textwrap.wrap(q.label, LABEL_CHARACTERS) or [""] for q in ranked]
    fig = go.Figure(
        go.Bar(
            x=[q.disagreement for q in ranked],
            y=["<br>".join(lines) for lines in labels],
            orientation="h",
            marker={"color": [_spread_color(q.disagreement, content) for q in ranked]},
            text=[f"{q.disagreement:.0f}" for q in ranked],
            textposition="outside",
            hovertemplate="%{y}: disagreement %{x:.0f}/100<extra></extra>",
        )
    )
    # In room-sized type a longer title would spill past a plot narrowed by the question
    # labels: the short one (the pages say what the index means beside the chart).
    fig.update_xaxes(range=[0, 115], title="Disagreement, 0 to 100")
    fig.update_yaxes(autorange="reversed")
    # Every row as tall as the longest label needs: the bars keep one thickness.
    row_px = max(56, LINE_PX * max((len(lines) for lines in labels), default=1) + 20)
    return _for_the_room(_layout(fig, height=max(220, row_px * len(ranked) + 90)))


def _for_the_room(fig: go.Figure) -> go.Figure:
    """Type readable from the back of a room on the shared screen.

    The app's chart theme sets its own sizes for ticks, axis titles, legends and bar labels,
    which win over the layout's base font; so every one is set here explicitly.
    """
    font = {"size": ROOM_TYPE_PX, "color": ROOM_INK}
    fig.update_layout(font=font, legend={"font": font})
    fig.update_xaxes(tickfont=font, title_font=font)
    fig.update_yaxes(tickfont=font, title_font=font)
    fig.update_traces(textfont=font, selector={"type": "bar"})
    return fig


def _spread_color(value: float | None, content: Content) -> str:
    """Wide spread in the high-risk colour (discuss it), narrow in the low-risk one."""
    if value is None:
        return NEUTRAL
    return content.band_for(100.0 - value).color
