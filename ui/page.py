"""What a page opens with: its title, a paragraph saying what it is for, and what its body
works with (the content, the database, today's date)."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import streamlit as st
from sqlalchemy import Engine

from diagnostics.framework.content import Content
from ui import cache


class PageStart(NamedTuple):
    content: Content
    engine: Engine
    today: date


def open_page(title: str, intro: str) -> PageStart:
    """Show the page's title and what it is for; return what its body works with."""
    start = PageStart(cache.content(), cache.engine(), date.today())
    st.title(title)
    st.write(intro)
    return start
