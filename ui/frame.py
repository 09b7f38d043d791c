"""Every page runs inside app.py's frame, even when a deep link is a server's first request."""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parent.parent / "app.py"


def through_app() -> None:
    """Run `app.py` (which runs this page in its frame) when Streamlit ran the page alone.

    With a `pages/` folder beside `app.py`, Streamlit behaves as an old-style multipage app
    until some session of the process has run `app.py` (its `st.navigation` switches that
    off). Until then a deep link such as `/cost` or `/join?code=…` runs the page file alone:
    no menu but the raw file names, a narrow layout, no link handling, no plain message when
    the database is down. The check covers every way of starting the server (and AppTest,
    which restores the old behaviour before every run).
    Running `app.py` here, in the same script run, keeps the request's widget events.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()
