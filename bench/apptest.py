"""The app's pages run through Streamlit's AppTest as `streamlit run` would run them, for the
benchmarks and the tests alike."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

REPO_ROOT = Path(__file__).resolve().parent.parent


def open_app(
    page: str | None = None, timeout: float = 30, query: Mapping[str, str] | None = None
) -> AppTest:
    """An AppTest that has run `app.py` (opened with the URL's `query`, if any) and, given a
    page file such as "pages/cost.py", switched to it."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=timeout)
    at.query_params.update(query or {})
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


@contextmanager
def app_on(url: str) -> Iterator[Callable[..., AppTest]]:
    """The app from the checkout on the database at `url`; yields `open_app`.

    Streamlit's caches are cleared on the way in and out, because cached resources (the
    database engine) outlive an AppTest; the working directory and DATABASE_URL are put back
    as they were.
    """
    import streamlit as st

    previous_url, previous_dir = os.environ.get("DATABASE_URL"), os.getcwd()
    os.environ["DATABASE_URL"] = url
    os.chdir(REPO_ROOT)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        yield open_app
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        os.chdir(previous_dir)
        if previous_url is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous_url
