"""Work done once per server process, in the background, so that nobody's first visit of a
page pays for it: importing the pages' modules (about 2 s of a cold start on two cores),
matplotlib's first drawing (its fonts), the newest portfolio's analysis and charts and the
organisation view's profile and charts for the pilots it opens on, all of which the server
knows from the moment it starts.

Started at the end of the first run of `app.py`, so that it never delays the first page;
a page asked for meanwhile simply waits for the module or cache entry being prepared.
"""

from __future__ import annotations

import importlib
import sys
import threading
from datetime import date
from pathlib import Path

from diagnostics.logging_setup import log_error

PAGE_MODULES = (
    "ui.assessment",
    "ui.portfolio_dashboard",
    "ui.portfolio_import",
    "ui.cost_view",
    "ui.organisation_view",
    "ui.actions_view",
    "ui.workshop_console",
    "ui.workshop_join",
    "diagnostics.render.page_charts",
)
_lock = threading.Lock()
_started = False


def start() -> None:
    """Start warming up in a background thread, once per process."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_warm_up, name="poc-trap-warm-up", daemon=True).start()


def _served() -> bool:
    """True under `streamlit run app.py` (which puts the script first in sys.argv); page
    tests run the app inside the test process, against a database of their own."""
    return Path(sys.argv[0]).name == "app.py"


def _warm_up() -> None:
    try:
        for name in PAGE_MODULES:
            importlib.import_module(name)
        _first_drawing()
        if _served():
            _demo_portfolio()
            _organisation_view()
    except Exception as exc:  # a warm-up that fails only leaves the first visit slower
        log_error("warm_up_failed", exc)


def _first_drawing() -> None:
    from diagnostics.render import page_charts

    bars = [page_charts.Bar("Warm-up", (1.0,), "1")]
    page_charts.stacked_bars(bars, [("Warm-up", "#1f5fa8")], "Warm-up").svg()


def _demo_portfolio() -> None:
    """The newest saved portfolio's analysis and charts as the dashboard opens it today."""
    from diagnostics.storage import portfolios
    from ui import cache

    records = portfolios.list_portfolios(cache.engine())
    if not records:
        return
    readiness = cache.readiness_key()
    as_of = date.today().isoformat()
    cache.portfolio_analysis(records[0].id, as_of, readiness)
    cache.portfolio_charts(records[0].id, as_of, readiness)


def _organisation_view() -> None:
    """The organisation view's profile and charts for the scope it opens on by default."""
    from ui import cache
    from ui.organisation_scope import default_scope

    scope = default_scope(cache.engine())
    if scope is not None:
        cache.organisation_data(cache.readiness_key(), scope.pilots)
