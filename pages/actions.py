"""Action register: every action adopted or added, who owns it, when it is due, its status;
the follow-up per unit and owner; the sheet for issue trackers and back."""

import streamlit as st

from diagnostics.actions import register
from ui import actions_view as view
from ui.components import show_problem, source_credit
from ui.frame import through_app
from ui.page import open_page

through_app()  # a deep link as the server's first request: run it framed

content, engine, today = open_page(
    "Action register",
    "A diagnosis is worth what gets done about it. Actions adopted from a pilot's results, a "
    "workshop or the organisation view's shared gaps, and those added by hand, are followed "
    "up here until done; the pilot's next assessment shows which were done and what moved.",
)

try:
    everything = register.list_actions(engine, today=today)
except Exception as exc:  # a page shows a message, never a traceback
    show_problem(exc)
    st.stop()

view.metrics(everything, today)
actions_tab, follow_tab, add_tab, sheet_tab = st.tabs(
    ["Actions", "Follow-up", "Add an action", "Export and import"]
)
with actions_tab:
    if not everything:
        st.info(
            "No action yet. Assess a pilot and adopt actions from its results, adopt a shared "
            "gap on the organisation view, carry a workshop's agreed actions over, or add one "
            "by hand in the next tab.",
            icon=":material/checklist:",
        )
    else:
        chosen = view.filters(engine, today)
        if not chosen:
            st.caption("No action matches these filters.")
        view.action_list(engine, chosen, today, view.PREFIX)
with follow_tab:
    view.follow_up(engine, content, f"{view.PREFIX}follow_", today, with_metrics=False)
with add_tab:
    view.add_form(engine, content, today)
with sheet_tab:
    view.exchange_panel(engine, content, today)

source_credit(content)
