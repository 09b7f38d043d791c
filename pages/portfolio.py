"""Portfolio: upload the organisation's list of pilots; see the funnel, where units are stuck
and what to do with each pilot."""

import streamlit as st

from diagnostics.storage import portfolios as portfolio_store
from ui import actions_view, portfolio_dashboard, portfolio_import
from ui import portfolio_view as view
from ui.access import require_access
from ui.components import show_problem, source_credit
from ui.frame import through_app
from ui.page import open_page

through_app()  # a deep link as the server's first request: run it framed

require_access("portfolio")
content, engine, today = open_page(
    "Portfolio",
    "How many of your pilots reach production, which business units are stuck, and which "
    "pilots to push, fix or stop. Upload the spreadsheet your organisation keeps, in its own "
    "layout: you confirm how its columns map to ours, then everything below follows.",
)

try:
    records = portfolio_store.list_portfolios(engine)
except Exception as exc:  # a page shows a message, never a traceback
    show_problem(exc)
    st.stop()

st.session_state.setdefault(view.TAB_KEY, view.DASHBOARD if records else view.IMPORT)
dashboard_tab, import_tab = st.tabs(
    [view.DASHBOARD, view.IMPORT], key=view.TAB_KEY, on_change="rerun"
)
if dashboard_tab.open:
    with dashboard_tab:
        portfolio_dashboard.dashboard(engine, content, records, today)
        actions_view.follow_up_section(engine, content, key_prefix="portfolio_actions_")
if import_tab.open:
    with import_tab:
        portfolio_import.import_tab(engine)

source_credit(content)
