"""The recommended path from a start date, progress against it, and the suggested position.

Dates below were worked out by hand on a calendar from a start on Monday 5 January 2026:
pilot 6–8 weeks (16 Feb – 2 Mar), decision window 2 weeks (2 – 16 Mar), production 8–12
weeks (11 May – 8 Jun), then rollout 2–4, 2–4 and 4–8 weeks, then ongoing.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diagnostics.framework.content import load_content
from diagnostics.framework.timeline import (
    format_day,
    progress,
    recommended_path,
    suggest_position,
    weeks_between,
)

START = date(2026, 1, 5)


@pytest.fixture(scope="module")
def content():
    return load_content()


@pytest.fixture(scope="module")
def path(content):
    return recommended_path(START, content)


def test_path_dates_match_the_hand_computed_calendar(path) -> None:
    expected = {
        "pilot": (date(2026, 1, 5), date(2026, 2, 16), date(2026, 3, 2)),
        "decision": (date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 16)),
        "production": (date(2026, 3, 16), date(2026, 5, 11), date(2026, 6, 8)),
        "small_live_group": (date(2026, 6, 8), date(2026, 6, 22), date(2026, 7, 6)),
        "wider_group": (date(2026, 7, 6), date(2026, 7, 20), date(2026, 8, 3)),
        "full_rollout_parallel": (date(2026, 8, 3), date(2026, 8, 31), date(2026, 9, 28)),
        "retire_and_optimise": (date(2026, 9, 28), date(2026, 9, 28), None),
    }
    got = {s.key: (s.start, s.end_min, s.end_max) for s in path.segments}
    assert got == expected
    assert [s.group for s in path.segments] == ["pilot", "decision", "production"] + ["rollout"] * 4


def test_decision_due_and_production_due_follow_the_22_week_path(path, content) -> None:
    assert path.decision_due == date(2026, 3, 16)  # 8 + 2 weeks
    assert path.production_due == START + timedelta(weeks=22)
    assert weeks_between(START, path.production_due) == content.timeframes.recommended_path_weeks


@pytest.mark.parametrize(
    ("today", "segment", "severity", "late", "phrase"),
    [
        (date(2026, 1, 1), None, 0, False, "in 4 days"),
        (date(2026, 1, 4), None, 0, False, "tomorrow"),
        (date(2026, 2, 9), "pilot", 0, False, "5 weeks since the start"),
        (date(2026, 2, 16), "pilot", 1, False, "wrapping up"),
        (date(2026, 3, 2), "decision", 1, False, "open until 16 Mar 2026"),
        (date(2026, 3, 16), "decision", 1, False, "open until 16 Mar 2026"),
        (date(2026, 3, 30), "decision", 2, True, "2 weeks ago"),
    ],
)
def test_progress_while_in_pilot(path, today, segment, severity, late, phrase) -> None:
    result = progress(path, today, "running")
    assert (result.segment, result.severity, result.late) == (segment, severity, late)
    assert phrase in result.message


def test_progress_in_production_is_judged_against_the_production_date(path) -> None:
    on_time = progress(path, date(2026, 6, 1), "preparing_production")
    assert not on_time.late
    assert "8 Jun 2026" in on_time.message
    late = progress(path, date(2026, 7, 6), "rolling_out")
    assert late.late
    assert late.severity == 2
    assert "4 weeks ago" in late.message


def test_starting_soon_names_the_decision_window(path) -> None:
    message = progress(path, date(2025, 12, 1), "about_to_start").message
    assert "in 5 weeks" in message
    assert "2 Mar 2026 to 16 Mar 2026" in message


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 2), "about_to_start"),
        (date(2026, 1, 5), "running"),
        (date(2026, 3, 1), "running"),
        (date(2026, 3, 2), "decision_point"),
        (date(2026, 9, 1), "decision_point"),
    ],
)
def test_position_is_suggested_from_the_start_date(content, today, expected) -> None:
    suggestion = suggest_position(content, START, today)
    assert suggestion is not None
    assert suggestion.position == expected
    assert suggestion.reason


def test_portfolio_stage_wins_over_the_start_date(content) -> None:
    suggestion = suggest_position(content, START, date(2026, 9, 1), portfolio_stage="production")
    assert suggestion.position == "rolling_out"
    assert "production" in suggestion.reason


def test_no_start_date_and_no_stage_gives_no_suggestion(content) -> None:
    assert suggest_position(content, None, date(2026, 1, 1)) is None
    assert suggest_position(content, None, date(2026, 1, 1), portfolio_stage="retired") is None


def test_format_day_has_no_leading_zero() -> None:
    assert format_day(date(2026, 3, 2)) == "2 Mar 2026"


@given(
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
    offset=st.integers(min_value=-400, max_value=2000),
)
def test_segments_are_contiguous_and_progress_never_goes_back(start, offset) -> None:
    content = load_content()
    path = recommended_path(start, content)
    for before, after in zip(path.segments, path.segments[1:], strict=False):
        assert after.start == before.end_max
        assert before.end_min <= before.end_max
    today = start + timedelta(days=offset)
    now = progress(path, today, "running")
    later = progress(path, today + timedelta(days=7), "running")
    assert later.severity >= now.severity
    assert now.late == (today > path.decision_due)
