"""Which pilots the organisation view covers: one portfolio's pilots, every assessed pilot,
or the demo's made-up pilots (never mixed with anything uploaded). The scope is stated on
screen and in the report. Session keys start with `org_`.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy import Engine

from diagnostics.storage.links import ALL_ASSESSED, DEMO_SCOPE, has_assessed_pilots

SCOPE_KEY = "org_scope"
NEXT_SCOPE_KEY = "org_scope_next"  # set by a save; applied before the picker is drawn


@dataclass(frozen=True)
class Scope:
    key: str  # "portfolio:<id>", "all" or "demo"
    label: str  # how the picker shows it
    statement: str  # one sentence on screen and in the report
    pilots: str | int  # what links.organisation_pilots takes
    portfolio_id: int | None  # the portfolio the trap check and the cost count from

    @property
    def is_demo(self) -> bool:
        return self.pilots == DEMO_SCOPE


def scopes(engine: Engine) -> list[Scope]:
    """Every scope on offer: each real portfolio (newest first), every assessed pilot, and
    the demo when it exists."""
    from diagnostics.storage import portfolios as portfolio_store

    try:
        records = portfolio_store.list_portfolios(engine)
    except Exception:  # the portfolio tables may not exist in an older database
        records = []
    latest: dict[str, object] = {}
    for record in records:  # newest first: keep each name's newest version
        latest.setdefault(record.name, record)
    out = [
        Scope(
            key=f"portfolio:{r.id}",
            label=f"Portfolio: {r.name} (v{r.version})",
            statement=f"The assessed pilots of the portfolio {r.name} (v{r.version}, "
            f"{r.row_count:,} pilots); its trap check and cost count from it.",
            pilots=r.id,
            portfolio_id=r.id,
        )
        for r in latest.values()
        if not r.is_demo
    ]
    out.append(
        Scope(
            key=ALL_ASSESSED,
            label="Every assessed pilot",
            statement="Every assessed pilot, whichever portfolio it belongs to (demo pilots "
            "left out); no portfolio, so the trap check asks all six signs.",
            pilots=ALL_ASSESSED,
            portfolio_id=None,
        )
    )
    demo_portfolio = next((r for r in records if r.is_demo), None)
    has_demo_pilots = has_assessed_pilots(engine, demo=True)
    if demo_portfolio is not None or has_demo_pilots:
        out.append(
            Scope(
                key=DEMO_SCOPE,
                label="Demo (made-up pilots)",
                statement="The demo's made-up pilots and demo portfolio, kept apart from "
                "your own data.",
                pilots=DEMO_SCOPE,
                portfolio_id=demo_portfolio.id if demo_portfolio is not None else None,
            )
        )
    return out


def _default(options: list[Scope], engine: Engine) -> str:
    """A real portfolio if there is one, else every assessed pilot, else the demo."""
    portfolios = [s for s in options if s.portfolio_id is not None and not s.is_demo]
    if portfolios:
        return portfolios[0].key
    if has_assessed_pilots(engine, demo=False):
        return ALL_ASSESSED
    demo = [s for s in options if s.is_demo]
    return demo[0].key if demo else ALL_ASSESSED


def default_scope(engine: Engine) -> Scope | None:
    """The scope the page opens on before anyone picks one."""
    options = scopes(engine)
    key = _default(options, engine)
    return next((s for s in options if s.key == key), None)


def scope_choice(engine: Engine) -> Scope:
    """The scope picker; its statement is shown beneath it."""
    options = scopes(engine)
    by_key = {s.key: s for s in options}
    pending = st.session_state.pop(NEXT_SCOPE_KEY, None)
    if pending in by_key:
        st.session_state[SCOPE_KEY] = pending
    if st.session_state.get(SCOPE_KEY) not in by_key:
        st.session_state[SCOPE_KEY] = _default(options, engine)
    key = st.selectbox(
        "Pilots in view",
        list(by_key),
        format_func=lambda k: by_key[k].label,
        key=SCOPE_KEY,
        help="One portfolio's pilots (each row with its latest assessment, as the portfolio "
        "page shows them), every pilot assessed here, or the demo. The trap check and the "
        "cost in the report count from the portfolio in view.",
    )
    scope = by_key[key]
    st.caption(f"In view: {scope.statement}")
    return scope


def after_save(scope: Scope) -> None:
    """A saved answer sheet is never demo data: leave the demo for every assessed pilot."""
    if scope.is_demo:
        st.session_state[NEXT_SCOPE_KEY] = ALL_ASSESSED
