"""Participant page, phone first: type the code (or open the link), then tap big answer buttons.

Session keys start with `join_`; the flow is in ui/workshop_join.py.
"""

import streamlit as st

from ui import cache
from ui import workshop_join as join
from ui.frame import through_app
from ui.workshop_view import PHONE_CSS

through_app()  # a deep link as the server's first request: run it framed

content = cache.content()
engine = cache.engine()
st.html(PHONE_CSS)

view = join.current_participant(engine, content)
if view is None:
    join.join_form(engine)
else:
    join.voting(engine, content, view)
