"""The currency a portfolio's amounts are written in, read from the sheet itself.

Money cells such as "€ 900k", "$1.2M" or "120,000 EUR" and headers such as "Budget (GBP)"
name their currency; the amounts are read without it (`values.parse_money`), so it is looked
for here, once per import. One currency named: the portfolio's amounts are in it, and the
reports say so. None named, or several: nothing is guessed and nothing is converted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

# Symbols and words people write beside amounts, and the code each stands for. A bare "$"
# is read as US dollars, as spreadsheets and the federal inventories use it; "C$" and "A$"
# name their own dollars.
_SIGNS: dict[str, str] = {
    "us$": "USD",
    "c$": "CAD",
    "ca$": "CAD",
    "a$": "AUD",
    "au$": "AUD",
    "$": "USD",
    "€": "EUR",
    "£": "GBP",
    "₺": "TRY",
    "₹": "INR",
    "dollar": "USD",
    "dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
}
# Three-letter codes looked for as words (a header "Budget (EUR)", a cell "120,000 CHF").
_CODES = (
    "USD", "EUR", "GBP", "TRY", "CHF", "JPY", "CAD", "AUD", "INR", "SEK", "NOK", "DKK", "PLN",
    "CZK", "HUF", "CNY", "SGD", "HKD", "NZD", "ZAR", "BRL", "MXN",
)  # fmt: skip
# Codes count in capitals only: "try" or "cad" in a header is a word, "TRY" a currency.
_PATTERN = re.compile(
    r"(?i:(?<![a-z])(?:us|ca?|au?)\$|\$|€|£|₺|₹|\b(?:dollars?|euros?|pounds?)\b)"
    r"|\b(?:" + "|".join(_CODES) + r")\b"
)
MONEY_FIELDS = ("pilot_budget", "production_estimate", "expected_annual_value")
MAX_DISTINCT = 5_000  # distinct cell texts looked at per column: enough to find the sign


def currencies_in(texts: Iterable[object]) -> set[str]:
    """The currency codes the texts name (symbols, words or codes)."""
    found: set[str] = set()
    for text in texts:
        if text is None or (isinstance(text, float) and pd.isna(text)):
            continue
        for sign in _PATTERN.findall(str(text)):
            sign = sign.lower()
            found.add(_SIGNS.get(sign) or sign.upper())
    return found


def sheet_currencies(source: pd.DataFrame, columns: Mapping[str, str | None]) -> list[str]:
    """The currencies named by the money columns of a sheet (`columns`: field -> the
    sheet's column), in their headers or cells; sorted."""
    found: set[str] = set()
    for field in MONEY_FIELDS:
        column = columns.get(field)
        if not column or column not in source:
            continue
        found |= currencies_in([column])
        values = source[column]
        if pd.api.types.is_numeric_dtype(values.dtype):
            continue  # typed numbers: only the header can name the currency
        distinct = values.dropna().astype(str).drop_duplicates().head(MAX_DISTINCT)
        found |= currencies_in(distinct)
    return sorted(found)


def single_currency(codes: Iterable[str]) -> str | None:
    """The currency when exactly one is named, else None (none, or several)."""
    codes = sorted(set(codes))
    return codes[0] if len(codes) == 1 else None


def mixed_currency_warning(codes: Iterable[str]) -> str | None:
    """What to tell the user when the money columns name more than one currency."""
    codes = sorted(set(codes))
    if len(codes) < 2:
        return None
    return (
        f"The amounts name more than one currency ({', '.join(codes)}); they are added up as "
        "written, not converted. Convert them to one currency in the sheet and import it again."
    )
