"""Slide decks (pptx) for a pilot and for the organisation, made with python-pptx.

Every slide title and text is a real, editable PowerPoint text (titles in the title
placeholder, so the outline view and screen readers find them); tables are native tables;
charts are the reports' own pictures (`render.charts`, PNG), the same as in the PDF brief.
Opens in PowerPoint, Keynote, Google Slides and LibreOffice Impress. 16:9, one message a slide.
"""

from __future__ import annotations

import io
from datetime import date

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.util import Emu, Inches, Pt

from diagnostics.formats import format_money
from diagnostics.framework.content import Content
from diagnostics.framework.review import PilotReview
from diagnostics.framework.timeline import format_day
from diagnostics.organisation.profile import OrganisationProfile
from diagnostics.organisation.trap_check import TrapCheck
from diagnostics.render import charts, pilot_report
from diagnostics.render import organisation_report as org
from diagnostics.render.pilot_report import score_text

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
INK = RGBColor(0x1D, 0x24, 0x33)
MUTED = RGBColor(0x5B, 0x64, 0x75)
TITLE_ONLY = 5  # layout of python-pptx's default template: a title placeholder only
MAX_DECK_GAPS = 5
MAX_TITLE_CHARS = 110  # two lines at 26 pt on a 16:9 slide
MAX_DECK_UNITS = 8
TIMELINE_TEXT = 13  # points: the timeline's labels on a slide
MAX_DECK_REGISTER = 8  # register actions on the pilot deck's slide; the rest are counted
BODY_W = WIDTH - 2 * MARGIN
TOP = Inches(1.45)


def _rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper())


class _Deck:
    def __init__(self, credit: str) -> None:
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = WIDTH, HEIGHT
        self.credit = credit

    def slide(self, title: str, *, big: bool = False):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[TITLE_ONLY])
        shape = slide.shapes.title
        shape.left, shape.width = MARGIN, WIDTH - 2 * MARGIN
        shape.top, shape.height = (Inches(2.2), Inches(1.6)) if big else (Inches(0.35), Inches(0.9))
        if big and len(title) > MAX_TITLE_CHARS:  # a name that long would run off the slide
            title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
        shape.text = title
        frame = shape.text_frame
        frame.word_wrap = True
        size = 28
        if big:
            size = 40 if len(title) <= 40 else 32 if len(title) <= 70 else 26
        for paragraph in frame.paragraphs:
            paragraph.alignment = 1  # left
            for run in paragraph.runs:
                run.font.size = Pt(size)
                run.font.bold = True
                run.font.color.rgb = INK
        self.text(
            slide,
            [(self.credit, 9, False, MUTED)],
            MARGIN,
            HEIGHT - Inches(0.55),
            WIDTH - 2 * MARGIN,
            Inches(0.4),
        )
        return slide

    def text(self, slide, paragraphs, left, top, width, height):
        """A text box of (text, size pt, bold, colour) paragraphs, wrapping inside the box."""
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        for i, (text, size, bold, color) in enumerate(paragraphs):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.space_after = Pt(size * 0.45)
            run = paragraph.add_run()
            run.text = text
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = color
        return box

    def note(self, slide, text: str, size: float) -> None:
        """One line of text at the top of the slide body."""
        self.text(slide, [(text, size, False, INK)], MARGIN, TOP, BODY_W, Inches(1))

    def picture(self, slide, chart: charts.Chart, left, top, *, width=None, height=None):
        """A chart as a picture, as large as fits `width` × `height` at its own proportions."""
        ratio = chart.width / chart.height
        w, h = width, height
        if w is not None and h is not None:
            if w / h > ratio:
                w = Emu(int(h * ratio))
            else:
                h = Emu(int(w / ratio))
        slide.shapes.add_picture(io.BytesIO(chart.png()), left, top, width=w, height=h)

    def table(self, slide, headings, rows, widths, left, top, *, size=12, fills=None):
        """A native, editable table; `fills(i, j)` may colour a body cell (white bold text)."""
        shape = slide.shapes.add_table(
            len(rows) + 1, len(headings), left, top, sum(widths, Emu(0)), Inches(0.4)
        )
        table = shape.table
        for j, width in enumerate(widths):
            table.columns[j].width = width
        for j, heading in enumerate(headings):
            self._cell(table.cell(0, j), heading, size, bold=True)
        for i, row in enumerate(rows, 1):
            for j, value in enumerate(row):
                fill = fills(i - 1, j) if fills else None
                self._cell(table.cell(i, j), str(value), size, fill=fill)
        return shape

    @staticmethod
    def _cell(cell, text: str, size: float, *, bold: bool = False, fill: str | None = None):
        cell.text = text
        for paragraph in cell.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(size)
                run.font.bold = bold or fill is not None
                run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF) if fill else INK
        cell.fill.solid()
        if fill:
            cell.fill.fore_color.rgb = _rgb(fill)
        else:
            cell.fill.fore_color.rgb = (
                RGBColor(0xF2, 0xF4, 0xF7) if bold else RGBColor(0xFF, 0xFF, 0xFF)
            )

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.prs.save(buffer)
        return buffer.getvalue()


def _credit(content: Content, today: date) -> str:
    src = content.source
    return (
        f"PoC Trap Diagnostic, {format_day(today)}. Framework adapted from “{src.title}” by "
        f"{src.author} ({src.date}); questions and actions written for this tool."
    )


# --- pilot --------------------------------------------------------------------------------


def pilot_deck_pptx(review: PilotReview, content: Content) -> bytes:
    """Title, verdict, readiness, blockers and actions, the register's open actions (when
    there are any), timeline, cost of delay."""
    deck = _Deck(_credit(content, review.today))
    slide = deck.slide(review.pilot.name, big=True)
    deck.text(
        slide,
        [
            ("AI pilot assessment", 20, False, MUTED),
            (" · ".join(pilot_report.meta_line(review, content)), 16, False, MUTED),
        ],
        MARGIN,
        Inches(4.0),
        BODY_W,
        Inches(1.6),
    )
    _verdict_slide(deck, review, content)
    _readiness_slide(deck, review, content)
    _actions_slide(deck, review, content)
    if review.register:
        _register_slide(deck, review)
    _timeline_slide(deck, review, content)
    _delay_slide(deck, review, content)
    return deck.bytes()


def _verdict_slide(deck: _Deck, review: PilotReview, content: Content) -> None:
    """The verdict in its colour, why, what it means, and the key figures."""
    r = review.result
    slide = deck.slide("The verdict")
    weakest = pilot_report.weakest_title(review, content)
    deck.text(
        slide,
        [
            (
                pilot_report.verdict_title(review, content),
                40,
                True,
                _rgb(pilot_report.decision_color(content, r.decision)),
            ),
            (r.why, 20, False, INK),
            (content.verdicts_by_key[r.verdict].summary, 16, False, MUTED),
            (
                f"Overall readiness {score_text(r.overall)} · weakest: {weakest} "
                f"{score_text(r.weakest_readiness)} · don't know answers: {r.uncertainty} · "
                f"blockers: {len(r.knockouts)}",
                16,
                False,
                INK,
            ),
        ],
        MARGIN,
        TOP,
        BODY_W,
        Inches(5.0),
    )


def _readiness_slide(deck: _Deck, review: PilotReview, content: Content) -> None:
    """The readiness chart, and each reason's score and band, weakest first."""
    r = review.result
    slide = deck.slide("Readiness per reason")
    deck.picture(
        slide,
        charts.readiness_bars(r, content),
        MARGIN,
        TOP,
        width=Inches(6.8),
        height=HEIGHT - TOP - Inches(0.7),
    )
    notes = [("0 = not ready, 100 = ready; weakest first.", 14, False, MUTED)]
    for s in sorted(r.reasons, key=lambda s: (s.readiness is None, s.readiness or 0)):
        notes.append(
            (
                f"{s.title}: {score_text(s.readiness)} ({s.band_label or 'not scored'})",
                15,
                False,
                INK,
            )
        )
    deck.text(slide, notes, Inches(7.8), TOP, Inches(4.9), Inches(5))


def _actions_slide(deck: _Deck, review: PilotReview, content: Content) -> None:
    """The blockers on the left, the three most urgent actions on the right."""
    r = review.result
    slide = deck.slide("Blockers and the three most urgent actions")
    blockers = [("Blockers", 20, True, INK)]
    if r.knockouts:
        blockers += [
            (f"• {content.questions_by_id[k].short_label}", 16, False, INK) for k in r.knockouts
        ]
        blockers.append(("Each stops production whatever the average.", 13, False, MUTED))
    else:
        blockers.append(("None: no answer blocks production.", 16, False, INK))
    deck.text(slide, blockers, MARGIN, TOP, Inches(4.2), Inches(5.2))
    actions = [("Most urgent actions", 20, True, INK)]
    for i, a in enumerate(r.top_actions, 1):
        actions.append((f"{i}. {a.text}", 15, True, INK))
        actions.append((f"Owner: {a.owner} · {a.reason_title} · stage {a.stage}", 12, False, MUTED))
    if not r.top_actions:
        actions.append(("No open actions.", 16, False, INK))
    deck.text(slide, actions, Inches(5.1), TOP, WIDTH - Inches(5.1) - MARGIN, Inches(5.4))


def _register_slide(deck: _Deck, review: PilotReview) -> None:
    """The pilot's open actions from the register: owner, due date, status, overdue first."""
    slide = deck.slide("Open actions in the register")
    rows = pilot_report.register_rows(review)
    shown = rows[:MAX_DECK_REGISTER]
    more = len(rows) - len(shown)
    deck.text(
        slide,
        [
            (
                pilot_report.register_caption(review) + pilot_report.register_more(more),
                16,
                False,
                MUTED,
            )
        ],
        MARGIN,
        TOP,
        BODY_W,
        Inches(0.6),
    )
    widths = [Inches(5.4), Inches(2.6), Inches(1.7), Inches(2.43)]
    deck.table(
        slide, pilot_report.REGISTER_HEADINGS, shown, widths, MARGIN, TOP + Inches(0.8), size=14
    )


def _timeline_slide(deck: _Deck, review: PilotReview, content: Content) -> None:
    """Where the pilot stands on the recommended path, or how to place it there."""
    slide = deck.slide("Timeline against the recommended path")
    if review.path is None:
        deck.note(slide, "Add the pilot's start date to place it on the recommended path.", 20)
        return
    deck.text(
        slide,
        [(review.progress.message if review.progress else "", 16, False, INK)],
        MARGIN,
        TOP,
        BODY_W,
        Inches(0.8),
    )
    # Drawn at the slide's own size, so its text reads at 13 pt from the back of the room.
    width, height = Emu(BODY_W), Emu(HEIGHT - TOP - Inches(1.6))
    chart = pilot_report.timeline_chart(
        review, content, width=width.inches, height=height.inches, text_size=TIMELINE_TEXT
    )
    deck.picture(slide, chart, MARGIN, TOP + Inches(0.9), width=width, height=height)


def _delay_slide(deck: _Deck, review: PilotReview, content: Content) -> None:
    """The value forgone so far, what delay costs, and the pilot's value and budget."""
    pilot, currency = review.pilot, pilot_report.pilot_currency(review)
    color = _rgb(pilot_report.decision_color(content, review.result.decision))
    slide = deck.slide("Cost of delay")
    so_far = review.delay.cost_so_far
    lines = [
        (
            format_money(so_far, currency) if so_far else "Nothing forgone yet",
            40,
            True,
            color if so_far else INK,
        ),
        ("expected value forgone so far" if so_far else "", 16, False, MUTED),
        (review.delay.message, 18, False, INK),
    ]
    if pilot.expected_annual_value:
        lines.append(
            (
                f"Expected annual value: {format_money(pilot.expected_annual_value, currency)}"
                + (
                    f" · pilot budget: {format_money(pilot.pilot_budget, currency)}"
                    if pilot.pilot_budget
                    else ""
                ),
                14,
                False,
                MUTED,
            )
        )
    deck.text(slide, [line for line in lines if line[0]], MARGIN, TOP, BODY_W, Inches(5))


# --- organisation -------------------------------------------------------------------------


def organisation_deck_pptx(report: org.OrganisationReport) -> bytes:
    """Title (with the pilots in view), are we in the trap, where the pilots stand, shared
    gaps, units, cost."""
    profile, content, check, cost = report.profile, report.content, report.check, report.cost
    today = report.today
    deck = _Deck(_credit(content, today))
    slide = deck.slide(report.title, big=True)
    in_view = org.scope_sentence(report.scope)
    deck.text(
        slide,
        [(f"{format_day(today)} · {len(profile.pilots)} pilots assessed", 20, False, MUTED)]
        + ([(in_view, 14, False, MUTED)] if in_view else []),
        MARGIN,
        Inches(4.0),
        BODY_W,
        Inches(2),
    )
    if check is not None:
        _trap_slide(deck, check, content)
    _standing_slide(deck, profile, content)
    _gaps_slide(deck, profile)
    if len(profile.unit_matrix):
        _units_slide(deck, profile, content)
    if cost is not None:
        _cost_slide(deck, cost)
    return deck.bytes()


def _trap_slide(deck: _Deck, check: TrapCheck, content: Content) -> None:
    """Are we in the PoC trap: the verdict, its summary and each symptom's status."""
    slide = deck.slide("Are we in the PoC trap?")
    lines = [
        (check.label, 32, True, _rgb(org.verdict_color(content, check.verdict))),
        (check.summary, 14, False, INK),
    ]
    lines += [(f"{org.FINDING_STATUS[f.status]}: {f.text}", 13, False, INK) for f in check.findings]
    deck.text(slide, lines, MARGIN, TOP, BODY_W, Inches(5.3))


def _standing_slide(deck: _Deck, profile: OrganisationProfile, content: Content) -> None:
    """Where the pilots stand: counts per decision, the median, what holds them back, the spread."""
    slide = deck.slide("Where the pilots stand")
    pilots = profile.pilots
    labels = org.decision_labels(content)
    decisions = org.decision_counts(profile)
    figures = [
        (f"{len(pilots)} pilots assessed", 20, True, INK),
        *[
            (f"{labels[key]}: {decisions.get(key, 0)}", 18, True, _rgb(d.color))
            for key, d in content.decisions_by_key.items()
        ],
        (
            f"Median overall readiness: {org.number_text(org.median_readiness(profile))}",
            16,
            False,
            INK,
        ),
    ]
    figures.append(("Holds back most pilots", 16, True, INK))
    figures += [
        (f"{row['title']}: {int(row['weakest_count'])}", 14, False, INK)
        for _, row in org.holding_back(profile).iterrows()
    ]
    deck.text(slide, figures, MARGIN, TOP, Inches(4.4), Inches(5.3))
    if len(pilots):
        deck.picture(
            slide,
            charts.reason_spread(profile.reasons, content),
            Inches(5.3),
            TOP,
            width=WIDTH - Inches(5.3) - MARGIN,
            height=HEIGHT - TOP - Inches(0.7),
        )


def _gaps_slide(deck: _Deck, profile: OrganisationProfile) -> None:
    """The gaps the organisation shares, with what to change and who owns it."""
    gaps = profile.top_gaps(MAX_DECK_GAPS)
    slide = deck.slide("Gaps the organisation shares, and what to change")
    if not len(gaps):
        deck.note(slide, "No question is answered No or Don't know by any pilot.", 18)
        return
    deck.table(
        slide,
        ["Gap", "Pilots with it", "Frees", "What to change", "Owner"],
        org.gap_rows(gaps),
        [Inches(2.7), Inches(1.6), Inches(0.8), Inches(4.9), Inches(2.1)],
        MARGIN,
        TOP,
        size=13,
    )


def _units_slide(deck: _Deck, profile: OrganisationProfile, content: Content) -> None:
    """The largest business units by reason, each cell in its band's colour."""
    slide = deck.slide("Business units × reasons (median readiness)")
    matrix, rows = org.largest_units(profile, content, MAX_DECK_UNITS)
    reasons = list(content.reasons)

    def fill(i: int, j: int) -> str | None:
        if j == 0:
            return None
        value = matrix.iloc[i][reasons[j - 1].key]
        return None if value != value else content.band_for(float(value)).color

    deck.table(
        slide,
        ["Business unit (pilots)"] + [r.short for r in reasons],
        rows,
        [Inches(3.4)] + [Inches(1.45)] * len(reasons),
        MARGIN,
        TOP,
        size=14,
        fills=fill,
    )


def _cost_slide(deck: _Deck, cost) -> None:
    """What the trap costs: the total, then spent past the decision point and value lost."""
    currency = org.cost_currency(cost)
    totals = cost.totals
    slide = deck.slide("What the trap costs")
    deck.text(
        slide,
        [
            (format_money(totals["total"], currency), 40, True, INK),
            ("in total, where the portfolio gives budgets and values", 16, False, MUTED),
            (
                f"{org.COST_LABELS['direct']}: {format_money(totals['direct'], currency)}",
                18,
                False,
                INK,
            ),
            (
                f"{org.COST_LABELS['opportunity']}: "
                + format_money(totals["opportunity"], currency),
                18,
                False,
                INK,
            ),
            (org.money_sentence(cost), 14, False, INK),
            (cost.assumptions.caption(), 12, False, MUTED),
        ],
        MARGIN,
        TOP,
        BODY_W,
        Inches(5),
    )
