"""PoC Trap Diagnostic: the frame around every page (navigation, shared state, links)."""

import streamlit as st

from diagnostics.errors import DiagnosticError
from ui import cache
from ui.components import show_problem
from ui.navigation import available_pages

st.set_page_config(
    page_title="PoC Trap Diagnostic",
    page_icon=":material/troubleshoot:",
    layout="wide",
    initial_sidebar_state="auto",
)

# Links carry a resume token or a join code; keep them in the session so that moving between
# pages (which drops query parameters) does not lose them.
for param in ("token", "code", "facilitator"):
    value = st.query_params.get(param)
    if value:
        st.session_state[f"link_{param}"] = value

pages = {
    spec.path: st.Page(
        spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=spec.default
    )
    for spec in available_pages()
}

try:
    cache.content()
except DiagnosticError as exc:
    show_problem(exc)
    st.stop()

# Every page is routable; the menu lists only those meant for it (a participant's voting page
# is reached by its join link, not from the menu), so the sidebar is drawn here.
current = st.navigation(list(pages.values()), position="hidden")
with st.sidebar:
    st.markdown("### :material/troubleshoot: PoC Trap Diagnostic")
    section = None
    for spec in available_pages():
        if not spec.in_menu:
            continue
        if spec.section != section:
            section = spec.section
            st.caption(section)
        st.page_link(pages[spec.path], label=spec.title, icon=spec.icon)
current.run()
