"""Home: what the tool is for, and the ways in."""

import streamlit as st

from diagnostics.framework.content import load_evidence
from ui import cache
from ui.components import source_credit
from ui.frame import through_app
from ui.navigation import page_spec

through_app()  # a deep link as the server's first request: run it framed

content = cache.content()

st.title("PoC Trap Diagnostic")
st.markdown(
    "Most AI pilots never reach production: they impress in a demo, then stall. "
    "This tool finds out why a pilot is stuck, tells you whether to **proceed, fix first or "
    "stop**, and names the actions that move it forward. "
    "Use it alone for one pilot, with a team in a workshop, or across a whole portfolio."
)

WAYS_IN = (
    (
        "pages/assess.py",
        ":material/assignment:",
        "Assess one pilot",
        "A guided questionnaire of 10–15 minutes. Stop any time and resume from your link; "
        "get a risk profile, the three most urgent actions and a report for your sponsor.",
    ),
    (
        "pages/workshop.py",
        ":material/groups:",
        "Run a workshop",
        "Assess a pilot together: people join from their phones with a short code, answers "
        "stay hidden until you reveal them, and the group agrees answers and owners.",
    ),
    (
        "pages/portfolio.py",
        ":material/table_chart:",
        "Review a portfolio",
        "Upload the spreadsheet of pilots your organisation keeps, in whatever shape it has: "
        "see how many reach production, where they stall and what the trap costs.",
    ),
)

built = [(page_spec(path), icon, title, text) for path, icon, title, text in WAYS_IN]
built = [way for way in built if way[0] is not None]
if built:
    columns = st.columns(len(built))
    for column, (spec, icon, title, text) in zip(columns, built, strict=True):
        with column.container(border=True):
            st.subheader(f"{icon} {title}")
            st.write(text)
            st.page_link(spec.path, label=f"Open: {title}", icon=":material/arrow_forward:")
else:
    st.info("The assessment journeys are being set up. Meanwhile, read the framework guide.")

st.page_link("pages/framework.py", label="How the framework works", icon=":material/menu_book:")
st.page_link(
    "pages/actions.py", label="Follow up the actions you adopted", icon=":material/checklist:"
)

st.subheader("Why it matters")
evidence = load_evidence()
columns = st.columns(3)
for column, figure in zip(columns * 2, evidence.figures, strict=False):
    with column.container(border=True):
        st.markdown(f"**{figure.headline}**")
        st.caption(f"{figure.detail}  \nSource: {figure.source}. Caveat: {figure.caveat}")

source_credit(content)
