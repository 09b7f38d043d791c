"""The slide decks, read back with python-pptx: the slides in order, their titles and text
editable (real text, not pictures), charts as pictures, the numbers the engine's."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches
from report_cases import CONTENT, HOSTILE_NAME, make_organisation, make_review

from diagnostics.render.deck import organisation_deck_pptx, pilot_deck_pptx
from diagnostics.render.organisation_report import OrganisationReport
from diagnostics.storage.store import PilotRecord


def _slides(data: bytes):
    deck = Presentation(io.BytesIO(data))
    assert deck.slide_width == Inches(13.333)
    assert deck.slide_height == Inches(7.5)
    return list(deck.slides)


def _text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def _pictures(slide) -> int:
    return sum(1 for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)


@pytest.fixture(scope="module")
def review():
    return make_review()[0]


@pytest.fixture(scope="module")
def slides(review):
    return _slides(pilot_deck_pptx(review, CONTENT))


def test_the_pilot_deck_has_its_six_slides_in_order(slides) -> None:
    assert [s.shapes.title.text for s in slides] == [
        HOSTILE_NAME,
        "The verdict",
        "Readiness per reason",
        "Blockers and the three most urgent actions",
        "Timeline against the recommended path",
        "Cost of delay",
    ]


def test_the_verdict_slide_says_the_call_and_why(slides, review) -> None:
    text = _text(slides[1])
    assert "\nFix first\n" in text
    assert review.result.why in text
    assert "Overall readiness 92/100" in text
    assert "blockers: 1" in text


def test_readiness_is_a_chart_with_its_numbers_beside_it(slides, review) -> None:
    assert _pictures(slides[2]) == 1
    text = _text(slides[2])
    for reason in review.result.reasons:
        assert f"{reason.title}: {reason.readiness:.0f}/100 ({reason.band_label})" in text


def test_blockers_and_actions_are_editable_text_with_owners(slides, review) -> None:
    text = _text(slides[3])
    assert "• Success measured in numbers" in text
    for i, action in enumerate(review.result.top_actions, 1):
        assert f"{i}. {action.text}" in text
        assert f"Owner: {action.owner}" in text
    assert _pictures(slides[3]) == 0


def test_timeline_and_cost_slides(slides) -> None:
    assert _pictures(slides[4]) == 1
    assert "the decision window is open until 16 Mar 2026" in _text(slides[4])
    cost = _text(slides[5])
    assert "Nothing forgone yet" in cost  # 9 Mar is before production is due (8 Jun)
    assert "Expected annual value: 520k · pilot budget: 80k" in cost


def test_every_slide_credits_the_source(slides) -> None:
    for slide in slides:
        assert f"“{CONTENT.source.title}” by {CONTENT.source.author}" in _text(slide)


def test_a_pilot_without_dates_gets_a_deck_without_a_timeline_chart() -> None:
    review, _ = make_review(pilot=PilotRecord(id=2, name="No dates"))
    slides = _slides(pilot_deck_pptx(review, CONTENT))
    assert _pictures(slides[4]) == 0
    assert "Add the pilot's start date" in _text(slides[4])


def test_the_organisation_deck() -> None:
    profile, check = make_organisation()
    slides = _slides(
        organisation_deck_pptx(
            OrganisationReport(profile, CONTENT, check=check, today=date(2026, 11, 25))
        )
    )
    titles = [s.shapes.title.text for s in slides]
    assert titles == [
        "Our AI pilots: the organisation's view",
        "Are we in the PoC trap?",
        "Where the pilots stand",
        "Gaps the organisation shares, and what to change",
        "Business units × reasons (median readiness)",
    ]
    assert "In the PoC trap" in _text(slides[1])
    assert "34 pilots assessed" in _text(slides[2])
    assert _pictures(slides[2]) == 1
    gaps = next(s for s in slides[3].shapes if s.has_table).table
    top = profile.top_gaps(5)
    assert len(gaps.rows) == 1 + len(top)
    assert gaps.cell(1, 0).text == top.iloc[0]["label"]
    assert gaps.cell(1, 3).text == top.iloc[0]["systemic_action"]
    units = next(s for s in slides[4].shapes if s.has_table).table
    assert len(units.rows) == 1 + 5  # five units, seven pilots or fewer each


def test_a_very_long_name_is_shortened_on_the_title_slide_only() -> None:
    name = "A very long pilot name that goes on " * 8
    review, _ = make_review(pilot=PilotRecord(id=6, name=name))
    slides = _slides(pilot_deck_pptx(review, CONTENT))
    title = slides[0].shapes.title.text
    assert len(title) == 110
    assert title.endswith("…")
    assert name.startswith(title[:-1])
