"""The recommended path from a pilot's start date, how far along the pilot is, and where it
probably stands.

The path comes from the content file: pilot (6–8 weeks), a decision window (2 weeks),
production preparation (8–12 weeks), then the four rollout phases (2–4, 2–4, 4–8 weeks, then
continuous). Each segment starts where the previous one may end at the latest, so the dates
are the most generous plan the framework allows: a pilot past them is late by any reading
(the same convention as `Timeframes.recommended_path_weeks`, 22 weeks to production).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from diagnostics.formats import DAYS_PER_WEEK
from diagnostics.framework.content import Content, Duration

# How a portfolio's canonical stage maps onto where a pilot stands; None: no suggestion.
STAGE_TO_POSITION: dict[str, str | None] = {
    "idea": "about_to_start",
    "development": "running",
    "pilot": "running",
    "decision": "decision_point",
    "production": "rolling_out",
    "retired": None,
    "unknown": None,
}


@dataclass(frozen=True)
class Segment:
    """One step of the recommended path; `end_max` is None for the open-ended last phase."""

    key: str
    title: str
    group: str  # pilot, decision, production or rollout
    start: date
    end_min: date
    end_max: date | None
    duration_label: str


@dataclass(frozen=True)
class RecommendedPath:
    start: date
    segments: tuple[Segment, ...]

    def segment(self, key: str) -> Segment:
        return next(s for s in self.segments if s.key == key)

    @property
    def pilot(self) -> Segment:
        return self.segment("pilot")

    @property
    def decision_window(self) -> Segment:
        return self.segment("decision")

    @property
    def production(self) -> Segment:
        return self.segment("production")

    @property
    def decision_due(self) -> date:
        """The last day of the decision window."""
        return self.decision_window.end_max or self.decision_window.end_min

    @property
    def production_due(self) -> date:
        return self.production.end_max or self.production.end_min


@dataclass(frozen=True)
class Progress:
    """Where today falls on the path, said in one or two sentences.

    `severity`: 0 on time, 1 at the edge of the recommended window, 2 late. Figures map it
    onto the band palette (low, medium, high risk).
    """

    weeks: float
    segment: str | None
    severity: int
    late: bool
    message: str


@dataclass(frozen=True)
class PositionSuggestion:
    position: str
    reason: str


def weeks_between(start: date, day: date) -> float:
    return (day - start).days / DAYS_PER_WEEK


def format_day(day: date) -> str:
    """A date the way people write it: 3 Mar 2026."""
    return f"{day.day} {day:%b %Y}"


def _after(start: date, weeks: float) -> date:
    return start + timedelta(days=round(weeks * DAYS_PER_WEEK))


def _segment(key: str, title: str, group: str, start: date, duration: Duration) -> Segment:
    return Segment(
        key=key,
        title=title,
        group=group,
        start=start,
        end_min=_after(start, duration.min_weeks),
        end_max=None if duration.max_weeks is None else _after(start, duration.max_weeks),
        duration_label=duration.label,
    )


def recommended_path(start: date, content: Content) -> RecommendedPath:
    """Every segment of the recommended path from `start`, each beginning where the previous
    may end at the latest."""
    tf = content.timeframes
    pieces: list[tuple[str, str, str, Duration]] = [
        ("pilot", "Pilot", "pilot", tf.pilot),
        ("decision", "Decision window", "decision", tf.decision),
        ("production", "Preparation for production", "production", tf.production),
    ]
    for stage in content.stages:
        for phase in stage.rollout_phases:
            pieces.append((phase.key, phase.title, "rollout", phase.duration))
    segments: list[Segment] = []
    cursor = start
    for key, title, group, duration in pieces:
        segment = _segment(key, title, group, cursor, duration)
        segments.append(segment)
        if segment.end_max is None:
            break
        cursor = segment.end_max
    return RecommendedPath(start=start, segments=tuple(segments))


def _weeks_text(weeks: float) -> str:
    whole = int(weeks)
    return "1 week" if whole == 1 else f"{whole} weeks"


def _until_text(days: int) -> str:
    if days == 1:
        return "tomorrow"
    if days < 2 * DAYS_PER_WEEK:
        return f"in {days} days"
    return f"in {_weeks_text(days / DAYS_PER_WEEK)}"


def progress(path: RecommendedPath, today: date, position: str | None = None) -> Progress:
    """How far along the pilot is against the path, judged for where it stands."""
    weeks = weeks_between(path.start, today)
    pilot, window = path.pilot, path.decision_window
    pilot_label = pilot.duration_label
    window_text = f"{format_day(window.start)} to {format_day(path.decision_due)}"
    if weeks < 0:
        return Progress(
            weeks,
            None,
            0,
            False,
            f"Starts on {format_day(path.start)}, {_until_text((path.start - today).days)}. "
            f"Plan the pilot for {pilot_label} and the decision for {window_text}.",
        )
    elapsed = f"{_weeks_text(weeks)} since the start"
    if position in ("preparing_production", "rolling_out"):
        due = path.production_due
        if today > due:
            late_by = _weeks_text(weeks_between(due, today))
            return Progress(
                weeks,
                "production",
                2,
                True,
                f"{elapsed}. On the recommended path production would have been ready by "
                f"{format_day(due)}, {late_by} ago.",
            )
        return Progress(
            weeks,
            "production",
            0,
            False,
            f"{elapsed}. On the recommended path production is ready by {format_day(due)}.",
        )
    if today < pilot.end_min:
        return Progress(
            weeks,
            "pilot",
            0,
            False,
            f"{elapsed}, within the recommended pilot of {pilot_label}. "
            f"Decision window: {window_text}.",
        )
    if today < window.start:
        return Progress(
            weeks,
            "pilot",
            1,
            False,
            f"{elapsed}: the pilot should be wrapping up (recommended {pilot_label}). "
            f"Decision window: {window_text}.",
        )
    if today <= path.decision_due:
        return Progress(
            weeks,
            "decision",
            1,
            False,
            f"{elapsed}: the pilot has had its {pilot_label}; the decision window is open "
            f"until {format_day(path.decision_due)}.",
        )
    overdue = _weeks_text(weeks_between(path.decision_due, today))
    return Progress(
        weeks,
        "decision",
        2,
        True,
        f"{elapsed}: the decision was due by {format_day(path.decision_due)}, {overdue} ago. "
        "A pilot left running past its decision point is how the trap starts: decide now.",
    )


def suggest_position(
    content: Content,
    start: date | None,
    today: date,
    portfolio_stage: str | None = None,
) -> PositionSuggestion | None:
    """Where the pilot probably stands, from its portfolio stage or else its start date."""
    known = content.positions_by_key
    if portfolio_stage:
        position = STAGE_TO_POSITION.get(portfolio_stage)
        if position in known:
            return PositionSuggestion(
                position, f"The portfolio lists this pilot at stage “{portfolio_stage}”."
            )
    if start is None:
        return None
    path = recommended_path(start, content)
    weeks = weeks_between(start, today)
    if today < start:
        position, why = "about_to_start", f"It starts on {format_day(start)}."
    elif today < path.decision_window.start:
        position = "running"
        why = f"It started {_weeks_text(weeks)} ago; a pilot runs {path.pilot.duration_label}."
    else:
        position = "decision_point"
        why = (
            f"It started {_weeks_text(weeks)} ago, past the recommended "
            f"{path.pilot.duration_label} of pilot: a decision is due."
        )
    return PositionSuggestion(position, why) if position in known else None
