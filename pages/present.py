"""The shared screen for the projector: the code while people join, then the open question,
live counts and, once revealed, the results. The flow is in ui/workshop_screen.py; session
keys start with `present_`.
"""

import streamlit as st

from ui import cache
from ui import workshop_screen as screen
from ui.frame import through_app
from ui.workshop_clock import CLOCK_CSS
from ui.workshop_view import PRESENTER_CSS

through_app()  # a deep link as the server's first request: run it framed

content = cache.content()
engine = cache.engine()
st.html(PRESENTER_CSS + CLOCK_CSS)

fac = screen.open_screen(engine, content)
if fac is None:
    st.stop()
screen.screen(fac, content)
screen.consensus_toggle()
