"""Assess one pilot: start, six steps (one per reason), review, results; resumable by link."""

from datetime import date

import streamlit as st

from diagnostics.errors import DiagnosticError, NotFoundError
from diagnostics.framework.review import load_review
from ui import assessment as blocks
from ui import cache
from ui.components import plain, show_problem, source_credit
from ui.frame import through_app

through_app()  # a deep link as the server's first request: run it framed

content = cache.content()
engine = cache.engine()
today = date.today()

st.title("Assess a pilot")
token = blocks.current_token()

if not token:
    st.write(
        "Six short steps, one per reason pilots stall, then your verdict, the actions that "
        "matter most and a report to forward. About 10–15 minutes; every answer is saved as "
        "you go, so you can stop and continue later from your link."
    )
    blocks.start_form(engine, content, today)
    source_credit(content)
    st.stop()

try:
    review = load_review(engine, content, token=token, today=today)
except NotFoundError as exc:
    st.error(str(exc), icon=":material/link_off:")
    if st.button("Start a new assessment", type="primary", key="assess_restart"):
        blocks.forget_assessment()
        st.rerun()
    st.stop()
except DiagnosticError as exc:
    show_problem(exc)
    st.stop()

blocks.open_assessment(token)  # keep the token in the URL after moving between pages
pilot = review.pilot
position = content.positions_by_key.get(review.assessment.position)
st.markdown(f"### {plain(pilot.name)}")
st.caption(f"Where it stands: {position.label if position else review.assessment.position}")
blocks.resume_link(token)

if review.assessment.current_step <= len(content.reasons):
    blocks.questionnaire(engine, content, token, today)
else:
    blocks.results(engine, review, content)
    blocks.open_step_at_top(review, content)

if st.button("Assess another pilot", key="assess_other", icon=":material/add:"):
    blocks.forget_assessment()
    st.rerun()
source_credit(content)
