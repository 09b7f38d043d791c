"""Framework guide: the six reasons, six symptoms, four stages and the checklist."""

import streamlit as st

from ui import cache
from ui.components import source_credit
from ui.frame import through_app

through_app()  # a deep link as the server's first request: run it framed

content = cache.content()
tf = content.timeframes

st.title("How the framework works")
st.write(
    "A pilot reaches production only when six things are in place. Each one below is a "
    "dimension of the risk profile; the questions under it are the ones the assessment asks."
)
source_credit(content)

reasons_tab, symptoms_tab, stages_tab, checklist_tab, scoring_tab = st.tabs(
    ["Six reasons", "Six symptoms", "Four stages", "Checklist", "How we score"]
)

with reasons_tab:
    for number, reason in enumerate(content.reasons, 1):
        heading = f"{number}. {reason.title}" + (f": {reason.failure}" if reason.failure else "")
        with st.expander(heading, expanded=number == 1):
            st.write(reason.explanation)
            for question in content.questions_for(reason.key):
                marker = " · **blocker if No**" if question.knockout else ""
                st.markdown(f"- {question.text}{marker}")

with symptoms_tab:
    st.write("Signs that an organisation is already caught in the trap.")
    for symptom in content.symptoms:
        how = "computed from a portfolio" if symptom.computable else "asked"
        st.markdown(f"- **{symptom.text}** ({how})  \n  {symptom.help}")

with stages_tab:
    st.write(
        f"Recommended timeframe: pilot {tf.pilot.label}, decision {tf.decision.label}, "
        f"production {tf.production.label} "
        f"(about {tf.recommended_path_weeks:g} weeks from start to production)."
    )
    for stage in content.stages:
        with st.container(border=True):
            st.subheader(f"Stage {stage.number}: {stage.title}")
            st.write(stage.summary)
            for item in stage.items:
                st.markdown(f"- {item}")
            for phase in stage.rollout_phases:
                d = phase.duration
                length = (
                    "ongoing" if d.max_weeks is None else f"{d.min_weeks:g}–{d.max_weeks:g} weeks"
                )
                st.markdown(f"- **{phase.title}**: {length}")

with checklist_tab:
    labels = {
        "start": "At the start",
        "during": "During the pilot",
        "decision": "At the decision point",
    }
    for phase, label in labels.items():
        items = content.checklist(phase)
        st.subheader(f"{label} ({len(items)})")
        for question in items:
            st.markdown(f"- {question.checklist_label}")
    st.info(
        "If most checklist answers are No at the decision point, stopping is the better "
        "choice: a pilot stopped on time costs far less than one left in the trap."
    )

with scoring_tab:
    scale = ", ".join(
        f"{a.label} = {a.score:g}" if a.score is not None else f"{a.label} left out"
        for a in content.answer_scale
    )
    bands = ", ".join(f"{b.label} from {b.min_readiness:g}" for b in content.bands)
    st.markdown(
        f"- Answers: {scale}. Don't know also counts as uncertainty: not knowing is a risk.\n"
        "- Readiness per reason is the weighted mean of its answers, 0–100; risk is 100 minus "
        "readiness.\n"
        f"- Bands: {bands}.\n"
        "- The overall score is shown next to the weakest reason: a pilot fails on its "
        "weakest link, so an average never hides a blocker.\n"
        "- Some answers block production whatever the average (for example no senior sponsor).\n"
        "- Questions that belong to a later phase of the pilot are shown as coming up and are "
        "not scored until the pilot gets there."
    )
