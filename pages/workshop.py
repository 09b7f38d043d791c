"""Facilitator console: create a workshop, pace it, lock and reveal, agree answers, report.

Whoever holds the private facilitator link (`?facilitator=`) controls the workshop; creating
one may need the team sign-in of a shared deployment.
"""

import streamlit as st

from diagnostics import workshop as ws
from diagnostics.errors import AccessError
from ui import cache, workshop_clock, workshop_rounds
from ui import workshop_console as console
from ui.access import require_access
from ui.components import plain, show_problem
from ui.frame import through_app
from ui.workshop_view import facilitator_token, forget_facilitator, remember_facilitator

through_app()  # a deep link as the server's first request: run it framed

content = cache.content()
engine = cache.engine()

st.title("Run a workshop")
token = facilitator_token()
if not token:
    require_access("workshop")
    st.write(
        "Assess a pilot together. People join from their phones with a short code or a QR "
        "code, answers stay hidden until you reveal them, and the group agrees the answers, "
        "actions and owners. Open the shared screen on the projector."
    )
    console.create_form(engine, content)
    st.stop()

try:
    fac = ws.facilitator(engine, token)
    state = ws.workshop_state(fac, content)
except AccessError as exc:
    show_problem(exc)
    st.button("Start again", key="ws_forget", on_click=forget_facilitator)
    st.stop()
remember_facilitator(token)  # back into the URL, so a reload keeps the console

st.html(console.ROOM_CSS)
st.subheader(plain(state.pilot_name))
if state.ended:
    st.info("This workshop has ended: votes are closed. Agreed answers can still be edited.")
console.header(state, token)
run_tab, results_tab, consensus_tab, report_tab = st.tabs(
    ["Run", "Results", "Agreed answers", "Report"]
)
with run_tab:
    console.controls(fac, content, state)
    workshop_clock.console_controls(
        fac, content, state, extra=lambda: workshop_rounds.revote_button(fac, content, state)
    )
    console.live_counts(fac, content)
with results_tab:
    console.results(fac, content, state)
with consensus_tab:
    console.consensus(fac, content, state)
with report_tab:
    console.report(fac, content, state)
    console.start_copy(fac, content)
    st.button("Leave this workshop", key="ws_leave", on_click=forget_facilitator)
