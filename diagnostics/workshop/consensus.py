"""Consensus: the answers the group agrees, with actions and owners for the weak ones.

The agreed answers are an assessment of the pilot like any other (source "workshop"), so they
get the same scoring, results, history and reports; `agreed_answers` reads them back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from diagnostics.errors import AnswerError
from diagnostics.framework.content import Content
from diagnostics.framework.scoring import AssessmentResult, score, validate_answers
from diagnostics.logging_setup import log_event
from diagnostics.storage import store
from diagnostics.storage.models import (
    ActionItem,
    Answer,
    Assessment,
    Workshop,
    WorkshopQuestion,
    utcnow,
)
from diagnostics.workshop import changes
from diagnostics.workshop.access import Facilitator
from diagnostics.workshop.records import AgreedAction, Consensus, WorkshopResults, clean_text


def consensus_defaults(results: WorkshopResults) -> dict[str, str]:
    """The group's majority answer per question, to pre-fill the agreed answers."""
    return {q.question_id: q.majority for q in results.questions if q.majority is not None}


def save_consensus(
    fac: Facilitator,
    content: Content,
    answers: Mapping[str, str],
    actions: Sequence[AgreedAction] | None = None,
) -> int:
    """Record agreed answers (and, when given, replace the agreed actions); one transaction.

    Returns the id of the workshop's assessment (created with the first agreed answer).
    """
    clean = validate_answers(dict(answers), content)
    with store.session_scope(fac.engine) as session:
        row = fac.workshop(session, for_update=True)
        in_workshop = _questions_in(session, row, clean)
        now = utcnow()
        assessment = _workshop_assessment(session, row, now)
        if clean:
            store.upsert_answers(session, assessment.id, clean, now)
        if actions is not None:
            _replace_actions(session, assessment.id, actions, now)
        assessment.updated_at = now
        if in_workshop <= set(clean) | set(agreed_answers(session, row)):
            assessment.completed_at = assessment.completed_at or now
        row.updated_at = now
        workshop_id, assessment_id = row.id, assessment.id
    changes.forget(fac.engine, workshop_id)
    log_event(
        "workshop_consensus",
        workshop_id=workshop_id,
        assessment_id=assessment_id,
        answers=len(clean),
        actions=None if actions is None else len(actions),
    )
    return assessment_id


def _questions_in(session: Session, row: Workshop, answers: Mapping[str, str]) -> set[str]:
    """The workshop's question ids; an answer to any other question is refused."""
    in_workshop = set(
        session.scalars(
            select(WorkshopQuestion.question_id).where(WorkshopQuestion.workshop_id == row.id)
        )
    )
    outside = sorted(set(answers) - in_workshop)
    if outside:
        raise AnswerError(f"Not part of this workshop: {', '.join(outside)}.")
    return in_workshop


def _workshop_assessment(session: Session, row: Workshop, now: datetime) -> Assessment:
    """The assessment holding the workshop's agreed answers, created on the first save."""
    if row.assessment_id is not None:
        return session.get(Assessment, row.assessment_id)
    assessment = store.add_assessment(
        session,
        row.pilot_id,
        row.content_version,
        position=row.position,
        source="workshop",
        now=now,
    )
    row.assessment_id = assessment.id
    return assessment


def _replace_actions(
    session: Session, assessment_id: int, actions: Sequence[AgreedAction], now: datetime
) -> None:
    """The agreed actions become exactly `actions` (those without text are left out)."""
    session.execute(delete(ActionItem).where(ActionItem.assessment_id == assessment_id))
    for action in actions:
        text = clean_text(action.text, 4000)
        if not text:
            continue
        session.add(
            ActionItem(
                assessment_id=assessment_id,
                question_id=action.question_id,
                text=text,
                owner=clean_text(action.owner, 300),
                due_date=action.due_date,
                created_at=now,
            )
        )


def agreed_answers(session: Session, row: Workshop) -> dict[str, str]:
    """The workshop's agreed answers, question id -> answer key ({} before any is agreed)."""
    if row.assessment_id is None:
        return {}
    rows = session.execute(
        select(Answer.question_id, Answer.value).where(Answer.assessment_id == row.assessment_id)
    ).all()
    return {r.question_id: r.value for r in rows}


def read_consensus(session: Session, row: Workshop) -> Consensus:
    actions = []
    if row.assessment_id is not None:
        items = session.scalars(
            select(ActionItem)
            .where(ActionItem.assessment_id == row.assessment_id)
            .order_by(ActionItem.id)
        ).all()
        actions = [AgreedAction(a.question_id, a.text, a.owner, a.due_date) for a in items]
    return Consensus(row.assessment_id, agreed_answers(session, row), actions)


def consensus(fac: Facilitator) -> Consensus:
    """The agreed answers and actions recorded so far."""
    with store.session_scope(fac.engine) as session:
        return read_consensus(session, fac.workshop(session))


def score_consensus(agreed: Consensus, content: Content, position: str) -> AssessmentResult | None:
    """The agreed answers scored exactly like a self-assessment; None before any is agreed."""
    if not agreed.answers:
        return None
    return score(agreed.answers, content, position=position)


def consensus_result(fac: Facilitator, content: Content) -> AssessmentResult | None:
    """The agreed answers scored exactly like a self-assessment; None before any is agreed."""
    with store.session_scope(fac.engine) as session:
        row = fac.workshop(session)
        agreed, position = read_consensus(session, row), row.position
    return score_consensus(agreed, content, position)
