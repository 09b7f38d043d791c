"""Cache wrappers around engine calls. The engine stays free of streamlit; pages call these.

The content and the database engine are shared, read-only resources (cache_resource: one
object for every session, never copied); parsed files and computed tables are cache_data.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from diagnostics import store
from diagnostics.content import Content, load_content


@st.cache_resource(show_spinner=False)
def content() -> Content:
    return load_content()


@st.cache_resource(show_spinner="Opening the database…")
def engine() -> Engine:
    """The database engine; migrates an empty or older database to the current schema."""
    db = store.make_engine()
    if store.current_revision(db) != store.head_revision():
        store.migrate(db)
    return db
