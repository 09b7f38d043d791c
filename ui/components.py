"""Reusable page blocks. Each takes a `key_prefix` when it creates widgets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

import streamlit as st

from diagnostics.errors import DiagnosticError
from diagnostics.framework.content import Content

# Charts without Plotly's toolbar: on a phone it sits over the chart for good, and on the
# shared screen it is clutter. Every chart's data is in the page's tables and downloads.
CHART_CONFIG = {"displayModeBar": False}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A chart drawn on the server (diagnostics/render/page_charts.py) is shown this wide, or as
# wide as its column where that is narrower (a phone, half a laptop screen).
PICTURE_PX = 560
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


@dataclass(frozen=True)
class LinkToken:
    """A private token kept in the session and in the URL (`?<param>=`), so that a reload or
    the link itself brings its holder back (a resumed assessment, a facilitator's console)."""

    session_key: str
    param: str

    def current(self) -> str | None:
        return st.session_state.get(self.session_key) or st.query_params.get(self.param) or None

    def remember(self, token: str) -> None:
        st.session_state[self.session_key] = token
        st.query_params[self.param] = token

    def forget(self) -> None:
        st.session_state.pop(self.session_key, None)
        st.query_params.pop(self.param, None)


def plain(text: object) -> str:
    """User text made inert for st.markdown: every markdown character escaped, one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text or "").split()))


def source_credit(content: Content) -> None:
    src = content.source
    st.caption(
        f"Framework adapted from “{src.title}” by {src.author} ({src.date}). "
        "Questions, labels and recommendations are written for this tool."
    )


def show_problem(exc: Exception) -> None:
    """A clear message instead of a traceback: engine errors carry their own wording."""
    if isinstance(exc, DiagnosticError):
        st.error(str(exc), icon=":material/error:")
    else:
        st.error(
            "Something went wrong on our side and nothing was changed. "
            "Reload the page and try again; if it persists, tell your administrator.",
            icon=":material/error:",
        )


def show_kept(key_prefix: str, icon: str) -> None:
    """What a callback kept for this run, shown once: `<key_prefix>done` as a success with
    `icon`, `<key_prefix>problem` as an error."""
    done = st.session_state.pop(f"{key_prefix}done", None)
    if done:
        st.success(done, icon=icon)
    problem = st.session_state.pop(f"{key_prefix}problem", None)
    if problem:
        st.error(problem, icon=":material/error:")


def pick_pilot(pilots: list, key: str):
    """A saved pilot, chosen by name (the assessment's start form and the workshop console)."""
    return st.selectbox(
        "Pilot",
        pilots,
        format_func=lambda p: p.name,
        key=key,
        help="Pilots assessed before, in a workshop or imported with a portfolio.",
    )


class PilotChoice(NamedTuple):
    """The words of a start form's choice between a new pilot and one saved before."""

    question: str
    saved: str  # what the choice of a saved pilot says
    help: str


def new_or_saved_pilot(pilots: list, words: PilotChoice, key_prefix: str):
    """None for a new pilot, or the saved pilot picked by name; keys `<prefix>pilot_kind` and
    `<prefix>pilot`."""
    kind = st.radio(
        words.question,
        ["new", "saved"] if pilots else ["new"],
        format_func={"new": "A new pilot", "saved": words.saved}.get,
        horizontal=True,
        key=f"{key_prefix}pilot_kind",
        help=words.help,
    )
    return pick_pilot(pilots, key=f"{key_prefix}pilot") if kind == "saved" else None


def picture(svg: str) -> None:
    """A chart drawn on the server as SVG: no chart script for the browser to load."""
    st.image(svg, width=PICTURE_PX)


# The currency pickers' "no currency" choice. A None option would be taken for no choice at
# all, and the picker would show its empty placeholder instead of saying "None".
NO_CURRENCY = ""


def currency_label(code: str) -> str:
    """A currency picker's option as shown."""
    return code or "None (amounts only)"
