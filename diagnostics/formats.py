"""How amounts and spans of time read everywhere, and the label of a pilot without a unit.

One home for these so that the dashboard, the cost page, the reports and the command line
never disagree on a number's wording or on how many days a month has.
"""

from __future__ import annotations

import math
import re

from diagnostics.errors import DiagnosticError

DAYS_PER_WEEK = 7
DAYS_PER_MONTH = 365.25 / 12  # 30.4375: the mean calendar month
UNASSIGNED = "Unassigned"  # the business unit shown for a pilot that names none

# The product never converts money: amounts are in whatever currency the organisation uses.
# A currency setting (none by default) only names it, so "520k" reads "EUR 520k". Offered
# first in pickers; any other three-letter (ISO 4217) code is accepted as well.
COMMON_CURRENCIES: tuple[str, ...] = ("EUR", "USD", "GBP", "TRY", "CHF", "JPY", "CAD", "AUD")
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def normalise_currency(value: object) -> str | None:
    """ "eur " -> "EUR"; blank or None -> None; anything but three letters is refused."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip().upper()
    if not text or text == "NONE":
        return None
    if not _CURRENCY_CODE.match(text):
        raise DiagnosticError(
            f"Currency {value!r} is not a three-letter code; use one like "
            f"{', '.join(COMMON_CURRENCIES[:4])}, or leave it empty for none."
        )
    return text


def format_money(amount: float | None, currency: str | None = None) -> str:
    """Short money text: 1.2bn, 1.2M, 350k, 900, led by the currency when one is set
    (EUR 1.2M); "–" when unknown."""
    if amount is None or (isinstance(amount, float) and math.isnan(amount)):
        return "–"
    size = abs(amount)
    if size >= 1e9:
        text = f"{amount / 1e9:.1f}bn"
    elif size >= 1e6:
        text = f"{amount / 1e6:.1f}M"
    elif size >= 1e4:
        text = f"{amount / 1e3:.0f}k"
    else:
        text = f"{amount:,.0f}"
    return f"{currency} {text}" if currency else text


def with_currency(label: str, currency: str | None) -> str:
    """A column heading or label naming the currency: `Pilot budget (EUR)`."""
    return f"{label} ({currency})" if currency else label


def count_of(n: int, word: str, plural: str | None = None) -> str:
    """A count with its noun agreeing: 1 row, 2 rows, 1,200 pilots."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"
