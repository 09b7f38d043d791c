"""Corrections to the matching of portfolio rows and saved pilots, and the readiness of a
saved portfolio read through them.

A link says "this row is that pilot", an unlink "this row is not that pilot"; both are kept
per portfolio name and row key (see `portfolio.assessed.row_keys`), so they carry over to
the portfolio's next version.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, func, select

from diagnostics.errors import NotFoundError
from diagnostics.framework.content import Content
from diagnostics.storage import store
from diagnostics.storage.models import Pilot, PilotLink, utcnow

PILOT_KEY_PREFIX = "pilot-"


def pilot_key(pilot_id: int) -> str:
    return f"{PILOT_KEY_PREFIX}{pilot_id}"


def _pilot_id(key: str) -> int:
    if not key.startswith(PILOT_KEY_PREFIX) or not key[len(PILOT_KEY_PREFIX) :].isdigit():
        raise NotFoundError(f"{key!r} is not a saved pilot; only saved pilots can be linked.")
    return int(key[len(PILOT_KEY_PREFIX) :])


def links_for(engine: Engine, portfolio_name: str) -> dict[tuple[str, str], bool]:
    """(row key, pilot key) -> linked (True) or told apart (False), for one portfolio."""
    with store.session_scope(engine) as session:
        rows = session.scalars(select(PilotLink).where(PilotLink.portfolio_name == portfolio_name))
        return {(r.row_key, pilot_key(r.pilot_id)): bool(r.linked) for r in rows}


def set_link(
    engine: Engine, portfolio_name: str, row_key: str, key: str, linked: bool | None
) -> None:
    """Link a row to a saved pilot (True), tell them apart (False), or forget either (None).

    Linking a row to a pilot undoes any other link of that row: a row is one pilot.
    """
    pid = _pilot_id(key)
    with store.session_scope(engine, write=True) as session:
        if session.get(Pilot, pid) is None:
            raise NotFoundError(f"No saved pilot {key!r}; it may have been deleted.")
        same_pair = (
            (PilotLink.portfolio_name == portfolio_name)
            & (PilotLink.row_key == row_key)
            & (PilotLink.pilot_id == pid)
        )
        session.execute(delete(PilotLink).where(same_pair))
        if linked:
            session.execute(
                delete(PilotLink).where(
                    (PilotLink.portfolio_name == portfolio_name)
                    & (PilotLink.row_key == row_key)
                    & PilotLink.linked.is_(True)
                )
            )
        if linked is not None:
            session.add(
                PilotLink(
                    portfolio_name=portfolio_name,
                    row_key=row_key,
                    pilot_id=pid,
                    linked=bool(linked),
                    created_at=utcnow(),
                )
            )


def links_fingerprint(engine: Engine) -> str:
    with store.session_scope(engine) as session:
        count, latest = session.execute(
            select(func.count(PilotLink.id), func.max(PilotLink.created_at))
        ).one()
    return f"{count}:{latest}"


def readiness_fingerprint(engine: Engine) -> str:
    """Changes whenever an answer is saved or a link corrected: the key of cached views."""
    from diagnostics.organisation.answers import answers_fingerprint

    return f"{answers_fingerprint(engine)}|{links_fingerprint(engine)}"


def saved_readiness(engine: Engine, content: Content, portfolio_id: int, frame=None):
    """The `PortfolioReadiness` of a saved portfolio version: its rows matched to the saved
    pilots of the same scope (demo pilots for the demo portfolio, real ones otherwise)."""
    from diagnostics.organisation.answers import collect_answers
    from diagnostics.portfolio.assessed import portfolio_readiness
    from diagnostics.storage.portfolios import list_portfolios, load_portfolio_frame

    record = next((p for p in list_portfolios(engine) if p.id == portfolio_id), None)
    if record is None:
        raise NotFoundError(f"No saved portfolio with id {portfolio_id}; pick one from the list.")
    if frame is None:
        frame = load_portfolio_frame(engine, portfolio_id)
    pilots = collect_answers(engine, content, demo=record.is_demo)
    return portfolio_readiness(
        frame,
        content,
        pilots,
        links=links_for(engine, record.name),
        sheet_date=record.created_at,
    )


ALL_ASSESSED = "all"
DEMO_SCOPE = "demo"


def organisation_pilots(engine: Engine, content: Content, scope: str | int) -> list:
    """The pilots an organisation view covers (their latest answers, as `PilotAnswers`).

    `scope`: a saved portfolio's id (the answers standing for its rows, exactly those the
    portfolio's recommendations read), ALL_ASSESSED (every assessed pilot outside the demo),
    or DEMO_SCOPE (the demo's pilots only, never mixed with anything uploaded).
    """
    from diagnostics.organisation.answers import collect_answers

    if scope == ALL_ASSESSED:
        return collect_answers(engine, content, demo=False)
    if scope == DEMO_SCOPE:
        return collect_answers(engine, content, demo=True)
    return list(saved_readiness(engine, content, int(scope)).standing)


def has_assessed_pilots(engine: Engine, *, demo: bool) -> bool:
    """Whether any pilot of the demo (or outside it) has an answered assessment: one cheap
    query, for pickers that run on every rerun."""
    from diagnostics.storage.models import Answer, Assessment

    with store.session_scope(engine) as session:
        found = session.scalar(
            select(Answer.id)
            .join(Assessment, Assessment.id == Answer.assessment_id)
            .join(Pilot, Pilot.id == Assessment.pilot_id)
            .where(Pilot.is_demo.is_(demo))
            .limit(1)
        )
    return found is not None
