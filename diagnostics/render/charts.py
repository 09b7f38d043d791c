"""Static charts for the reports: drawn once, placed as SVG in HTML, as images in PDF and slides.

Why matplotlib and not Plotly here: a report must open offline and travel by e-mail, and
Plotly's page needs its 4.6 MB script, while its static export (kaleido) needs a Chrome that
it downloads on first use and that a user's machine may not have. matplotlib draws the same
chart as SVG for a page, as PNG for a slide and the PDF, with its own fonts and no browser.

Every label sits on its own line above its bar, never beside the axis, so nothing is clipped
when the chart shrinks to a phone's width or an A4 column. One palette: the risk bands and
decision colours from the content file, as on screen. Text is drawn as shapes (fonts
embedded as paths), so a chart looks the same in every browser, PDF reader and slide program.
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import matplotlib
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from diagnostics.framework.content import Content
from diagnostics.framework.scoring import AssessmentResult
from diagnostics.framework.timeline import RecommendedPath, format_day

if TYPE_CHECKING:
    import pandas as pd

    from diagnostics.framework.history import HistoryEntry

NEUTRAL = "#8a94a6"
INK = "#1d2433"
MUTED = "#5b6475"
TRACK = "#eef0f3"
ACCENT = "#1f5fa8"
GROUP_COLORS = {
    "pilot": ACCENT,
    "decision": "#6a3d9a",
    "production": "#0072B2",
    "rollout": "#56B4E9",
}
# Narrow on purpose: shrunk to a 390-pixel phone, 10 pt text still reads at about 12 px.
WIDTH_INCHES = 4.4
_OPEN_ENDED_DAYS = 28

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "text.parse_math": False,  # a "$" in a pilot's or unit's name is text, not a formula
    "svg.fonttype": "path",
    "svg.hashsalt": "poc-trap",  # the same chart gives the same file
    "axes.edgecolor": "#c9ced6",
    "axes.labelcolor": MUTED,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
}


# rcParams are global: one chart is drawn or saved at a time, each inside our settings, so two
# downloads built at once in the app never see each other's (or matplotlib's default) settings.
_LOCK = threading.RLock()


def _drawn(build):
    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with _LOCK, matplotlib.rc_context(_RC):
            return build(*args, **kwargs)

    return wrapper


@dataclass
class Chart:
    """One drawn chart; `width`/`height` in inches, so callers can keep its proportions."""

    figure: Figure
    title: str
    _png: dict[int, bytes] = field(default_factory=dict, repr=False)

    @property
    def width(self) -> float:
        return float(self.figure.get_figwidth())

    @property
    def height(self) -> float:
        return float(self.figure.get_figheight())

    def svg(self) -> str:
        """Inline SVG that scales to its container (no fixed size, no XML prolog)."""
        buffer = io.StringIO()
        with _LOCK, matplotlib.rc_context(_RC):
            self.figure.savefig(buffer, format="svg", metadata={"Date": None})
        text = buffer.getvalue()
        text = text[text.index("<svg") :]
        text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", text, count=1)
        return text.replace("<svg", "<svg preserveAspectRatio='xMinYMin meet'", 1)

    def png(self, dpi: int = 180) -> bytes:
        """The chart as PNG (kept, so a page laid out again does not draw it again)."""
        if dpi not in self._png:
            buffer = io.BytesIO()
            with _LOCK, matplotlib.rc_context(_RC):
                self.figure.savefig(buffer, format="png", dpi=dpi)
            self._png[dpi] = buffer.getvalue()
        return self._png[dpi]


def _figure(height: float, width: float = WIDTH_INCHES) -> Figure:
    with matplotlib.rc_context(_RC):
        return Figure(figsize=(width, height))


def _bare_axes(fig: Figure, top: float, bottom: float, side: float = 0.0):
    """Axes filling the width, with room above (`top` in) and below (`bottom` in), and at
    least `side` inches on each side (for tick labels centred on a tick near an edge)."""
    h, w = fig.get_figheight(), fig.get_figwidth()
    left = max(0.025, side / w)
    right = max(1 - 0.025 - 0.935, side / w)
    with matplotlib.rc_context(_RC):
        ax = fig.add_axes((left, bottom / h, 1 - left - right, 1 - (top + bottom) / h))
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_yticks([])
    return ax


def _score_text(value: float | None) -> str:
    return "not scored" if value is None else f"{value:.0f}"


def _band_header(ax, content: Content, y: float) -> None:
    """The band names over the 0–100 scale, each above its stretch, in its colour."""
    edges = [b.min_readiness for b in content.bands] + [100]
    for band, lo, hi in zip(content.bands, edges, edges[1:], strict=False):
        ax.text(
            (lo + hi) / 2,
            y,
            band.label,
            ha="center",
            va="bottom",
            color=band.color,
            fontsize=8.5,
            fontweight="bold",
        )
        if lo > 0:
            ax.axvline(lo, color="#c9ced6", linewidth=0.8, linestyle=(0, (3, 3)), zorder=0)


@_drawn
def readiness_bars(result: AssessmentResult, content: Content, *, row_height: float = 0.5) -> Chart:
    """Readiness per reason, 0–100, weakest first, each bar in its band's colour."""
    reasons = sorted(result.reasons, key=lambda r: (r.readiness is None, r.readiness or 0, r.title))
    return _bars(
        [(r.title, r.readiness, r.color or NEUTRAL, _score_text(r.readiness)) for r in reasons],
        content,
        "Readiness per reason",
        row_height,
    )


def _bars(
    rows: Sequence[tuple[str, float | None, str, str]],
    content: Content,
    title: str,
    row_h: float = 0.5,
):
    fig = _figure(0.55 + row_h * len(rows) + 0.35)
    ax = _bare_axes(fig, top=0.35, bottom=0.35)
    ax.set_xlim(0, 100)
    ax.set_ylim(len(rows) - 0.2, -0.75)
    _band_header(ax, content, -0.72)
    for i, (label, value, color, text) in enumerate(rows):
        ax.barh(i, 100, height=0.34, color=TRACK, zorder=1)
        if value is not None:
            ax.barh(i, max(value, 0.8), height=0.34, color=color, zorder=2)
        ax.text(0, i - 0.24, label, ha="left", va="bottom", color=INK, fontsize=10)
        ax.text(
            100, i - 0.24, text, ha="right", va="bottom", color=INK, fontsize=10, fontweight="bold"
        )
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.tick_params(axis="x", labelsize=8.5, length=0)
    return Chart(fig, title)


@_drawn
def reason_spread(reasons: pd.DataFrame, content: Content, *, row_height: float = 0.5) -> Chart:
    """Across pilots, per reason: the middle half (quartiles) as a bar, the median as a dot
    in its band's colour, the lowest pilot as a tick. Weakest median first."""
    ordered = reasons.sort_values("median", na_position="last")
    n = len(ordered)
    row_h = row_height
    fig = _figure(0.55 + row_h * n + 0.35)
    ax = _bare_axes(fig, top=0.35, bottom=0.35)
    ax.set_xlim(0, 100)
    ax.set_ylim(n - 0.2, -0.75)
    _band_header(ax, content, -0.72)
    for i, (_, row) in enumerate(ordered.iterrows()):
        ax.barh(i, 100, height=0.34, color=TRACK, zorder=1)
        median = row["median"]
        known = median == median  # not NaN
        if known:
            color = content.band_for(float(median)).color
            q1, q3 = float(row["q1"]), float(row["q3"])
            ax.barh(i, max(q3 - q1, 0.8), left=q1, height=0.34, color=color, alpha=0.35, zorder=2)
            ax.plot(
                [float(row["min"])] * 2, [i - 0.17, i + 0.17], color=INK, linewidth=1.2, zorder=3
            )
            ax.plot(
                float(median),
                i,
                "o",
                color=color,
                markersize=9,
                markeredgecolor=INK,
                markeredgewidth=0.8,
                zorder=4,
            )
        ax.text(0, i - 0.24, row["title"], ha="left", va="bottom", color=INK, fontsize=10)
        text = f"median {float(median):.0f}" if known else "no answers"
        ax.text(
            100, i - 0.24, text, ha="right", va="bottom", color=INK, fontsize=10, fontweight="bold"
        )
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.tick_params(axis="x", labelsize=8.5, length=0)
    return Chart(fig, "Readiness per reason across pilots")


@_drawn
def timeline(
    path: RecommendedPath,
    today: date,
    content: Content,
    *,
    severity: int = 0,
    milestones: Sequence[tuple[date, str]] = (),
    width: float = WIDTH_INCHES,
    through_production: bool = False,
    text_size: float = 9,
    height: float | None = None,
) -> Chart:
    """The recommended path as bars (solid: shortest duration, pale: up to the longest), the
    decision window shaded, today as a dashed line in the colour of how late the pilot is,
    and the pilot's own dates as diamonds on their own row. `through_production` stops at
    production (for a one-page brief), leaving out the rollout phases. `text_size` (points)
    sizes every text and the room around it; `height` (inches) fits the rows to a given
    picture (a slide), else each row takes what its labels need."""
    rows = [s for s in path.segments if not (through_production and s.group == "rollout")]
    grow = text_size / 9
    wrap_at = max(24, int(width * 0.935 * 72 / (text_size * 0.6)) - 2)
    labels = [
        textwrap.fill(f"{s.title} ({s.duration_label})", wrap_at, break_long_words=False)
        for s in rows
    ]
    n = len(rows) + (1 if milestones else 0)
    top, bottom = 0.45 * grow, 0.6 * grow
    row_h = (0.42 if all("\n" not in label for label in labels) else 0.55) * grow
    if height is not None:
        row_h = max(row_h * 0.55, (height - top - bottom) / n)  # labels still clear the bars
    # Below the axis: the dates and, under them at the right, the year (the date offset).
    fig = _figure(top + row_h * n + bottom, width)
    # A date label is centred on its tick: a tick near an edge needs half a label of room.
    ax = _bare_axes(fig, top=top, bottom=bottom, side=0.25 * grow)
    ends = [s.end_max or s.start + timedelta(days=_OPEN_ENDED_DAYS) for s in rows]
    first = min([path.start, today, *[d for d, _ in milestones]])
    last = max([*ends, today, *[d for d, _ in milestones]])
    pad = timedelta(days=max(3, (last - first).days // 40))
    lo, hi = first - pad, last + pad
    ax.set_xlim(mdates.date2num(lo), mdates.date2num(hi))
    ax.set_ylim(n - 0.3, -0.7)
    span = mdates.date2num(hi) - mdates.date2num(lo)
    window = path.decision_window
    ax.axvspan(
        mdates.date2num(window.start),
        mdates.date2num(path.decision_due),
        color=GROUP_COLORS["decision"],
        alpha=0.10,
        zorder=0,
    )
    for i, (segment, end, label) in enumerate(zip(rows, ends, labels, strict=True)):
        _path_bar(ax, i, segment, end)
        _place_label(
            ax,
            label,
            (mdates.date2num(segment.start), mdates.date2num(end)),
            i - 0.2,
            lo,
            span,
            width,
            text_size,
        )
    if milestones:
        _milestone_row(ax, milestones, len(rows), text_size)
    color = content.bands[max(0, len(content.bands) - 1 - severity)].color
    _today_line(ax, today, color, lo, span, text_size)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.tick_params(axis="x", labelsize=text_size - 0.5)
    ax.xaxis.get_offset_text().set_fontsize(text_size - 0.5)
    return Chart(fig, "Timeline against the recommended path")


def _path_bar(ax, i: int, segment, end: date) -> None:
    """One phase of the path on row `i`: solid to its shortest end, pale to its longest."""
    color = GROUP_COLORS.get(segment.group, NEUTRAL)
    start = mdates.date2num(segment.start)
    firm = mdates.date2num(segment.end_min) - start
    slack = mdates.date2num(end) - mdates.date2num(segment.end_min)
    if firm > 0:
        ax.barh(i, firm, left=start, height=0.3, color=color, zorder=2)
    if slack > 0:
        ax.barh(i, slack, left=start + firm, height=0.3, color=color, alpha=0.35, zorder=2)


def _milestone_row(
    ax, milestones: Sequence[tuple[date, str]], y: int, text_size: float = 9
) -> None:
    """The pilot's own dates as diamonds on row `y`, with a label."""
    xs = [mdates.date2num(d) for d, _ in milestones]
    ax.plot(xs, [y] * len(xs), "D", color="#222222", markersize=6 * text_size / 9, zorder=3)
    ax.text(
        min(xs),
        y - 0.2,
        "This pilot: start and assessments",
        ha="left",
        va="bottom",
        fontsize=text_size,
        color=INK,
    )


def _today_line(ax, today: date, color: str, lo: date, span: float, text_size: float = 9):
    """Today as a dashed line with its date, the label turned left when it would run off the
    right edge (measured: a fixed 70% cut the label off on narrow charts)."""
    x_today = mdates.date2num(today)
    ax.axvline(x_today, color=color, linewidth=2, linestyle=(0, (4, 2)), zorder=4)
    label = f" Today, {format_day(today)} "
    width = ax.get_figure().get_figwidth() * ax.get_position().width
    share = len(label) * text_size * 0.66 / 72 / width  # bold: a little wider than 0.6 em
    at = (x_today - mdates.date2num(lo)) / span
    right_side = at + share > 1 and at > 0.5
    ax.text(
        x_today,
        -0.62,
        label,
        ha="right" if right_side else "left",
        va="bottom",
        fontsize=text_size,
        fontweight="bold",
        color=color,
    )


def _place_label(ax, label, bar, y, lo, span, width, text_size: float = 9) -> None:
    """Beside its bar (`bar`: its start and end), starting where the bar starts, unless it
    would run off the right edge: then ending where the bar ends, or else from the left edge
    (never clipped)."""
    x0, x1 = bar
    longest = max(len(line) for line in label.split("\n"))
    room = longest * text_size * 0.6 / 72 / (width * 0.935)  # share of the axis it needs
    start = (x0 - mdates.date2num(lo)) / span
    end = (x1 - mdates.date2num(lo)) / span
    x, ha = (x0, "left") if start + room <= 1 else (x1, "right")
    if start + room > 1 and end - room < 0:
        x, ha = mdates.date2num(lo), "left"
    ax.text(x, y, label, ha=ha, va="bottom", fontsize=text_size, color=INK)


@_drawn
def history_trend(history: Sequence[HistoryEntry], content: Content) -> Chart:
    """Readiness per reason across a pilot's assessments, overall as the thick dashed line."""
    labels = [f"{i}. {format_day(h.created_at.date())}" for i, h in enumerate(history, 1)]
    fig = _figure(3.6)
    with matplotlib.rc_context(_RC):
        # Room on the left for the tick numbers and the axis title (it was cut at 0.11).
        ax = fig.add_axes((0.15, 0.36, 0.82, 0.6))
    xs = list(range(len(history)))
    palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
    for reason, color in zip(content.reasons, palette * 2, strict=False):
        ys = [h.readiness.get(reason.key) for h in history]
        ax.plot(
            xs,
            [float("nan") if y is None else y for y in ys],
            "-o",
            color=color,
            linewidth=1.4,
            markersize=4,
            label=reason.short,
        )
    ax.plot(
        xs,
        [float("nan") if h.overall is None else h.overall for h in history],
        "--o",
        color="#222222",
        linewidth=2.4,
        markersize=6,
        label="Overall",
    )
    ax.set_ylim(0, 105)
    ax.set_xticks(xs, labels, fontsize=8.5)
    ax.set_xlim(-0.3, len(xs) - 0.7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_ylabel("Readiness (0–100)", fontsize=9)
    ax.legend(loc="upper left", bbox_to_anchor=(-0.08, -0.14), ncol=3, frameon=False, fontsize=8.5)
    return Chart(fig, "Trend across assessments")
