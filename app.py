"""PoC Trap Diagnostic: the frame around every page (navigation, shared state, links)."""

import streamlit as st
from sqlalchemy.exc import OperationalError

from diagnostics.errors import DiagnosticError, StorageError
from diagnostics.logging_setup import configure_logging, log_error
from ui import cache, warm
from ui.behaviour import close_menu_on_phone
from ui.components import show_problem
from ui.navigation import available_pages

configure_logging()  # one JSON line per event on stderr (docs/deploy.md)
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
    close_menu_on_phone()
try:
    current.run()
except OperationalError as exc:  # the database server is down or unreachable
    log_error("database_unreachable", exc, page=current.url_path)
    show_problem(
        StorageError(
            "The database cannot be reached right now, so nothing could be loaded or saved. "
            "Try again in a minute; if it keeps happening, tell your administrator."
        )
    )
except DiagnosticError as exc:  # a page left an engine error unhandled: still say it plainly
    event = "database_unreachable" if isinstance(exc, StorageError) else "page_problem"
    log_error(event, exc, page=current.url_path)
    show_problem(exc)
except Exception as exc:
    log_error("page_error", exc, page=current.url_path)
    raise

warm.start()  # once per process, after the first page: nobody's first visit pays it
