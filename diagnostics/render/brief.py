"""PDF briefs for a steering committee: one A4 page per pilot, two for the organisation.

Drawn with fpdf2 (pure Python, maintained, embeds any TrueType font) rather than printed from
the HTML, so the page is laid out exactly and needs no browser. The charts are the report's
own (`render.charts`, matplotlib) as images: Plotly's static export would need a Chrome that
kaleido downloads on first use, which a user of `make run` may not have. Text uses DejaVu Sans,
shipped with matplotlib, so every name prints (Turkish, Polish, Greek...), not only Latin-1.

A brief must keep to its pages: each is built at full size, and if it runs over it is built
again a little smaller (type, charts, spacing) until it fits.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import matplotlib
from fpdf import FPDF, FontFace, XPos, YPos

from diagnostics.formats import format_money
from diagnostics.framework.content import Content
from diagnostics.framework.review import PilotReview
from diagnostics.framework.timeline import format_day
from diagnostics.organisation.trap_check import TrapCheck
from diagnostics.render import charts, pilot_report
from diagnostics.render import organisation_report as org
from diagnostics.render.pilot_report import score_text

FONT = "DejaVu"
_FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
INK = (29, 36, 51)
MUTED = (91, 100, 117)
PANEL = (247, 248, 250)
RULE = (228, 231, 236)
SCALES = (1.0, 0.93, 0.86, 0.8, 0.74, 0.68)
PILOT_PAGES = 1
ORGANISATION_PAGES = 2
MAX_BRIEF_REGISTER = 4  # register actions listed on the one-page brief; the rest are counted


def rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


class _Page(FPDF):
    """An A4 page with our fonts, a small running header and the source credit at the foot."""

    def __init__(self, kind: str, credit: str, scale: float) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.kind, self.credit, self.s = kind, credit, scale
        self.add_font(FONT, "", str(_FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(_FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(14, 12, 14)
        self.set_auto_page_break(True, margin=20)
        self.set_creator("PoC Trap Diagnostic")
        self.add_page()

    @property
    def width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def header(self) -> None:
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 4, self.kind, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def footer(self) -> None:
        self.set_y(-17)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.2)
        self.set_font(FONT, "", 6.8)
        self.set_text_color(*MUTED)
        self.multi_cell(0, 3, self.credit, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # pieces ------------------------------------------------------------------------------
    def text_block(
        self, text: str, size: float, *, bold: bool = False, color=INK, gap: float = 1.0
    ) -> None:
        self.set_font(FONT, "B" if bold else "", size * self.s)
        self.set_text_color(*color)
        self.multi_cell(
            0, size * self.s * 0.46, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.ln(gap * self.s)

    def heading(self, text: str) -> None:
        self.ln(1.5 * self.s)
        self.text_block(text, 11.5, bold=True, gap=0.8)

    def block_height(self, text: str, size: float, *, bold: bool = False, gap: float = 1.0):
        """The height `text_block` would take here, without drawing it."""
        self.set_font(FONT, "B" if bold else "", size * self.s)
        height = self.multi_cell(
            0, size * self.s * 0.46, text, align="L", dry_run=True, output="HEIGHT"
        )
        return height + gap * self.s

    def verdict(self, label: str, color: str, lines: Sequence[tuple[str, float]]) -> None:
        """A panel with a coloured edge: the call in its colour, then its reasons."""
        top, left = self.get_y(), self.l_margin
        self.set_left_margin(left + 5)
        self.set_xy(left + 5, top + 2 * self.s)
        # Measured first: the panel is painted before, so under, the text.
        height = 2 * self.s + self.block_height(label, 16, bold=True, gap=0.6)
        height += sum(self.block_height(text, size, gap=0.8) for text, size in lines)
        bottom = top + height + 1.2 * self.s
        self.set_fill_color(*PANEL)
        self.rect(left, top, self.width + 5, bottom - top, style="F")
        self.set_fill_color(*rgb(color))
        self.rect(left, top, 2.2, bottom - top, style="F")
        self.set_xy(left + 5, top + 2 * self.s)
        self.text_block(label, 16, bold=True, color=rgb(color), gap=0.6)
        for text, size in lines:
            self.text_block(text, size, gap=0.8)
        self.set_left_margin(left)
        self.set_y(max(bottom, self.get_y()) + 2 * self.s)

    def figures_row(self, items: Sequence[tuple[str, str]], x: float, w: float) -> None:
        """Key figures as label over big value, side by side within [x, x + w]."""
        top, cell = self.get_y(), w / len(items)
        for i, (label, value) in enumerate(items):
            self.set_xy(x + i * cell, top)
            self.set_font(FONT, "", 7.5 * self.s)
            self.set_text_color(*MUTED)
            self.multi_cell(
                cell - 2, 3.4 * self.s, label, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT
            )
            self.set_font(FONT, "B", 13 * self.s)
            self.set_text_color(*INK)
            self.multi_cell(
                cell - 2, 6 * self.s, value, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT
            )
        self.set_y(max(self.get_y(), top + 14 * self.s))

    def chart(self, chart: charts.Chart, x: float, w: float) -> float:
        """Place a chart at the current height, `w` mm wide; returns its bottom edge."""
        h = w * chart.height / chart.width
        self.image(io.BytesIO(chart.png()), x=x, y=self.get_y(), w=w, h=h)
        return self.get_y() + h

    def numbered(self, items: Sequence[tuple[str, str]]) -> None:
        """1. bold first line, grey detail line below; hanging indent."""
        for i, (title, detail) in enumerate(items, 1):
            top = self.get_y()
            self.set_font(FONT, "B", 9.5 * self.s)
            self.set_text_color(*INK)
            self.cell(6, 4.4 * self.s, f"{i}.")
            self.set_left_margin(self.l_margin + 6)
            self.set_xy(self.l_margin, top)
            self.text_block(title, 9.5, bold=True, gap=0.2)
            self.text_block(detail, 8, color=MUTED, gap=1.6)
            self.set_left_margin(self.l_margin - 6)


def _fit(build: Callable[[float], _Page], pages: int) -> bytes:
    """Build at full size, then smaller, until the document keeps to `pages` pages."""
    for scale in SCALES:
        pdf = build(scale)
        if pdf.page_no() <= pages:
            break
    return bytes(pdf.output())


def _credit(content: Content, today: date) -> str:
    src = content.source
    return (
        f"Framework adapted from “{src.title}” by {src.author} ({src.date}). Questions, labels "
        f"and recommendations are written for this tool. Content version {content.version}; "
        f"generated on {format_day(today)}."
    )


# --- pilot --------------------------------------------------------------------------------


def pilot_brief_pdf(review: PilotReview, content: Content) -> bytes:
    """The one-page brief for a pilot's sponsor: the call and why, readiness, blockers, the
    three most urgent actions with owners, the timeline with today, the cost of delay."""
    bars = charts.readiness_bars(review.result, content, row_height=0.36)
    line = (
        pilot_report.timeline_chart(review, content, width=7.2, through_production=True)
        if review.path is not None
        else None
    )
    return _fit(lambda scale: _pilot_page(review, content, scale, bars, line), PILOT_PAGES)


def _pilot_page(
    review: PilotReview,
    content: Content,
    scale: float,
    bars: charts.Chart,
    line: charts.Chart | None,
) -> _Page:
    """The brief's one page: verdict, readiness beside the figures and blockers, the urgent
    actions, the timeline and the cost of delay."""
    r, pilot = review.result, review.pilot
    pdf = _Page(
        f"PoC Trap Diagnostic · pilot brief · {format_day(review.today)}",
        _credit(content, review.today),
        scale,
    )
    pdf.set_title(f"Pilot brief: {pilot.name}")
    pdf.text_block(pilot.name, 17, bold=True, gap=0.6)
    pdf.text_block(" · ".join(pilot_report.meta_line(review, content)), 8, color=MUTED, gap=2)
    pdf.verdict(
        pilot_report.verdict_title(review, content),
        pilot_report.decision_color(content, r.decision),
        [(r.why, 9.5), (content.verdicts_by_key[r.verdict].summary, 8.5)],
    )
    _readiness_panel(pdf, review, content, scale, bars)
    _urgent_actions(pdf, review)
    _register_actions(pdf, review)
    _timeline_and_delay(pdf, review, scale, line)
    return pdf


def _readiness_panel(
    pdf: _Page, review: PilotReview, content: Content, scale: float, bars: charts.Chart
) -> None:
    """Readiness chart on the left, key figures and blockers on the right."""
    r = review.result
    top = pdf.get_y()
    left_w = pdf.width * 0.54
    pdf.set_font(FONT, "B", 11.5 * scale)
    pdf.set_text_color(*INK)
    pdf.cell(left_w, 5.5 * scale, "Readiness per reason (0–100)")
    pdf.set_xy(pdf.l_margin, top + 6.5 * scale)
    chart_bottom = pdf.chart(bars, pdf.l_margin, left_w * scale + left_w * (1 - scale) * 0.5)
    right_x = pdf.l_margin + left_w + 5
    right_w = pdf.width - left_w - 5
    pdf.set_xy(right_x, top)
    weakest = pilot_report.weakest_title(review, content)
    pdf.figures_row(
        [
            ("Overall readiness", score_text(r.overall)),
            (f"Weakest: {weakest}", score_text(r.weakest_readiness)),
        ],
        right_x,
        right_w,
    )
    pdf.set_x(right_x)
    pdf.figures_row(
        [("Don't know answers", str(r.uncertainty)), ("Blockers", str(len(r.knockouts)))],
        right_x,
        right_w,
    )
    saved = pdf.l_margin
    pdf.set_left_margin(right_x)
    pdf.set_x(right_x)
    pdf.ln(1)
    pdf.text_block("Blockers", 10.5, bold=True, gap=0.5)
    if r.knockouts:
        for key in r.knockouts:
            pdf.text_block(f"• {content.questions_by_id[key].short_label}", 8.5, gap=0.4)
        pdf.text_block("Each one stops production whatever the average.", 7.5, color=MUTED, gap=0.5)
    else:
        pdf.text_block("None: no answer blocks production.", 8.5, gap=0.5)
    pdf.set_left_margin(saved)
    pdf.set_y(max(chart_bottom, pdf.get_y()) + 1)


def _urgent_actions(pdf: _Page, review: PilotReview) -> None:
    """The three most urgent actions, each with its owner, reason and stage."""
    r = review.result
    pdf.heading("The three most urgent actions")
    if not r.top_actions:
        pdf.text_block("No open actions.", 9)
        return
    pdf.numbered(
        [
            (
                a.text,
                f"Owner: {a.owner} · {a.reason_title} · stage {a.stage}"
                + (" · lifts a blocker" if a.knockout else ""),
            )
            for a in r.top_actions
        ]
    )


def _register_actions(pdf: _Page, review: PilotReview) -> None:
    """The pilot's open actions from the register (the first few, overdue first)."""
    if not review.register:
        return
    rows = pilot_report.register_rows(review)
    pdf.heading("Open actions in the register")
    shown = rows[:MAX_BRIEF_REGISTER]
    _table(pdf, pilot_report.REGISTER_HEADINGS, shown, (52, 18, 12, 18))
    more = len(rows) - len(shown)
    pdf.text_block(
        pilot_report.register_caption(review) + pilot_report.register_more(more),
        8,
        color=MUTED,
    )


def _timeline_and_delay(
    pdf: _Page, review: PilotReview, scale: float, line: charts.Chart | None
) -> None:
    """The pilot on the recommended path, sized to the room left, then the cost of delay."""
    pdf.heading("Timeline and cost of delay")
    if review.path is None:
        pdf.text_block(
            "No start date was given, so the pilot cannot be placed on the recommended path.",
            9,
        )
    else:
        pdf.text_block(review.progress.message if review.progress else "", 9, gap=0.8)
        # As wide as the page, or as the room left above the caption and the cost allows.
        room = pdf.page_break_trigger - pdf.get_y() - 19 * scale
        width = min(pdf.width * scale, max(room, 0) * line.width / line.height)
        width = max(width, pdf.width * 0.6)  # narrower reads badly: shrink the page instead
        bottom = pdf.chart(line, pdf.l_margin, width)
        pdf.set_y(bottom + 0.5)
        pdf.text_block(
            "Solid: shortest recommended duration; pale: up to the longest; shaded: the "
            "decision window; dashed line: today.",
            7,
            color=MUTED,
            gap=0.8,
        )
    text = review.delay.message
    if review.delay.cost_so_far:
        money = format_money(review.delay.cost_so_far, pilot_report.pilot_currency(review))
        text = f"Forgone so far: {money}. {text}"
    pdf.text_block(text, 9)


# --- organisation -------------------------------------------------------------------------

MAX_BRIEF_GAPS = 6
MAX_BRIEF_UNITS = 10


def organisation_brief_pdf(report: org.OrganisationReport) -> bytes:
    """Two pages for a steering committee: are we in the trap, where the pilots stand; then
    the gaps the organisation shares with what to change, the units, and the cost; which
    pilots it covers under the title."""
    profile, content = report.profile, report.content
    spread = (
        charts.reason_spread(profile.reasons, content, row_height=0.42)
        if len(profile.pilots)
        else None
    )
    return _fit(
        lambda scale: _organisation_pages(
            profile,
            content,
            report.check,
            report.cost,
            (report.title, report.scope),
            report.today,
            scale,
            spread,
        ),
        ORGANISATION_PAGES,
    )


def _table(pdf: _Page, headings, rows, widths, *, size: float = 8, styles=None) -> None:
    pdf.set_font(FONT, "", size * pdf.s)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(255, 255, 255)  # the verdict panel's colour must not fill the rows
    with pdf.table(
        col_widths=widths,
        width=pdf.width,
        line_height=size * pdf.s * 0.48,
        headings_style=FontFace(emphasis="BOLD", fill_color=(242, 244, 247)),
        borders_layout="HORIZONTAL_LINES",
        text_align="LEFT",
        padding=0.8,
    ) as table:
        head = table.row()
        for h in headings:
            head.cell(h)
        for i, values in enumerate(rows):
            row = table.row()
            for j, value in enumerate(values):
                style = styles(i, j) if styles else None
                row.cell(str(value), style=style)
    pdf.ln(1.5 * pdf.s)


def _organisation_pages(profile, content, check, cost, heading, today, scale, spread) -> _Page:
    """Page 1: are we in the trap, where the pilots stand; page 2: gaps, units, cost.
    `heading` is the title and the scope (None when not given)."""
    title, scope = heading
    pdf = _Page(
        f"PoC Trap Diagnostic · organisation brief · {format_day(today)}",
        _credit(content, today),
        scale,
    )
    pdf.set_title(title)
    _organisation_title(pdf, profile, title, today, scope)
    if check is not None:
        _trap_panel(pdf, check, content)
    _standing_figures(pdf, profile, content)
    if spread is not None:
        _spread_panel(pdf, profile, spread, scale)
    # Page 2: what to do, where, and what it costs.
    pdf.add_page()
    _gaps_table(pdf, profile)
    if len(profile.unit_matrix):
        _units_table(pdf, profile, content)
    if cost is not None:
        _cost_figures(pdf, cost)
    return pdf


def _organisation_title(pdf: _Page, profile, title: str, today: date, scope=None) -> None:
    """The title, then the date, how many pilots and where their answers came from, and
    which pilots are in view."""
    pdf.text_block(title, 17, bold=True, gap=0.6)
    sources = org.sources_text(profile)
    in_view = org.scope_sentence(scope)
    pdf.text_block(
        f"{format_day(today)} · {len(profile.pilots)} pilots assessed"
        + (f" ({sources})" if sources else ""),
        8,
        color=MUTED,
        gap=0.6 if in_view else 2,
    )
    if in_view:
        pdf.text_block(in_view, 8, color=MUTED, gap=2)


def _trap_panel(pdf: _Page, check: TrapCheck, content: Content) -> None:
    """The trap check's verdict panel and its symptoms."""
    pdf.verdict(check.label, org.verdict_color(content, check.verdict), [(check.summary, 9.5)])
    _table(
        pdf,
        ["Symptom of the trap", "Status", "From"],
        [
            (f.text, org.FINDING_STATUS[f.status], org.FINDING_SOURCE[f.source])
            for f in check.findings
        ],
        (70, 15, 15),
        size=8,
    )


def _standing_figures(pdf: _Page, profile, content: Content) -> None:
    """Where the pilots stand: how many, how many per decision, the median readiness."""
    labels = org.decision_labels(content)
    decisions = org.decision_counts(profile)
    pdf.heading("Where the pilots stand")
    pdf.figures_row(
        [
            ("Pilots assessed", str(len(profile.pilots))),
            (labels["proceed"], str(decisions.get("proceed", 0))),
            (labels["fix_first"], str(decisions.get("fix_first", 0))),
            (labels["stop"], str(decisions.get("stop", 0))),
            ("Median readiness", org.number_text(org.median_readiness(profile))),
        ],
        pdf.l_margin,
        pdf.width,
    )


def _spread_panel(pdf: _Page, profile, spread: charts.Chart, scale: float) -> None:
    """The readiness spread per reason, with its key and the reasons holding back most."""
    pdf.heading("Readiness per reason across pilots (0–100)")
    w = pdf.width * 0.62 * scale
    bottom = pdf.chart(spread, pdf.l_margin, w)
    saved = pdf.l_margin
    note_x = pdf.l_margin + w + 5
    pdf.set_left_margin(note_x)
    pdf.set_x(note_x)
    pdf.text_block(
        "Bar: the middle half of the pilots (quartiles). Dot: the median, in its band's "
        "colour. Tick: the least ready pilot.",
        7.5,
        color=MUTED,
        gap=2,
    )
    pdf.text_block("Holds back most pilots", 9, bold=True, gap=0.5)
    for _, row in org.holding_back(profile).iterrows():
        pdf.text_block(f"{row['title']}: {int(row['weakest_count'])} pilots", 8, gap=0.4)
    pdf.set_left_margin(saved)
    pdf.set_y(max(bottom, pdf.get_y()) + 1)


def _gaps_table(pdf: _Page, profile) -> None:
    """The gaps the organisation shares, with what to change and who owns it."""
    pdf.heading("Gaps the organisation shares, and what to change")
    gaps = profile.top_gaps(MAX_BRIEF_GAPS)
    if not len(gaps):
        pdf.text_block("No question is answered No or Don't know by any pilot.", 9)
        return
    _table(
        pdf,
        ["Gap", "Pilots with it", "Frees", "What to change", "Owner"],
        org.gap_rows(gaps),
        (24, 13, 7, 40, 16),
        size=7.8,
    )
    pdf.text_block(
        "“Frees”: pilots for which closing the gap lifts a blocker or improves the call.",
        7,
        color=MUTED,
    )


def _units_table(pdf: _Page, profile, content: Content) -> None:
    """The largest business units by reason, each cell in its band's colour."""
    pdf.heading("Business units × reasons (median readiness)")
    matrix, rows = org.largest_units(profile, content, MAX_BRIEF_UNITS)
    reasons = list(content.reasons)

    def heat(i: int, j: int):
        if j == 0:
            return None
        value = matrix.iloc[i][reasons[j - 1].key]
        if value != value:  # NaN: no answers
            return FontFace(fill_color=(238, 240, 243))
        return FontFace(
            emphasis="BOLD",
            color=(255, 255, 255),
            fill_color=rgb(content.band_for(float(value)).color),
        )

    _table(
        pdf,
        ["Business unit (pilots)"] + [r.short for r in reasons],
        rows,
        (28,) + (12,) * len(reasons),
        size=7.8,
        styles=heat,
    )
    if len(profile.unit_matrix) > MAX_BRIEF_UNITS:
        pdf.text_block(
            f"The {MAX_BRIEF_UNITS} units with the most pilots of "
            f"{len(profile.unit_matrix)}; the workbook holds them all.",
            7,
            color=MUTED,
        )


def _cost_figures(pdf: _Page, cost) -> None:
    """What the trap costs: spent past the decision point, value not delivered, total."""
    currency = org.cost_currency(cost)
    totals = cost.totals
    pdf.heading("What the trap costs")
    pdf.figures_row(
        [
            ("Spent past the decision point", format_money(totals["direct"], currency)),
            ("Value not delivered", format_money(totals["opportunity"], currency)),
            ("Total", format_money(totals["total"], currency)),
        ],
        pdf.l_margin,
        pdf.width,
    )
    pdf.text_block(org.money_sentence(cost), 8, gap=0.6)
    pdf.text_block(cost.assumptions.caption(), 7, color=MUTED)
