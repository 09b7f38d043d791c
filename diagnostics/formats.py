"""How amounts and spans of time read everywhere, and the label of a pilot without a unit.

One home for these so that the dashboard, the cost page, the reports and the command line
never disagree on a number's wording or on how many days a month has.
"""

from __future__ import annotations

import math

DAYS_PER_WEEK = 7
DAYS_PER_MONTH = 365.25 / 12  # 30.4375: the mean calendar month
UNASSIGNED = "Unassigned"  # the business unit shown for a pilot that names none


def format_money(amount: float | None) -> str:
    """Short money text without a currency symbol: 1.2bn, 1.2M, 350k, 900; "–" when unknown."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "–"
    size = abs(amount)
    if size >= 1e9:
        return f"{amount / 1e9:.1f}bn"
    if size >= 1e6:
        return f"{amount / 1e6:.1f}M"
    if size >= 1e4:
        return f"{amount / 1e3:.0f}k"
    return f"{amount:,.0f}"
