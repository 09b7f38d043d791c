"""Every pilot's answers gathered in one shape, wherever they were given: self-assessments and
workshop consensus saved in the database, imported answer sheets, and the readiness a portfolio
sheet carries itself; saving an answer sheet as assessments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, func, select

from diagnostics.framework.content import ANSWER_KEYS, Content
from diagnostics.organisation.answer_sheet import AnswerSheet, infer_position
from diagnostics.portfolio.names import normalise_name
from diagnostics.storage import store
from diagnostics.storage.models import Answer, Assessment, Pilot, utcnow

IMPORT_SOURCE = "import"
SOURCE_LABELS = {
    "self": "Self-assessment",
    "workshop": "Workshop consensus",
    "import": "Imported sheet",
    "portfolio": "Portfolio sheet",
}


@dataclass(frozen=True)
class PilotAnswers:
    """The answers that currently stand for one pilot, wherever they came from."""

    key: str
    name: str
    business_unit: str | None
    source: str
    position: str
    answers: dict[str, str]
    assessment_id: int | None = None
    updated_at: datetime | None = None
    pilot_id: int | None = None  # the saved pilot, when the answers come from the database
    ref: str | None = None  # the pilot's id in a portfolio or answer sheet, if it has one
    row: int | None = None  # its row (0-based) in the portfolio frame it was read from


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive times; they were written in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def collect_answers(
    engine: Engine, content: Content, *, demo: bool | None = False
) -> list[PilotAnswers]:
    """The latest answered assessment of every pilot in the database (any source).

    Workshop consensus is saved as an assessment with source "workshop", imported sheets with
    source "import", so one query covers all three; only the newest per pilot counts (by its
    last answer saved), which is why importing the same sheet twice never counts a pilot
    twice. `demo`: False leaves the demo pilots out (the default), True keeps only them,
    None takes every pilot.
    """
    last_answer = (
        select(Answer.assessment_id, func.max(Answer.updated_at).label("answered_at"))
        .group_by(Answer.assessment_id)
        .subquery()
    )
    query = (
        select(Assessment, Pilot, last_answer.c.answered_at)
        .join(Pilot, Pilot.id == Assessment.pilot_id)
        .join(last_answer, last_answer.c.assessment_id == Assessment.id)
    )
    if demo is not None:
        query = query.where(Pilot.is_demo.is_(demo))
    with store.session_scope(engine) as session:
        rows = session.execute(query).all()
        latest: dict[int, tuple[Assessment, Pilot]] = {}
        when: dict[int, datetime] = {}
        for assessment, pilot, answered_at in rows:
            moment = max(
                m for m in (_aware(assessment.updated_at), _aware(answered_at)) if m is not None
            )
            held = latest.get(pilot.id)
            if held is None or (moment, assessment.id) > (when[held[0].id], held[0].id):
                latest[pilot.id] = (assessment, pilot)
            when[assessment.id] = moment
        ids = [a.id for a, _ in latest.values()]
        answers: dict[int, dict[str, str]] = {i: {} for i in ids}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            for assessment_id, qid, value in session.execute(
                select(Answer.assessment_id, Answer.question_id, Answer.value).where(
                    Answer.assessment_id.in_(chunk)
                )
            ):
                if qid in content.questions_by_id:
                    answers[assessment_id][qid] = value
        out = [
            PilotAnswers(
                key=f"pilot-{pilot.id}",
                name=pilot.name,
                business_unit=pilot.business_unit,
                source=assessment.source,
                position=assessment.position
                if assessment.position in content.positions_by_key
                else "decision_point",
                answers=answers[assessment.id],
                assessment_id=assessment.id,
                updated_at=when[assessment.id],
                pilot_id=pilot.id,
                ref=pilot.portfolio_ref,
            )
            for assessment, pilot in latest.values()
        ]
    return sorted(out, key=lambda p: (p.name.lower(), p.key))


def answers_fingerprint(engine: Engine) -> str:
    """Changes whenever an answer is saved: the cache key for the aggregated view."""
    with store.session_scope(engine) as session:
        count, latest = session.execute(
            select(func.count(Answer.id), func.max(Answer.updated_at))
        ).one()
        assessments = session.scalar(select(func.count(Assessment.id)))
    return f"{count}:{assessments}:{latest}"


def sheet_pilots(sheet: AnswerSheet) -> list[PilotAnswers]:
    """An answer sheet's rows as pilots, without saving them (the command line's view)."""
    return [
        PilotAnswers(
            key=p.pilot_id or f"row-{p.row}",
            name=p.name,
            business_unit=p.business_unit,
            source=IMPORT_SOURCE,
            position=p.position,
            answers=dict(p.answers),
            ref=p.pilot_id,
        )
        for p in sheet.pilots
    ]


def portfolio_answer_pilots(frame: pd.DataFrame, content: Content) -> list[PilotAnswers]:
    """Pilots of a canonical portfolio frame that carry `answer_<question id>` columns."""
    prefix = "answer_"
    columns = {
        c: c[len(prefix) :]
        for c in frame.columns
        if c.startswith(prefix) and c[len(prefix) :] in content.questions_by_id
    }
    if not columns:
        return []
    out = []
    names = frame["name"].astype("string").fillna(frame["pilot_id"].astype("string"))
    units = frame["business_unit"].astype("string")
    ids = frame["pilot_id"].astype("string")
    records = frame[list(columns)].astype(object).where(frame[list(columns)].notna(), None)
    for i, row in enumerate(records.itertuples(index=False, name=None)):
        answers = {columns[c]: v for c, v in zip(columns, row, strict=True) if v in ANSWER_KEYS}
        if not answers:
            continue
        out.append(
            PilotAnswers(
                key=f"portfolio-{ids.iloc[i]}",
                name=str(names.iloc[i]) if pd.notna(names.iloc[i]) else f"Row {i + 1}",
                business_unit=None if pd.isna(units.iloc[i]) else str(units.iloc[i]),
                source="portfolio",
                position=infer_position(answers, content),
                answers=answers,
                ref=None if pd.isna(ids.iloc[i]) else str(ids.iloc[i]),
                row=i,
            )
        )
    return out


@dataclass(frozen=True)
class ImportSummary:
    pilots_created: int
    pilots_updated: int
    assessments: int
    answers: int


def save_answer_sheet(engine: Engine, sheet: AnswerSheet, content: Content) -> ImportSummary:
    """Save every row as an assessment with source "import", all rows or none.

    A row finds its saved pilot (never a demo one) by its reference (the pilot_id column,
    kept as the pilot's portfolio reference), else by its normalised name and unit where
    both have one (a pilot with another reference is not taken by name); otherwise a new
    pilot is created.
    """
    now = utcnow()
    created = updated = n_answers = 0
    with store.session_scope(engine) as session:
        pilots = session.scalars(select(Pilot).where(Pilot.is_demo.is_(False))).all()
        by_ref = {p.portfolio_ref.strip().casefold(): p for p in pilots if p.portfolio_ref}
        by_name: dict[str, list[Pilot]] = {}
        for p in pilots:
            by_name.setdefault(normalise_name(p.name), []).append(p)

        def named(row) -> Pilot | None:
            unit = normalise_name(row.business_unit)
            ref = (row.pilot_id or "").strip().casefold()
            fits = [
                p
                for p in by_name.get(normalise_name(row.name), [])
                if (not unit or not p.business_unit or normalise_name(p.business_unit) == unit)
                and (not ref or not p.portfolio_ref or p.portfolio_ref.strip().casefold() == ref)
            ]
            return fits[0] if len(fits) == 1 else None

        for row in sheet.pilots:
            ref = (row.pilot_id or "").strip().casefold()
            pilot = (by_ref.get(ref) if ref else None) or named(row)
            if pilot is None:
                pilot = Pilot(
                    name=" ".join(row.name.split())[:300] or f"Row {row.row}",
                    business_unit=row.business_unit,
                    portfolio_ref=row.pilot_id,
                )
                session.add(pilot)
                session.flush()
                created += 1
                by_name.setdefault(normalise_name(pilot.name), []).append(pilot)
            else:
                updated += 1
                if row.business_unit and not pilot.business_unit:
                    pilot.business_unit = row.business_unit
                if row.pilot_id and not pilot.portfolio_ref:
                    pilot.portfolio_ref = row.pilot_id
            if ref:
                by_ref[ref] = pilot
            assessment = store.add_assessment(
                session,
                pilot.id,
                content.version,
                position=row.position,
                source=IMPORT_SOURCE,
                now=now,
                current_step=len(content.reasons) + 1,
                completed=True,
            )
            session.add_all(
                Answer(assessment_id=assessment.id, question_id=q, value=v, updated_at=now)
                for q, v in row.answers.items()
            )
            n_answers += len(row.answers)
    return ImportSummary(created, updated, len(sheet.pilots), n_answers)
