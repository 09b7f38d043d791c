"""The portfolio page's block on saved assessments: which row each one was matched to and
how, the near misses offered for linking, and the controls to link or unlink.

Session keys start with `match_`. Every change is saved at once (a link or an unlink kept
per portfolio name, so the next version keeps it) and the page reruns: the dashboard's cache
key changes with it, so the recommendations follow without a reload.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from diagnostics.errors import DiagnosticError
from diagnostics.organisation.answers import SOURCE_LABELS
from diagnostics.portfolio.analysis import PortfolioAnalysis
from diagnostics.portfolio.assessed import PortfolioReadiness, row_keys
from diagnostics.storage.links import PILOT_KEY_PREFIX, set_link
from ui.components import show_kept

PREFIX = "match_"
HOW = {"id": "Same id", "name": "Same name", "link": "Linked by you", "sheet": "In the sheet"}
OFFERS_SHOWN = 12
# The two answers to a possible match: linked or not, button label, key, help.
OFFER_ANSWERS = (
    (True, "Same pilot: link", "link", "Use this saved pilot's latest assessment for this row."),
    (False, "Different pilots", "apart", "Keep them apart; this pair is not offered again."),
)


def _row_label(pilots: pd.DataFrame, row: int) -> str:
    item = pilots.iloc[row]
    name = item.get("name")
    pid = item.get("pilot_id")
    name = "" if name is None or pd.isna(name) else " ".join(str(name).split())
    pid = "" if pid is None or pd.isna(pid) else str(pid)
    return " · ".join(part for part in (pid, name) if part) or f"Row {row + 1}"


def _pick_row(pilots: pd.DataFrame, label: str, rows: list[int], **widget) -> int | None:
    """One of `rows`, shown by its id and name; none until one is chosen."""
    return st.selectbox(
        label, rows, index=None, format_func=lambda r: _row_label(pilots, r), **widget
    )


def _pilot_label(readiness: PortfolioReadiness, key: str) -> str:
    p = readiness.pilots.get(key)
    if p is None:
        return key
    unit = f" ({p.business_unit})" if p.business_unit else ""
    source = SOURCE_LABELS.get(p.source, p.source).lower()
    return f"{p.name}{unit}, {source}"


def _apply(engine: Engine, portfolio: str, row_key: str, key: str, linked: bool) -> None:
    try:
        set_link(engine, portfolio, row_key, key, linked)
    except DiagnosticError as exc:
        st.session_state[f"{PREFIX}problem"] = str(exc)
        return
    st.session_state[f"{PREFIX}done"] = (
        "Linked: the pilot's latest assessment now stands for that row."
        if linked
        else "Unlinked: that row and that pilot are kept apart from now on."
    )


def matching_panel(
    engine: Engine, record, analysis: PortfolioAnalysis, readiness: PortfolioReadiness
) -> None:
    """Matched assessments, offers and manual link / unlink for one portfolio version."""
    pilots = analysis.pilots
    matches = readiness.matching.matches
    saved = matches[matches["pilot_key"].str.startswith(PILOT_KEY_PREFIX)]
    offers = readiness.matching.offers
    sources = pilots["readiness_source"].dropna().astype(str).value_counts()
    summary = ", ".join(f"{n:,} from {label.lower()}" for label, n in sources.items())
    st.caption(
        f"{int(sources.sum()):,} of {len(pilots):,} pilots have readiness data"
        + (f" ({summary})" if summary else "")
        + "; each follows its latest assessment."
        + (
            f" {len(offers)} possible match{'' if len(offers) == 1 else 'es'} to check below."
            if len(offers)
            else ""
        )
    )
    show_kept(PREFIX, ":material/link:")
    if not len(readiness.pilots) and not len(offers):
        return
    label = f"Saved assessments matched to this portfolio ({len(saved)})"
    if len(offers):
        label += f" and possible matches ({offers['row'].nunique()})"
    with st.expander(label, expanded=bool(len(offers))):
        keys = row_keys(pilots)
        _matched_table(pilots, readiness, saved)
        _offers(engine, record, pilots, readiness, offers, keys)
        _manual(engine, record, pilots, readiness, saved, keys)


def _matched_table(pilots: pd.DataFrame, readiness: PortfolioReadiness, saved) -> None:
    if saved.empty:
        st.caption("No saved assessment matches a row of this portfolio yet.")
        return
    from ui import cache

    overlay = readiness.overlay
    rows = saved["row"].to_numpy()
    decisions = {d.key: d.label for d in cache.content().decisions}
    table = pd.DataFrame(
        {
            "Row": [_row_label(pilots, r) for r in rows],
            "Saved pilot": [_pilot_label(readiness, k) for k in saved["pilot_key"]],
            "Matched by": saved["how"].map(HOW).to_numpy(),
            "Readiness from": overlay["readiness_source"].iloc[rows].to_numpy(),
            "Assessed on": overlay["readiness_date"].iloc[rows].to_numpy(),
            "Decision": overlay["decision"].iloc[rows].map(decisions).to_numpy(),
        }
    )
    st.dataframe(table, hide_index=True, key=f"{PREFIX}table", width="stretch")


def _offers(engine, record, pilots, readiness, offers, keys) -> None:
    if offers.empty:
        return
    st.markdown("**Possible matches**: not applied until you say so.")
    for i, (row, key, why) in enumerate(offers.head(OFFERS_SHOWN).itertuples(index=False)):
        with st.container(border=True):
            st.text(f"Row: {_row_label(pilots, int(row))}\nSaved: {_pilot_label(readiness, key)}")
            st.caption(why)
            answers = zip(st.columns(len(OFFER_ANSWERS)), OFFER_ANSWERS, strict=True)
            for place, (linked, label, name, help_text) in answers:
                place.button(
                    label,
                    key=f"{PREFIX}offer_{name}_{i}",
                    icon=":material/link:" if linked else ":material/link_off:",
                    on_click=_apply,
                    args=(engine, record.name, keys[int(row)], key, linked),
                    help=help_text,
                )
    if len(offers) > OFFERS_SHOWN:
        st.caption(f"{len(offers) - OFFERS_SHOWN} more; link or unlink these first.")


def _manual(engine, record, pilots, readiness, saved, keys) -> None:
    st.markdown("**Correct a match**")
    left, right = st.columns(2)
    with left:
        choices = [int(r) for r in saved["row"]]
        by_row = dict(zip(choices, saved["pilot_key"], strict=True))
        row = _pick_row(
            pilots,
            "Matched row",
            choices,
            key=f"{PREFIX}unlink_row",
            placeholder="Choose a row to unlink",
            help="A row matched to the wrong saved pilot: unlink them, and they stay apart.",
        )
        if st.button(
            "Unlink",
            key=f"{PREFIX}unlink",
            icon=":material/link_off:",
            disabled=row is None,
            help="The row goes back to its own data; the saved assessment is kept.",
        ):
            _apply(engine, record.name, keys[row], by_row[row], False)
            st.rerun()
    with right:
        saved_keys = [k for k in readiness.pilots if k.startswith(PILOT_KEY_PREFIX)]
        key = st.selectbox(
            "Saved pilot",
            saved_keys,
            index=None,
            format_func=lambda k: _pilot_label(readiness, k),
            key=f"{PREFIX}link_pilot",
            placeholder="Choose a saved pilot",
            help="An assessed pilot that no row was matched to, or matched to the wrong row.",
        )
        row_to = _find_row(pilots)
        if st.button(
            "Link",
            key=f"{PREFIX}link",
            icon=":material/link:",
            disabled=key is None or row_to is None,
            help="From now on this pilot's latest assessment stands for the row.",
        ):
            _apply(engine, record.name, keys[row_to], key, True)
            st.rerun()


def _find_row(pilots: pd.DataFrame) -> int | None:
    """A portfolio row found by typing part of its id or name, then picked among the hits."""
    needle = st.text_input(
        "Find the portfolio row",
        key=f"{PREFIX}find",
        placeholder="part of its id or name",
        help="The row this saved pilot is; the first 50 rows that match are offered.",
    )
    hits = _find_rows(pilots, needle)
    return _pick_row(
        pilots,
        "Portfolio row",
        hits,
        key=f"{PREFIX}link_row",
        placeholder="Choose a row" if hits else "Type above to find a row",
        help="Rows whose id or name holds the text typed above.",
    )


def _find_rows(pilots: pd.DataFrame, needle: str, limit: int = 50) -> list[int]:
    """Positions of the rows whose id or name holds `needle` (ignoring case)."""
    text = " ".join(str(needle or "").split()).lower()
    if not text:
        return []
    found = pd.Series(False, index=pilots.index)
    for column in ("pilot_id", "name"):
        if column in pilots:
            values = pilots[column].astype("str").str.lower()
            found |= values.str.contains(text, regex=False).fillna(False).astype(bool)
    return [int(i) for i in found.to_numpy().nonzero()[0][:limit]]
