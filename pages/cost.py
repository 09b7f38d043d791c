"""Cost of the trap: what the pilots stuck before production cost this organisation, where,
and what stopping the right ones now would save."""

from datetime import date

import streamlit as st

from ui import cache
from ui import cost_view as view
from ui.access import require_access
from ui.components import show_problem, source_credit
from ui.frame import through_app
from ui.navigation import page_spec

through_app()  # a deep link as the server's first request: run it framed

require_access("portfolio")
content = cache.content()

st.title("Cost of the PoC trap")
st.write(
    "Money spent on pilots that ran past their decision point without reaching production, "
    "and the value they would have delivered by now on the recommended path. Every "
    "assumption is on the right (below, on a phone) and can be changed."
)

try:
    from diagnostics.storage import portfolios as portfolio_store

    records = portfolio_store.list_portfolios(cache.engine())
except ImportError:
    records = []
except Exception as exc:  # a page shows a message, never a traceback
    show_problem(exc)
    st.stop()

if not records:
    st.info(
        "There is no saved portfolio yet. Import your list of pilots on the Portfolio page "
        "first; its cost then appears here.",
        icon=":material/upload_file:",
    )
    if page_spec("pages/portfolio.py"):
        st.page_link("pages/portfolio.py", label="Import a portfolio", icon=":material/upload:")
    st.stop()

record = st.selectbox(
    "Portfolio",
    records,
    format_func=view.portfolio_label,
    key=view.PICK_KEY,
    help="A saved import of your pilot list; upload a new one on the Portfolio page.",
)
main, panel = st.columns([3, 1], gap="large")
with panel:
    currency = portfolio_store.portfolio_currency(cache.engine(), record.id)
    assumptions = view.assumptions_panel(content, date.today(), currency)
if assumptions is None:
    st.stop()
settings = assumptions.model_dump_json()

with main:
    try:
        result = cache.cost_result(record.id, settings)
    except Exception as exc:
        show_problem(exc)
        st.stop()
    view.headline(result)
    view.caveats(result)
    view.missing_data(result)
    view.charts(record.id, settings, result)
    view.top_pilots(result)
    view.trust_signals(result)
    rule = view.stop_now(record.id, settings, content)
    view.download(record.id, record.name, settings, rule)

source_credit(content)
