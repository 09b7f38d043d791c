"""Result statistics: each question's distribution, its split by role, the majority answer and
the disagreement index, and who took part.

The **disagreement index** of a question is the spread of the group's answer scores (Yes 1,
Partly 0.5, No and Don't know 0, as in the scoring; N/A left out): the population standard
deviation divided by 0.5, its largest possible value, as a percentage. 0 means everyone gave
the same answer; 100 means the group split evenly between Yes and No. Questions are ranked by
it: the top of the list is where the discussion is worth having.

Fewer than MIN_ANSWERS_SHOWN answers never show a distribution, in any view.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from diagnostics.errors import AccessError
from diagnostics.framework.content import Content
from diagnostics.storage import store
from diagnostics.storage.models import (
    Workshop,
    WorkshopParticipant,
    WorkshopRoundVote,
    WorkshopVote,
)
from diagnostics.storage.rows import as_utc
from diagnostics.workshop.access import Facilitator
from diagnostics.workshop.records import (
    ANSWER_ORDER,
    MIN_ANSWERS_SHOWN,
    ROLES,
    QuestionResult,
    WorkshopResults,
    load_state,
)
from diagnostics.workshop.votes import counted

# On a tie the weaker answer wins: a pilot fails on its weakest link.
_TIE_ORDER = ("no", "dont_know", "partly", "yes", "na")
_SCORES = {"yes": 1.0, "partly": 0.5, "no": 0.0, "dont_know": 0.0}


def disagreement_index(answers: Iterable[str]) -> float | None:
    """Normalised spread of the answer scores, 0-100; None below MIN_ANSWERS_SHOWN answers.

    Population standard deviation of the scores (Yes 1, Partly 0.5, No and Don't know 0;
    N/A left out) divided by 0.5, the largest standard deviation values in [0, 1] can have.
    """
    scores = [_SCORES[a] for a in answers if a in _SCORES]
    if len(scores) < MIN_ANSWERS_SHOWN:
        return None
    return 100.0 * statistics.pstdev(scores) / 0.5


def majority_answer(counts: Mapping[str, int]) -> str | None:
    """The most frequent answer; a tie goes to the weaker answer (No before Partly...)."""
    given = {k: v for k, v in counts.items() if v > 0}
    if not given:
        return None
    top = max(given.values())
    return next(a for a in _TIE_ORDER if given.get(a) == top)


def role_split(given: Sequence[tuple[str, str | None]]) -> dict[str, dict[str, int]]:
    """Answer counts per role, only where they cannot expose anybody's answer.

    A role group is shown only with at least MIN_ANSWERS_SHOWN answers, and only when the
    answers outside the groups shown are none or also at least MIN_ANSWERS_SHOWN: with 3
    Business, 1 IT and 1 Data, "Business: 3 Yes" beside "3 Yes, 2 No" overall would tell the
    room that IT and Data both said No. The smallest groups are dropped until that holds.
    """
    groups = {
        role: [value for value, r in given if r == role]
        for role in ROLES
        if sum(1 for _v, r in given if r == role) >= MIN_ANSWERS_SHOWN
    }
    while groups:
        rest = len(given) - sum(len(v) for v in groups.values())
        if rest == 0 or rest >= MIN_ANSWERS_SHOWN:
            break
        smallest = min(groups, key=lambda role: (len(groups[role]), role))
        del groups[smallest]
    return {role: _counts(values) for role, values in groups.items()}


def _counts(values: Iterable[str]) -> dict[str, int]:
    tally = Counter(values)
    return {a: tally.get(a, 0) for a in ANSWER_ORDER}


def _question_result(
    question,
    given: list[tuple[str, str | None]],
    *,
    revealed: bool,
    visible: bool,
    everything: bool,
    round_: int,
) -> QuestionResult:
    """One round of one question under the anonymity rule: counts only when `visible` and with
    enough answers; the majority also for the facilitator (`everything`), who sees it all."""
    values = [value for value, _role in given]
    shown = len(values) >= MIN_ANSWERS_SHOWN and visible
    counts = _counts(values)
    return QuestionResult(
        question_id=question.id,
        label=question.short_label,
        reason=question.reason,
        answers=len(values),
        counts=counts if shown else {},
        shown=shown,
        disagreement=disagreement_index(values) if shown else None,
        majority=majority_answer(counts) if shown or everything else None,
        by_role=role_split(given) if shown else {},
        revealed=revealed,
        round=round_,
    )


def _earlier_rounds(session: Session, row: Workshop) -> dict[str, dict[int, list]]:
    """Question -> round -> (answer, role) of the rounds voted again, oldest first."""
    rows = session.execute(
        select(
            WorkshopRoundVote.question_id,
            WorkshopRoundVote.round,
            WorkshopRoundVote.value,
            WorkshopParticipant.role,
        )
        .join(WorkshopParticipant, WorkshopParticipant.id == WorkshopRoundVote.participant_id)
        .where(WorkshopRoundVote.workshop_id == row.id)
        .order_by(WorkshopRoundVote.round)
    ).all()
    out: dict[str, dict[int, list]] = {}
    for r in rows:
        out.setdefault(r.question_id, {}).setdefault(r.round, []).append((r.value, r.role))
    return out


def compute_results(
    session: Session, row: Workshop, content: Content, only_revealed: bool = False
) -> WorkshopResults:
    state = load_state(session, row, content)
    votes = session.execute(
        select(WorkshopVote.question_id, WorkshopVote.value, WorkshopParticipant.role)
        .join(WorkshopParticipant, WorkshopParticipant.id == WorkshopVote.participant_id)
        .where(WorkshopVote.workshop_id == row.id)
    ).all()
    roles = session.execute(
        select(WorkshopParticipant.role, func.count())
        .where(WorkshopParticipant.workshop_id == row.id, counted())
        .group_by(WorkshopParticipant.role)
    ).all()
    by_question: dict[str, list[tuple[str, str | None]]] = {q: [] for q in state.question_ids}
    for v in votes:
        by_question.setdefault(v.question_id, []).append((v.value, v.role))
    earlier = _earlier_rounds(session, row) if state.rounds else {}
    out = []
    for qid in state.question_ids:
        question = content.questions_by_id.get(qid)
        if question is None:
            continue
        revealed = qid in state.revealed
        current = _question_result(
            question,
            by_question.get(qid, []),
            revealed=revealed,
            visible=revealed or not only_revealed,
            everything=not only_revealed,
            round_=state.round_of(qid),
        )
        # An earlier round was revealed before the group voted again: shown like any other.
        past = tuple(
            _question_result(
                question, given, revealed=True, visible=True, everything=not only_revealed, round_=n
            )
            for n, given in sorted(earlier.get(qid, {}).items())
            if n < current.round
        )
        out.append(replace(current, earlier=past) if past else current)
    participants = sum(n for _r, n in roles)
    by_role_count = {(r or "unstated"): int(n) for r, n in roles}
    return WorkshopResults(int(participants), by_role_count, out)


def workshop_results(
    fac: Facilitator, content: Content, *, only_revealed: bool = False
) -> WorkshopResults:
    """Distributions, split by role and disagreement per question (facilitator only).

    `only_revealed` is what the shared screen shows: nothing of a question until revealed.
    """
    with store.session_scope(fac.engine) as session:
        return compute_results(session, fac.workshop(session), content, only_revealed)


def shared_results(engine: Engine, workshop_id: int, content: Content) -> WorkshopResults:
    """What the shared screen shows, for a participant's phone: revealed questions only."""
    with store.session_scope(engine) as session:
        row = session.get(Workshop, workshop_id)
        if row is None:
            raise AccessError("This workshop no longer exists.")
        return compute_results(session, row, content, only_revealed=True)


def participants_table(session: Session, row: Workshop) -> pd.DataFrame:
    people = session.scalars(
        select(WorkshopParticipant)
        .where(WorkshopParticipant.workshop_id == row.id)
        .order_by(WorkshopParticipant.joined_at, WorkshopParticipant.id)
    ).all()
    records = [
        {
            "participant": p.display_name or f"Anonymous {n}",
            "role": ROLES.get(p.role or "", "Not stated"),
            "joined_at": as_utc(p.joined_at).replace(tzinfo=None),
        }
        for n, p in enumerate(people, 1)
    ]
    return pd.DataFrame(records, columns=["participant", "role", "joined_at"])


def participants_frame(fac: Facilitator) -> pd.DataFrame:
    """Who joined: display name (or "Anonymous n"), role, when."""
    with store.session_scope(fac.engine) as session:
        return participants_table(session, fac.workshop(session))
