"""Organisation view: every pilot's answers together, the gaps they share, and the trap check."""

import streamlit as st

from ui import actions_view, cache, organisation_scope
from ui import organisation_view as view
from ui.components import show_problem, source_credit
from ui.frame import through_app
from ui.page import open_page

through_app()  # a deep link as the server's first request: run it framed

content, engine, today = open_page(
    "Organisation view",
    "One pilot's answers say what to fix in that pilot. The answers of all your pilots "
    "together say what to fix in the organisation: a gap most pilots share is one missing "
    "process, not a dozen project problems.",
)

view.saved_message()
try:
    scope = organisation_scope.scope_choice(engine)
    portfolio_id = scope.portfolio_id
    data = cache.organisation_data(cache.readiness_key(), scope.pilots)
except Exception as exc:  # a page shows a message, never a traceback
    show_problem(exc)
    st.stop()

view.import_panel(engine, content, expanded=not data.profile.pilot_count, scope=scope)
if data.profile.pilot_count:
    view.headline(data.profile)

view.keep_pilot_choice()
gaps, profile, one_pilot, trap, report = st.tabs(view.TABS, key=view.TAB_KEY, on_change="rerun")
for tab, show in ((gaps, view.gaps_tab), (profile, view.profile_tab), (one_pilot, view.pilot_tab)):
    if tab is not gaps and not tab.open:
        continue  # interactive charts: drawn when their tab is opened, not on the first view
    with tab:
        if data.profile.pilot_count:
            show(data.profile, data.charts, content)
        else:
            view.empty_state()
with trap:
    st.write(
        "Six signs that pilots keep starting and never reach production. Those a portfolio "
        "shows are counted from it; answer the others."
    )
    unanswered = view.trap_for(portfolio_id, (), str(today))
    answers = view.trap_answers(unanswered)
    check = view.trap_for(portfolio_id, tuple(sorted(answers.items())), str(today))
    view.trap_result(check)
with report:
    view.report_downloads(data, content, check, portfolio_id, today, scope.statement)
actions_view.follow_up_section(engine, content, key_prefix="organisation_actions_")

source_credit(content)
