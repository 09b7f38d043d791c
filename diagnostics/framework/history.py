"""A pilot's assessments over time: each one scored for the position it was made at, the trend
per reason, and what changed between two of them.

Re-assessing the same pilot at each phase is how a manager sees whether the fixes worked;
each entry keeps its own position, so an early "ready to start" and a later "proceed" read
as the steps they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from diagnostics.framework.content import Content
from diagnostics.framework.scoring import AssessmentResult, score
from diagnostics.storage import store

_ORDER = {"yes": 3, "partly": 2, "no": 1, "dont_know": 0}


@dataclass(frozen=True)
class HistoryEntry:
    assessment_id: int
    created_at: datetime
    position: str
    position_label: str
    verdict: str
    verdict_label: str
    decision: str
    overall: float | None
    weakest: str | None
    readiness: dict[str, float | None]
    answered: int
    completed: bool


@dataclass(frozen=True)
class AnswerChange:
    question_id: str
    label: str
    reason_title: str
    before: str | None
    after: str | None
    direction: str  # better, worse or other (N/A or unanswered on either side)


def history_entry(
    record: store.AssessmentRecord, result: AssessmentResult, content: Content, answered: int
) -> HistoryEntry:
    position = content.positions_by_key.get(record.position)
    return HistoryEntry(
        assessment_id=record.id,
        created_at=record.created_at,
        position=record.position,
        position_label=position.label if position else record.position,
        verdict=result.verdict,
        verdict_label=result.verdict_label,
        decision=result.decision,
        overall=result.overall,
        weakest=result.weakest,
        readiness=dict(result.readiness),
        answered=answered,
        completed=record.completed_at is not None,
    )


def pilot_history(engine: Engine, pilot_id: int, content: Content) -> list[HistoryEntry]:
    """Every assessment of the pilot, oldest first, scored with today's content."""
    entries = []
    for record in store.pilot_assessments(engine, pilot_id):
        answers = _known(store.answer_values(engine, record.id), content)
        position = record.position if record.position in content.positions_by_key else None
        result = score(answers, content, position=position or "decision_point")
        entries.append(history_entry(record, result, content, len(answers)))
    return entries


def _known(answers: Mapping[str, str], content: Content) -> dict[str, str]:
    """Answers to questions the content still has (a tailored file may drop some)."""
    return {q: a for q, a in answers.items() if q in content.questions_by_id}


def answer_changes(
    before: Mapping[str, str], after: Mapping[str, str], content: Content
) -> list[AnswerChange]:
    """Questions whose answer differs between two assessments, in the content's order."""
    changes = []
    for q in content.questions:
        old, new = before.get(q.id), after.get(q.id)
        if old == new:
            continue
        if old in _ORDER and new in _ORDER:
            direction = "better" if _ORDER[new] > _ORDER[old] else "worse"
        else:
            direction = "other"
        changes.append(
            AnswerChange(
                question_id=q.id,
                label=q.short_label,
                reason_title=content.reasons_by_key[q.reason].title,
                before=old,
                after=new,
                direction=direction,
            )
        )
    return changes


def readiness_deltas(previous: HistoryEntry, current: HistoryEntry) -> dict[str, float | None]:
    """Change in readiness per reason since the previous assessment (None if not comparable)."""
    out: dict[str, float | None] = {}
    for key, now in current.readiness.items():
        then = previous.readiness.get(key)
        out[key] = None if now is None or then is None else now - then
    return out
