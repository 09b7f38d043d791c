"""Small browser behaviours Streamlit has no setting for, as constant scripts (never user text).

- After a choice in the sidebar menu on a phone, the menu closes: Streamlit closes it for its
  own navigation menu, not for `st.page_link`s drawn in the sidebar, so it stayed over 75%
  of the screen.
- A new step of a multi-step form opens at its top: Streamlit keeps the scroll position of
  the page across reruns, so after Next the new step opened where the last one ended.
- On a touch screen a table's toolbar (search, download, full screen) is always shown, 44 px
  above the table, where it covered the caption or the tabs over it: such tables get that
  room above them. With a mouse the toolbar appears on hover only, as before.
"""

from __future__ import annotations

import streamlit as st

# Streamlit lays the sidebar over the page below this width (its "md" breakpoint).
PHONE_MAX_WIDTH_PX = 767
# Hides the element holding a script: an empty block would still add a gap to the layout.
_HIDE_OWN_BLOCK = (
    "<style>div[data-testid='stElementContainer']:has(> div > .poctrap-script)"
    "{display:none}</style>"
)

_TABLE_TOOLBAR_ROOM = (
    "<style>@media (hover: none) {"
    "div[data-testid='stElementContainer']:has([data-testid='stDataFrame'])"
    "{margin-top: 2.75rem}}</style>"
)

_CLOSE_MENU_ON_PHONE = f"""{_HIDE_OWN_BLOCK}{_TABLE_TOOLBAR_ROOM}
<span class="poctrap-script"></span><script>
(() => {{
  if (window.__poctrapMenuCloses) return;
  window.__poctrapMenuCloses = true;
  document.addEventListener("click", (event) => {{
    const link = event.target.closest('[data-testid="stSidebar"] a');
    if (!link || window.innerWidth > {PHONE_MAX_WIDTH_PX}) return;
    setTimeout(() => {{
      const sidebar = document.querySelector('[data-testid="stSidebar"]');
      const close = sidebar?.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (close) close.click();
    }}, 0);
  }}, true);
}})();
</script>"""


def close_menu_on_phone() -> None:
    """Close the sidebar after a link in it is chosen, when it covers the page (phones); and
    on touch screens, room above each table for its toolbar."""
    st.html(_CLOSE_MENU_ON_PHONE, unsafe_allow_javascript=True)


_SCROLL_TO = """{hide}<span class="poctrap-script" data-target="{target}"></span><script>
(() => {{
  const place = () => {{
    const target = document.querySelector('{selector}');
    if (!target) return false;
    target.style.scrollMarginTop = "4.5rem";  // clear of the app's fixed header
    target.scrollIntoView({{block: "start"}});
    return true;
  }};
  let tries = 0;
  const again = () => {{ if (!place() && ++tries < 20) setTimeout(again, 50); }};
  requestAnimationFrame(again);
}})();
</script>"""


def open_at(selector: str, occasion: str) -> None:
    """Scroll the page so that the first element matching `selector` is at the top, once per
    `occasion` (a new value, such as the step number, scrolls again; a rerun does not)."""
    body = _SCROLL_TO.format(hide=_HIDE_OWN_BLOCK, target=occasion, selector=selector)
    st.html(body, unsafe_allow_javascript=True)
