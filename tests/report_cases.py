"""Pilots and organisations for the report tests: hostile text, hand-checkable answers."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pandas as pd

from diagnostics.framework.content import load_content
from diagnostics.framework.history import HistoryEntry
from diagnostics.framework.review import build_review
from diagnostics.organisation.answers import PilotAnswers
from diagnostics.organisation.profile import organisation_profile
from diagnostics.organisation.trap_check import trap_check
from diagnostics.storage.store import AnswerRecord, AssessmentRecord, PilotRecord

CONTENT = load_content()
TODAY = date(2026, 3, 9)
ORG_TODAY = date(2026, 11, 25)
HOSTILE_NAME = '<script>alert("pilot")</script> =cmd|"/c calc"!A1'
HOSTILE_UNIT = "<img src=x onerror=alert(1)>"
HOSTILE_COMMENT = '</td></tr></table><script>steal()</script>\n=HYPERLINK("http://x","y")'
FORMULA_OWNER = "@SUM(1+1)*cmd|' /C calc'!A0"


def make_review(
    history: list[HistoryEntry] | None = None,
    *,
    pilot: PilotRecord | None = None,
    values: dict[str, str] | None = None,
    comment: str = HOSTILE_COMMENT,
    position: str = "decision_point",
    today: date = TODAY,
):
    """The decision-point review used throughout: Fix first, one blocker, one Don't know."""
    pilot = pilot or PilotRecord(
        id=1,
        name=HOSTILE_NAME,
        business_unit=HOSTILE_UNIT,
        owner=FORMULA_OWNER,
        start_date=date(2026, 1, 5),
        expected_annual_value=520_000,
        pilot_budget=80_000,
    )
    assessment = AssessmentRecord.unsaved(
        position, CONTENT.version, answered_at=datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    )
    values = values or dict.fromkeys(CONTENT.questions_by_id, "yes") | {
        "bp_success_criteria": "no",
        "dr_real_data": "partly",
        "gv_common_stack": "na",
        "cm_trust": "dont_know",
    }
    answers = {
        q: AnswerRecord(q, v, comment if q == "dr_real_data" else None) for q, v in values.items()
    }
    return build_review(
        CONTENT,
        pilot=pilot,
        assessment=assessment,
        answers=answers,
        today=today,
        history=history,
    ), values


UNITS = ("Finance", "Customer service", "HR", "Logistics & supply chain", "Legal")


def make_organisation(pilots: int = 34, units: tuple[str, ...] = UNITS, seed: int = 3):
    """A profile of `pilots` imported pilots with mixed answers, and a trap check of four
    recent pilots on four technologies, none live (so: in the trap)."""
    rng = random.Random(seed)
    choices = ["yes", "yes", "partly", "no", "dont_know"]
    profile = organisation_profile(
        [
            PilotAnswers(
                str(i),
                f"Pilot {i}",
                units[i % len(units)],
                "import",
                "decision_point",
                {q.id: rng.choice(choices) for q in CONTENT.questions},
            )
            for i in range(pilots)
        ],
        CONTENT,
    )
    frame = pd.DataFrame(
        {
            "pilot_id": pd.array(["1", "2", "3", "4"], dtype="string"),
            "name": pd.array(["A", "B", "C", "D"], dtype="string"),
            "business_unit": pd.array(["Finance"] * 4, dtype="string"),
            "technology": pd.array(["X", "Y", "Z", "W"], dtype="string"),
            "stage": pd.Categorical(["pilot"] * 4),
            "start_date": pd.to_datetime(["2026-05-01"] * 4),
            "live_users": [float("nan")] * 4,
        }
    )
    check = trap_check(CONTENT, frame, {"team_demotivated": "yes"}, today=ORG_TODAY)
    return profile, check
