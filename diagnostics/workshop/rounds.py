"""Voting again after discussion: a second round on a question whose results were revealed.

Opening the next round keeps every vote of the round before as it was (in
`workshop_round_votes`), clears the question's live votes, hides its results again and opens
it for voting; the clock, if a countdown is set and the question is open, starts again. The
shared screen, the console and the report then show the rounds side by side, and the agreed
answer defaults to the latest round's majority (the live votes are always the latest round).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import delete, insert, literal, select
from sqlalchemy.orm import Session

from diagnostics.errors import AnswerError
from diagnostics.framework.content import Content
from diagnostics.storage.models import Workshop, WorkshopQuestion, WorkshopRoundVote, WorkshopVote
from diagnostics.workshop.access import Facilitator
from diagnostics.workshop.pacing import change
from diagnostics.workshop.records import QuestionResult, WorkshopState, in_focus, restart_clock

# Disagreement moving by less than this many points reads as "about the same".
SAME_AGREEMENT_POINTS = 10


def open_next_round(
    fac: Facilitator,
    content: Content,
    question_ids: Iterable[str],
    *,
    now: datetime | None = None,
) -> WorkshopState:
    """Let the group vote again on revealed questions; the earlier round's votes are kept."""
    wanted = list(dict.fromkeys(question_ids))

    def apply(session: Session, row: Workshop) -> None:
        if row.ended_at is not None:
            raise AnswerError("The workshop has ended: no new round can open.")
        rows = {
            q.question_id: q
            for q in session.scalars(
                select(WorkshopQuestion).where(WorkshopQuestion.workshop_id == row.id)
            )
        }
        unknown = [q for q in wanted if q not in rows]
        if unknown:
            raise AnswerError(f"Not part of this workshop: {', '.join(sorted(unknown))}.")
        hidden = [q for q in wanted if not rows[q].revealed]
        if hidden:
            labels = ", ".join(content.questions_by_id[q].short_label for q in hidden)
            raise AnswerError(f"Reveal the results first, so the group can discuss them: {labels}.")
        for qid in wanted:
            question = rows[qid]
            _keep_votes(session, row.id, qid, question.round or 1)
            question.round = (question.round or 1) + 1
            question.revealed = False
            question.locked = False
        if set(wanted) & set(in_focus(row, list(rows), content)):
            restart_clock(row, now)

    return change(fac, content, apply, "workshop_new_round", now, questions=len(wanted))


def _keep_votes(session: Session, workshop_id: int, question_id: str, round_: int) -> None:
    """Copy the round's votes aside, then clear them for the next round (one statement each)."""
    live = select(
        WorkshopVote.workshop_id,
        WorkshopVote.participant_id,
        WorkshopVote.question_id,
        literal(round_),
        WorkshopVote.value,
        WorkshopVote.updated_at,
    ).where(WorkshopVote.workshop_id == workshop_id, WorkshopVote.question_id == question_id)
    session.execute(
        insert(WorkshopRoundVote).from_select(
            ["workshop_id", "participant_id", "question_id", "round", "value", "updated_at"],
            live,
        )
    )
    session.execute(
        delete(WorkshopVote).where(
            WorkshopVote.workshop_id == workshop_id, WorkshopVote.question_id == question_id
        )
    )


def agreement_change(
    before: QuestionResult, after: QuestionResult, labels: Mapping[str, str]
) -> str:
    """How agreement moved between two rounds of one question, in words."""
    if before.disagreement is None or after.disagreement is None:
        return "Too few answers in one of the rounds to compare them (each needs at least three)."
    first, second = round(before.disagreement), round(after.disagreement)
    if second <= first - SAME_AGREEMENT_POINTS:
        words = f"Agreement grew after the discussion: disagreement fell from {first} to {second}."
    elif second >= first + SAME_AGREEMENT_POINTS:
        words = f"Agreement fell after the discussion: disagreement rose from {first} to {second}."
    else:
        words = f"Agreement stayed about the same: disagreement {first}, then {second}."
    was, is_ = labels.get(before.majority or ""), labels.get(after.majority or "")
    if was and is_ and was != is_:
        words += f" The most common answer moved from {was} to {is_}."
    elif is_:
        words += f" The most common answer stayed {is_}."
    return words
