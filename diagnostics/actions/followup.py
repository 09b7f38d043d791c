"""Following actions up: adopting recommendations, carrying them into a re-assessment, and
the views per business unit and owner.

The question a manager asks after a month: I did what was agreed, did it work? So the
re-assessment lists the actions completed since the previous assessment beside the readiness
of the reason each addresses, before and after, and flags an action marked done whose
question is still answered No, Partly or Don't know.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine

from diagnostics.actions import register
from diagnostics.actions.register import ActionRecord
from diagnostics.framework.content import Content
from diagnostics.framework.review import PilotReview
from diagnostics.framework.scoring import ActionItem
from diagnostics.storage.rows import as_utc

STILL_WEAK = ("no", "partly", "dont_know")


# Adopting ----------------------------------------------------------------------------------


def adoption_ref(assessment_id: int, question_id: str) -> str:
    return f"assessment:{assessment_id}:{question_id}"


def adopt_recommendation(engine: Engine, review: PilotReview, item: ActionItem) -> ActionRecord:
    """One of a result's actions into the register, for the pilot, owned by the role the
    framework names, due in the default number of days."""
    source = "workshop" if review.assessment.source == "workshop" else "assessment"
    return register.add_action(
        engine,
        title=item.text,
        pilot_id=review.pilot.id,
        question_id=item.question_id,
        reason=item.reason,
        owner=item.owner,
        due_date=register.default_due(review.today),
        source=source,
        source_ref=adoption_ref(review.assessment.id, item.question_id),
        assessment_id=review.assessment.id,
        today=review.today,
    )


def adopt_workshop_actions(
    engine: Engine,
    *,
    pilot_id: int,
    assessment_id: int,
    agreed: Sequence,
    content: Content,
    today: date,
) -> tuple[list[ActionRecord], list[str]]:
    """A workshop's agreed actions (question, text, owner, due) into the register.

    Returns the register's actions (new or already there) and, for each agreed action that
    could not be taken over, why (an owner the register cannot read, a due date passed).
    """
    taken, problems = [], []
    for action in agreed:
        question = content.questions_by_id.get(action.question_id or "")
        due = action.due_date
        if due is not None and due < today:
            due = None  # agreed in the past: kept, but without a date that starts it overdue
        try:
            taken.append(
                register.add_action(
                    engine,
                    title=action.text,
                    pilot_id=pilot_id,
                    question_id=action.question_id,
                    reason=question.reason if question else None,
                    owner=action.owner,
                    due_date=due,
                    source="workshop",
                    source_ref=f"workshop:{assessment_id}:{action.question_id or action.text}"[
                        :120
                    ],
                    assessment_id=assessment_id,
                    today=today,
                )
            )
        except register.ActionError as exc:
            label = question.short_label if question else action.text[:60]
            problems.append(f"{label}: {exc}")
    return taken, problems


def adopt_systemic_gap(
    engine: Engine, *, question_id: str, reason: str, text: str, owner: str, today: date
) -> ActionRecord:
    """A gap most pilots share becomes one action of the whole organisation."""
    return register.add_action(
        engine,
        title=text,
        question_id=question_id,
        reason=reason,
        owner=owner,
        due_date=register.default_due(today),
        source="organisation",
        source_ref=f"organisation:{question_id}",
        today=today,
    )


# Carried into the re-assessment ------------------------------------------------------------


@dataclass(frozen=True)
class CompletedAction:
    action: ActionRecord
    reason_title: str | None
    question_label: str | None
    before: float | None  # the reason's readiness at the previous assessment
    after: float | None  # and now
    answer_before: str | None
    answer_now: str | None
    flagged: bool  # done, yet its question is still No, Partly or Don't know

    @property
    def moved(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class CarryOver:
    since: date | None  # the day of the previous assessment; None on a first one
    completed: list[CompletedAction]
    still_open: list[ActionRecord]

    @property
    def flagged(self) -> list[CompletedAction]:
        return [c for c in self.completed if c.flagged]


def carry_over(
    actions: Iterable[ActionRecord],
    review: PilotReview,
    content: Content,
    previous_answers: dict[str, str] | None = None,
) -> CarryOver:
    """Which of the pilot's actions were done since the previous assessment, and what moved.

    "Since" runs from the previous assessment's creation; an action done before it was
    already counted there. Readiness before and after come from the two assessments, each
    scored for its own position, so a reason not scored at one of them shows no change.
    """
    actions = [a for a in actions if a.pilot_id == review.pilot.id]
    previous = review.previous
    still_open = [a for a in actions if a.active]
    if previous is None:
        return CarryOver(None, [], still_open)
    answers_now = review.answer_values
    done = [
        a
        for a in actions
        if a.status == "done"
        and a.completed_at is not None
        and a.completed_at > as_utc(previous.created_at)
    ]
    completed = []
    for action in sorted(done, key=lambda a: (a.completed_at, a.id)):
        question = content.questions_by_id.get(action.question_id or "")
        reason_key = action.reason or (question.reason if question else None)
        reason = content.reasons_by_key.get(reason_key or "")
        answer_now = answers_now.get(question.id) if question else None
        completed.append(
            CompletedAction(
                action=action,
                reason_title=reason.title if reason else None,
                question_label=question.short_label if question else None,
                before=previous.readiness.get(reason_key) if reason_key else None,
                after=review.result.readiness.get(reason_key) if reason_key else None,
                answer_before=(previous_answers or {}).get(question.id) if question else None,
                answer_now=answer_now,
                flagged=question is not None and answer_now in STILL_WEAK,
            )
        )
    return CarryOver(previous.created_at.date(), completed, still_open)


def carry_over_for(engine: Engine, review: PilotReview, content: Content) -> CarryOver:
    """`carry_over` with the pilot's actions and the previous answers read from the database."""
    from diagnostics.storage import store

    previous = (
        store.answer_values(engine, review.previous.assessment_id) if review.previous else None
    )
    actions = register.list_actions(engine, pilot_id=review.pilot.id, today=review.today)
    return carry_over(actions, review, content, previous)


# Follow-up tables ------------------------------------------------------------------------


def _grouped(actions: Sequence[ActionRecord], today: date, key, label: str) -> pd.DataFrame:
    rows: dict[str, dict[str, int]] = {}
    for a in actions:
        row = rows.setdefault(key(a), {"open": 0, "overdue": 0, "done": 0})
        row["open"] += a.active
        row["overdue"] += a.overdue(today)
        row["done"] += a.status == "done"
    frame = pd.DataFrame(
        [{label: k, **v} for k, v in rows.items()], columns=[label, "open", "overdue", "done"]
    )
    frame = frame.sort_values(["overdue", "open", label], ascending=[False, False, True])
    return frame.reset_index(drop=True)


def by_unit(actions: Sequence[ActionRecord], today: date) -> pd.DataFrame:
    """Open (still to do), overdue and done actions per business unit, most overdue first."""
    return _grouped(actions, today, lambda a: a.unit, "business_unit")


def by_owner(actions: Sequence[ActionRecord], today: date) -> pd.DataFrame:
    """The same per owner."""
    return _grouped(actions, today, lambda a: a.owner_or_none, "owner")


def oldest_overdue(actions: Sequence[ActionRecord], today: date, n: int = 5) -> list[ActionRecord]:
    overdue = [a for a in actions if a.overdue(today)]
    return sorted(overdue, key=lambda a: (a.due_date, a.id))[:n]


def over_time(actions: Sequence[ActionRecord], today: date) -> pd.DataFrame:
    """Per day from the first action to today: how many were still to do and how many done.

    Read from each action's history of statuses, so a reopened action counts as open again
    from the day it was reopened.
    """
    actions = [a for a in actions if a.history]
    if not actions:
        return pd.DataFrame(columns=["day", "open", "done"])
    first = min(a.history[0].changed_at.date() for a in actions)
    days = pd.date_range(first, max(today, first), freq="D")
    index = {d.date(): i for i, d in enumerate(days)}
    open_delta = [0] * (len(days) + 1)
    done_delta = [0] * (len(days) + 1)
    for action in actions:
        end_of_day: dict[date, str] = {}
        for change in action.history:  # the last change of a day is its status that evening
            end_of_day[change.changed_at.date()] = change.to_status
        before = None
        for day, status in sorted(end_of_day.items()):
            if day not in index:
                continue
            i = index[day]
            open_delta[i] += (status in register.ACTIVE) - (before in register.ACTIVE)
            done_delta[i] += (status == "done") - (before == "done")
            before = status
    rows, still, done = [], 0, 0
    for i, day in enumerate(days):
        still, done = still + open_delta[i], done + done_delta[i]
        rows.append({"day": day.date(), "open": still, "done": done})
    return pd.DataFrame(rows)
