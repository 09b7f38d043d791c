"""The countdown on the three workshop pages: the facilitator's time per question and clock
buttons (console), the large clock (shared screen) and a quiet line on each phone.

Only the shared screen ticks every second (a fragment that redraws the clock alone). The
console's clock line follows a 2-second fragment (which also redraws the console once when
the workshop changed elsewhere), and a phone shows the time left
whenever its existing poll redraws it, without reading the database; at zero the workshop's
change stamp moves once, so every page redraws once with voting closed.
"""

from __future__ import annotations

import streamlit as st

from diagnostics import workshop as ws
from diagnostics.errors import DiagnosticError
from diagnostics.framework.content import Content
from diagnostics.workshop import changes, clock

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


def console_controls(
    fac: ws.Facilitator, content: Content, state: ws.WorkshopState, extra=None
) -> None:
    """Time per question, then start / add time / stop, with the time left; `extra` draws
    one more button at the end of the row."""
    stamp = changes.current_stamp(fac.engine, fac.workshop_id)
    st.session_state["ws_seen_state"] = stamp.state if stamp else None
    choices = list(clock.COUNTDOWN_CHOICES)
    if state.countdown_seconds not in choices:  # a time set from the command line
        choices.append(state.countdown_seconds)
    time_col, start_col, stop_col, extra_col = st.columns(
        [2, 1, 1, 1.2], vertical_alignment="bottom"
    )
    if extra is not None:
        with extra_col:
            extra()
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
    if state.countdown_seconds and not state.ended:
        _clock_buttons(fac, content, state, start_col, stop_col)
    console_watch(fac, state)


def _clock_buttons(fac, content: Content, state: ws.WorkshopState, start_col, stop_col) -> None:
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


@st.fragment(run_every=2)
def console_watch(fac: ws.Facilitator, state: ws.WorkshopState) -> None:
    """The time left, as of the console's last full run; the whole console again when the
    workshop changed elsewhere (time up, a reveal by the shared screen, another device), so
    its buttons never act on a stale state. Votes alone do not count: the live table has them.
    """
    stamp = changes.current_stamp(fac.engine, fac.workshop_id)
    if stamp is not None and stamp.state != st.session_state.get("ws_seen_state"):
        st.rerun()
    left = clock.remaining(state)
    if left is None:
        return
    if left <= 0:
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


def time_up_note(mine: str | None, labels: dict[str, str]) -> str:
    """What a phone says once time is up on a question, with the answer it gave (if any)."""
    given = f"Your answer: {labels[mine]}." if mine in labels else "You did not answer it."
    return f"Time is up: voting has closed. {given}"


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
  border-radius: 0.8rem; padding: 0.4rem 0.6rem; text-align: center; }
.st-key-present_clock [data-testid="stMarkdownContainer"],
.st-key-present_clock_short [data-testid="stMarkdownContainer"],
.st-key-present_clock_up [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
.st-key-present_clock { background: #111111; }
.st-key-present_clock_short, .st-key-present_clock_up { background: #b71c1c; }
.st-key-present_clock p, .st-key-present_clock_short p {
  color: #ffffff !important; font-size: 4.6rem !important; font-weight: 800;
  line-height: 1.15 !important; margin: 0; white-space: nowrap; text-align: center;
  font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.st-key-present_clock_up p { color: #ffffff !important; font-size: 2.4rem !important;
  font-weight: 800; line-height: 1.3 !important; margin: 0; padding: 0.3rem 0;
  text-align: center; }
</style>
"""
