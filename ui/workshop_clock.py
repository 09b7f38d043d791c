"""The countdown on the three workshop pages: the facilitator's time per question and clock
buttons (console), the large clock (shared screen) and a quiet line on each phone.

Only the shared screen ticks every second (a fragment that redraws the clock alone). The
console's clock line follows its own 2-second fragment, and a phone shows the time left
whenever its existing poll redraws it, without reading the database; at zero the workshop's
change stamp moves once, so every page redraws once with voting closed.
"""

from __future__ import annotations

import streamlit as st

from diagnostics import workshop as ws
from diagnostics.errors import DiagnosticError
from diagnostics.framework.content import Content
from diagnostics.workshop import clock

COUNTDOWN_HELP = (
    "Off by default. One question at a time: each question's clock starts when it opens. "
    "One reason at a time: the time counts for all of that reason's questions together, "
    "from when the reason opens. Whole questionnaire: one clock for everything. The shared "
    "screen shows the clock large and turns it red in the last "
    f"{clock.SHORT_SECONDS} seconds; at zero, voting closes (with auto-reveal on, the "
    "results show). Choosing a time starts the clock on what is open now."
)


def _act(action, *args, **kwargs) -> None:
    try:
        action(*args, **kwargs)
        st.session_state.pop("ws_problem", None)
    except DiagnosticError as exc:
        st.session_state["ws_problem"] = str(exc)


def console_controls(fac: ws.Facilitator, content: Content, state: ws.WorkshopState) -> None:
    """Time per question, then start / add time / stop, with the time left."""
    choices = list(clock.COUNTDOWN_CHOICES)
    if state.countdown_seconds not in choices:  # a time set from the command line
        choices.append(state.countdown_seconds)
    time_col, start_col, stop_col = st.columns([2, 1, 1], vertical_alignment="bottom")
    with time_col:
        chosen = st.selectbox(
            "Countdown: time per question",
            choices,
            index=choices.index(state.countdown_seconds),
            format_func=clock.describe,
            key=f"ws_countdown_{state.countdown_seconds}",
            help=COUNTDOWN_HELP,
            disabled=state.ended,
        )
    if chosen != state.countdown_seconds:
        _act(ws.set_countdown, fac, content, chosen)
        st.rerun()
    if not state.countdown_seconds or state.ended:
        return
    if state.deadline is None:
        start_col.button(
            "Start the clock",
            icon=":material/timer:",
            key="ws_clock_start",
            help="Starts the countdown now for what is open.",
            on_click=_act,
            args=(ws.start_clock, fac, content),
            width="stretch",
        )
    else:
        start_col.button(
            f"Add {clock.ADD_SECONDS} s",
            icon=":material/more_time:",
            key="ws_clock_add",
            help="More time for the room; once time is up, this opens voting again for "
            f"{clock.ADD_SECONDS} seconds.",
            on_click=_act,
            args=(ws.add_time, fac, content),
            width="stretch",
        )
        stop_col.button(
            "Stop the clock",
            icon=":material/timer_off:",
            key="ws_clock_stop",
            help="No time limit on what is open now; the next question opened starts the "
            "clock again.",
            on_click=_act,
            args=(ws.stop_clock, fac, content),
            width="stretch",
        )
        console_clock(state)


@st.fragment(run_every=2)
def console_clock(state: ws.WorkshopState) -> None:
    """The time left, as of the console's last full run; a full rerun once it reaches zero."""
    left = clock.remaining(state)
    if left is None:
        return
    if left <= 0:
        if not state.time_up:
            st.rerun()  # voting just closed: the buttons and counts change
        st.markdown("**Time is up**: voting on what is open has closed.")
    else:
        st.markdown(f"Time left: **{clock.format_clock(left)}**")


def screen_clock(state: ws.WorkshopState) -> None:
    """The shared screen's clock: ticking while it runs, a still "Time is up" at zero."""
    if state.deadline is None or state.ended:
        return
    if state.time_up:
        with st.container(key="present_clock_up"):
            st.markdown("Time is up")
        return
    _ticking_clock(state)


@st.fragment(run_every=1)
def _ticking_clock(state: ws.WorkshopState) -> None:
    """Redraws only the clock, once a second; the whole screen again at zero."""
    left = clock.remaining(state) or 0.0
    if left <= 0:
        st.rerun()  # time is up: votes close, auto-reveal may show the results
    key = "present_clock_short" if clock.running_short(state) else "present_clock"
    with st.container(key=key):
        st.markdown(clock.format_clock(left))


def phone_time_up(view: ws.ParticipantView) -> bool:
    """A line on the phone with the time left (as of this redraw); True once time is up."""
    if view.deadline is None or view.ended:
        return False
    left = clock.remaining(view)
    if view.time_up or not left:
        return True
    share = clock.fraction_left(view)
    st.progress(share if share is not None else 1.0, text=f"Time left: {clock.format_clock(left)}")
    return False


# Static styles only: no user data ever goes into these strings.
CLOCK_CSS = """
<style>
.st-key-present_clock, .st-key-present_clock_short, .st-key-present_clock_up {
  border-radius: 0.6rem; padding: 0 1.2rem; width: auto !important; flex: 0 0 auto; }
.st-key-present_clock { background: #111111; }
.st-key-present_clock_short { background: #b71c1c; }
.st-key-present_clock_up { background: #b71c1c; }
.st-key-present_clock p, .st-key-present_clock_short p {
  color: #ffffff !important; font-size: 3.6rem !important; font-weight: 800; line-height: 1.1;
  font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; margin: 0; white-space: nowrap; }
.st-key-present_clock_up p { color: #ffffff !important; font-size: 2.6rem !important;
  font-weight: 800; line-height: 1.5; margin: 0; white-space: nowrap; }
</style>
"""
