"""What changed between two assessments of a pilot, and the readiness trend."""

from __future__ import annotations

from datetime import UTC, datetime

from diagnostics.framework.content import load_content
from diagnostics.framework.history import HistoryEntry, answer_changes, readiness_deltas

CONTENT = load_content()


def entry(readiness: dict[str, float | None]) -> HistoryEntry:
    return HistoryEntry(
        assessment_id=1,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        position="running",
        position_label="Running",
        verdict="at_risk",
        verdict_label="At risk",
        decision="fix_first",
        overall=None,
        weakest=None,
        readiness=readiness,
        answered=0,
        completed=False,
    )


def test_answer_changes_in_content_order_with_direction() -> None:
    before = {"dr_real_data": "no", "bp_problem_statement": "yes", "gv_common_stack": "partly"}
    after = {
        "bp_problem_statement": "partly",
        "dr_real_data": "yes",
        "gv_common_stack": "na",
        "cm_trust": "dont_know",
    }
    changes = answer_changes(before, after, CONTENT)
    assert [(c.question_id, c.before, c.after, c.direction) for c in changes] == [
        ("bp_problem_statement", "yes", "partly", "worse"),
        ("dr_real_data", "no", "yes", "better"),
        ("gv_common_stack", "partly", "na", "other"),
        ("cm_trust", None, "dont_know", "other"),
    ]
    assert changes[1].reason_title == "Data readiness"
    assert answer_changes(after, after, CONTENT) == []


def test_dont_know_to_no_counts_as_better_knowledge() -> None:
    # Knowing that something is missing beats not knowing: the order is yes > partly > no > ?
    (change,) = answer_changes({"cm_trust": "dont_know"}, {"cm_trust": "no"}, CONTENT)
    assert change.direction == "better"


def test_readiness_deltas_per_reason() -> None:
    previous = entry({"business_problem": 40.0, "data_readiness": None, "governance": 80.0})
    current = entry({"business_problem": 65.5, "data_readiness": 50.0, "governance": 70.0})
    assert readiness_deltas(previous, current) == {
        "business_problem": 25.5,
        "data_readiness": None,
        "governance": -10.0,
    }
