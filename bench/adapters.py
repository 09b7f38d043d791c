"""The calls into the portfolio analysis, cost model, dashboard page and workshop engine.

Kept apart from `measure.py` because they follow those modules' public functions: when one
is missing, `NotAvailable` says so and the benchmark reports "not available" for that row.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from bench.measure import NotAvailable, require


def aggregates_and_cost(frame: pd.DataFrame) -> Callable[[], object]:
    raise NotAvailable("diagnostics.portfolio_analysis / diagnostics.cost are not built yet")


def dashboard_rerun(url: str, repeats: int) -> dict[str, float]:
    raise NotAvailable("pages/portfolio.py is not built yet")


def workshop_round(url: str, participants: int) -> dict[str, float]:
    require("diagnostics.workshop")
    raise NotAvailable("diagnostics.workshop has no vote visibility measure yet")
