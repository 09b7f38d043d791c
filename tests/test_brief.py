"""The PDF briefs, read back with pypdf: one A4 page per pilot (two for the organisation),
whatever the pilot's text, with the call, its reasons, the actions and owners, the timeline,
the cost and the source credit."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_cases import CONTENT, HOSTILE_NAME, make_organisation, make_review

from diagnostics.render.brief import organisation_brief_pdf, pilot_brief_pdf
from diagnostics.render.organisation_report import OrganisationReport
from diagnostics.storage.store import PilotRecord

A4_POINTS = (595.28, 841.89)


def _read(data: bytes) -> pypdf.PdfReader:
    assert data.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(data))


def _text(reader: pypdf.PdfReader, page: int | None = None) -> str:
    """The words of a page (or all pages) with line breaks and runs of spaces made single."""
    pages = reader.pages if page is None else [reader.pages[page]]
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in pages))


def _is_a4(page) -> bool:
    box = page.mediabox
    return (round(float(box.width), 1), round(float(box.height), 1)) == (
        round(A4_POINTS[0], 1),
        round(A4_POINTS[1], 1),
    )


@pytest.fixture(scope="module")
def review():
    return make_review()[0]


@pytest.fixture(scope="module")
def brief(review):
    return _read(pilot_brief_pdf(review, CONTENT))


def test_the_pilot_brief_is_one_a4_page(brief) -> None:
    assert len(brief.pages) == 1
    assert _is_a4(brief.pages[0])


def test_the_brief_gives_the_call_in_our_words_with_its_reasons(brief, review) -> None:
    text = _text(brief)
    assert review.result.decision == "fix_first"
    assert "Fix first" in text
    assert review.result.why in text
    assert HOSTILE_NAME in text  # a PDF shows text as text: nothing to escape, nothing lost
    assert "Overall readiness 92/100" in text  # 92 computed in test_report from the answers


def test_the_brief_lists_the_three_actions_with_owners(brief, review) -> None:
    text = _text(brief)
    assert len(review.result.top_actions) == 3
    for action in review.result.top_actions:
        assert action.text in text
        assert f"Owner: {action.owner}" in text
    assert "Blockers • Success measured in numbers" in text


def test_the_brief_places_the_pilot_on_its_timeline_and_prices_the_delay(brief) -> None:
    text = _text(brief)
    # Started 5 Jan 2026; on 9 Mar the decision window (2-16 Mar) is open; production is due
    # 22 weeks after the start, on 8 Jun; 520,000 a year is 43k a month.
    assert "the decision window is open until 16 Mar 2026" in text
    assert "production is due by 8 Jun 2026" in text
    assert "43k of expected value" in text
    assert len(brief.pages[0].images) == 2  # the readiness chart and the timeline


def test_the_brief_credits_the_source(brief) -> None:
    src = CONTENT.source
    assert f"“{src.title}” by {src.author} ({src.date})" in _text(brief)


def test_a_late_pilot_shows_what_it_has_forgone() -> None:
    review, _ = make_review(today=date(2026, 9, 7))  # 13 weeks past 8 Jun
    text = _text(_read(pilot_brief_pdf(review, CONTENT)))
    # 520,000 × 13 / 52 = 130,000, shown as 130k.
    assert round(review.delay.cost_so_far) == 130_000
    assert "Forgone so far: 130k" in text


def test_a_pilot_without_dates_says_so_in_its_brief() -> None:
    review, _ = make_review(pilot=PilotRecord(id=2, name="No dates"))
    reader = _read(pilot_brief_pdf(review, CONTENT))
    assert len(reader.pages) == 1
    assert "No start date was given" in _text(reader)
    assert len(reader.pages[0].images) == 1


def test_the_worst_case_still_fits_one_page() -> None:
    """Every answer No: a Stop with every blocker listed, the longest texts, a long name."""
    values = dict.fromkeys(CONTENT.questions_by_id, "no")
    pilot = PilotRecord(
        id=3,
        name="Ş" + "A very long pilot name that goes on and on " * 6,
        business_unit="Customer service and operations excellence " * 3,
        owner="Ms Ayşe Çetin-Øresund, Head of Everything " * 2,
        start_date=date(2024, 1, 8),
        expected_annual_value=12_345_678,
        pilot_budget=950_000,
    )
    review, _ = make_review(pilot=pilot, values=values)
    assert review.result.decision == "stop"
    assert len(review.result.knockouts) >= 5
    reader = _read(pilot_brief_pdf(review, CONTENT))
    assert len(reader.pages) == 1
    text = _text(reader)
    assert "Stop" in text
    for key in review.result.knockouts:
        assert CONTENT.questions_by_id[key].short_label in text


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(min_size=1, max_size=200).filter(lambda s: s.strip()),
    answers=st.lists(
        st.sampled_from(["yes", "partly", "no", "dont_know"]),
        min_size=len(CONTENT.questions),
        max_size=len(CONTENT.questions),
    ),
)
def test_any_name_and_answers_give_one_page(name, answers) -> None:
    values = dict(zip(CONTENT.questions_by_id, answers, strict=True))
    pilot = PilotRecord(id=4, name=name, start_date=date(2025, 6, 2))
    review, _ = make_review(pilot=pilot, values=values)
    assert len(_read(pilot_brief_pdf(review, CONTENT)).pages) == 1


# --- organisation ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def organisation():
    return make_organisation()


def test_the_organisation_brief_is_two_a4_pages(organisation) -> None:
    profile, check = organisation
    reader = _read(
        organisation_brief_pdf(
            OrganisationReport(profile, CONTENT, check=check, today=date(2026, 11, 25))
        )
    )
    assert len(reader.pages) == 2
    assert all(_is_a4(p) for p in reader.pages)
    first, second = _text(reader, 0), _text(reader, 1)
    assert "In the PoC trap" in first
    assert check.summary in first
    assert "34 pilots assessed" in first
    decisions = dict(zip(profile.decisions["decision"], profile.decisions["pilots"], strict=True))
    assert f"Fix first {decisions.get('fix_first', 0)}" in first
    top = profile.top_gaps(1).iloc[0]
    assert top["label"] in second
    assert top["systemic_action"] in second
    assert "Koray Çetintaş" in second


def test_many_units_still_give_two_pages() -> None:
    units = tuple(f"Business unit number {i} with a long name" for i in range(40))
    profile, check = make_organisation(pilots=200, units=units)
    reader = _read(organisation_brief_pdf(OrganisationReport(profile, CONTENT, check=check)))
    assert len(reader.pages) == 2
    assert "The 10 units with the most pilots of 40" in _text(reader, 1)


def _lines_top_down(reader: pypdf.PdfReader) -> list[str]:
    """The page's text pieces from the top of the page down (PDF heights grow upwards)."""
    pieces: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            pieces.append((cm[5] + tm[5] * cm[3], text.strip()))

    reader.pages[0].extract_text(visitor_text=visit)
    return [t for _, t in sorted(pieces, key=lambda p: -p[0])]


@pytest.mark.parametrize("worst", [False, True])
def test_the_verdict_is_drawn_once_above_the_readiness(worst) -> None:
    """Regression: the verdict panel was measured on a throw-away copy of the page, so with a
    long title the panel shrank to a line and the next section was drawn over the verdict."""
    if worst:
        pilot = PilotRecord(id=5, name="A very long pilot name that goes on " * 8)
        values = dict.fromkeys(CONTENT.questions_by_id, "no")
        review, _ = make_review(pilot=pilot, values=values)
    else:
        review, _ = make_review()
    reader = _read(pilot_brief_pdf(review, CONTENT))
    lines = _lines_top_down(reader)
    label = next(i for i, t in enumerate(lines) if t in ("Stop", "Fix first"))
    heading = lines.index("Readiness per reason (0–100)")
    assert label < heading
    assert _text(reader).count(review.result.why[:40]) == 1
