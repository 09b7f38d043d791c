"""Everything known about one assessed pilot, gathered in one call.

The results screen and the downloadable reports both render a `PilotReview`, so the report
always shows the same numbers as the screen.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from diagnostics.actions.register import ActionRecord, list_actions
from diagnostics.actions.vocabulary import ACTIVE
from diagnostics.cost.delay import DelayCost, delay_cost
from diagnostics.framework.content import Content
from diagnostics.framework.history import (
    AnswerChange,
    HistoryEntry,
    answer_changes,
    history_entry,
    pilot_history,
)
from diagnostics.framework.scoring import AssessmentResult, score
from diagnostics.framework.timeline import Progress, RecommendedPath, progress, recommended_path
from diagnostics.storage import store


@dataclass(frozen=True)
class PilotReview:
    pilot: store.PilotRecord
    assessment: store.AssessmentRecord
    answers: dict[str, store.AnswerRecord]
    result: AssessmentResult
    today: date
    path: RecommendedPath | None
    progress: Progress | None
    delay: DelayCost
    history: list[HistoryEntry]
    previous: HistoryEntry | None
    changes: list[AnswerChange]
    # the pilot's actions still to do in the register (open, in progress), overdue first
    register: tuple[ActionRecord, ...] = ()

    @property
    def answer_values(self) -> dict[str, str]:
        return {qid: a.value for qid, a in self.answers.items()}


def build_review(
    content: Content,
    *,
    pilot: store.PilotRecord,
    assessment: store.AssessmentRecord,
    answers: dict[str, store.AnswerRecord],
    today: date,
    history: list[HistoryEntry] | None = None,
    previous_answers: dict[str, str] | None = None,
) -> PilotReview:
    """Score the answers for the assessment's position and place the pilot on its path."""
    values = {q: a.value for q, a in answers.items() if q in content.questions_by_id}
    result = score(
        values, content, position=assessment.position, start_date=pilot.start_date, today=today
    )
    path = recommended_path(pilot.start_date, content) if pilot.start_date else None
    history = list(history or [])
    if not any(h.assessment_id == assessment.id for h in history):
        history.append(history_entry(assessment, result, content, len(values)))
    earlier = [h for h in history if h.created_at < assessment.created_at]
    previous = earlier[-1] if earlier else None
    changes = (
        answer_changes(previous_answers, values, content)
        if previous is not None and previous_answers is not None
        else []
    )
    return PilotReview(
        pilot=pilot,
        assessment=assessment,
        answers=answers,
        result=result,
        today=today,
        path=path,
        progress=progress(path, today, assessment.position) if path else None,
        delay=delay_cost(
            content,
            start=pilot.start_date,
            expected_annual_value=pilot.expected_annual_value,
            today=today,
            position=assessment.position,
            currency=pilot.currency,
        ),
        history=history,
        previous=previous,
        changes=changes,
    )


def load_review(
    engine: Engine,
    content: Content,
    *,
    token: str | None = None,
    assessment_id: int | None = None,
    today: date | None = None,
) -> PilotReview:
    """Load an assessment (by resume token or id) with its pilot, history and the pilot's
    open actions in the register, and review it."""
    assessment = store.get_assessment(engine, token=token, assessment_id=assessment_id)
    pilot = store.get_pilot(engine, assessment.pilot_id)
    history = pilot_history(engine, pilot.id, content)
    earlier = [h for h in history if h.created_at < assessment.created_at]
    previous_answers = store.answer_values(engine, earlier[-1].assessment_id) if earlier else None
    today = today or date.today()
    review = build_review(
        content,
        pilot=pilot,
        assessment=assessment,
        answers=store.load_answers(engine, assessment.id),
        today=today,
        history=history,
        previous_answers=previous_answers,
    )
    register = list_actions(engine, pilot_id=pilot.id, statuses=ACTIVE, today=today)
    return dataclasses.replace(review, register=tuple(register))
