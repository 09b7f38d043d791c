"""Parsing the values people type into pilot spreadsheets: money, dates, counts, scores, answers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnostics.portfolio import values


def _obj(values) -> pd.Series:
    return pd.Series(values, dtype=object)


# Money ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("$1.2M", 1_200_000),
        ("1,200,000", 1_200_000),
        ("1.2 m", 1_200_000),
        ("€ 900k", 900_000),
        ("EUR 1,5 Mio", 1_500_000),
        ("USD 2.5 million", 2_500_000),
        ("1.200,50", 1200.5),
        ("1.234.567", 1_234_567),
        ("120.000", 120_000),
        ("€ 1.500", 1500),
        ("0.125", 0.125),
        ("12.50", 12.5),
        ("12,5", 12.5),
        ("1 200 000", 1_200_000),
        ("£3bn", 3e9),
        (1200, 1200),
        (1200.5, 1200.5),
    ],
)
def test_money_spellings_read_as_amounts(text, amount):
    parsed = values.parse_money(_obj([text]))
    assert parsed.values.iloc[0] == pytest.approx(amount)
    assert not parsed.invalid.iloc[0]
    assert not parsed.negative.iloc[0]


def test_money_negative_bracketed_and_unreadable_are_flagged_not_dropped():
    parsed = values.parse_money(_obj(["-3", "(500)", "abc", "", None, "n/a", "12 apples"]))
    assert parsed.values.iloc[0] == -3
    assert parsed.values.iloc[1] == -500
    assert parsed.negative.tolist() == [True, True, False, False, False, False, False]
    assert parsed.invalid.tolist() == [False, False, True, False, False, False, True]
    assert len(parsed.values) == 7


@settings(max_examples=60, deadline=None)
@given(
    amount=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(["", "$", "€ ", "£", "USD ", "EUR "]),
)
def test_money_thousands_separators_round_trip(amount, currency):
    """Any whole amount written with comma thousands separators and a currency reads back."""
    parsed = values.parse_money(_obj([f"{currency}{amount:,}"]))
    assert parsed.values.iloc[0] == pytest.approx(amount)
    assert not parsed.invalid.iloc[0]


@settings(max_examples=60, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10**11),
    style=st.sampled_from(["us", "europe"]),
)
def test_money_decimal_marks_round_trip(cents, style):
    """Amounts with cents, US style (1,234.56) and European style (1.234,56), read back."""
    units, rest = divmod(cents, 100)
    us = f"{units:,}.{rest:02d}"
    text = us if style == "us" else us.replace(",", "_").replace(".", ",").replace("_", ".")
    parsed = values.parse_money(_obj([text]))
    assert parsed.values.iloc[0] == pytest.approx(cents / 100)


@settings(max_examples=50, deadline=None)
@given(
    value=st.decimals(min_value=0, max_value=999, places=1, allow_nan=False),
    unit=st.sampled_from([("k", 1e3), ("K", 1e3), ("m", 1e6), ("M", 1e6), (" million", 1e6)]),
)
def test_money_multipliers(value, unit):
    suffix, factor = unit
    parsed = values.parse_money(_obj([f"{value}{suffix}"]))
    assert parsed.values.iloc[0] == pytest.approx(float(value) * factor)


def test_money_large_column_matches_row_by_row():
    """The distinct-value shortcut for long columns gives the same result as parsing each row."""
    pool = ["$1.2M", "1,200,000", "abc", None, "n/a", "-3", "(5)", 1200.0, "€ 900k"]
    rng = np.random.default_rng(3)
    column = _obj([pool[i] for i in rng.integers(0, len(pool), size=5000)])
    parsed = values.parse_money(column)
    expected = {
        "$1.2M": 1.2e6,
        "1,200,000": 1.2e6,
        "-3": -3,
        "(5)": -5,
        1200.0: 1200,
        "€ 900k": 9e5,
    }
    for raw, value in zip(column, parsed.values, strict=True):
        if raw in expected:
            assert value == pytest.approx(expected[raw])
        else:
            assert np.isnan(value)
    assert parsed.invalid.sum() == (column == "abc").sum()


# Dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2025-06-30", "2025-06-30"),
        ("2025-06-30 00:00:00", "2025-06-30"),
        ("06/2019", "2019-06-01"),
        ("9/30/2025 0:00", "2025-09-30"),
        ("10/01/2019 12:00:00 AM", "2019-10-01"),
        ("Apr-25", "2025-04-01"),
        ("July 2025", "2025-07-01"),
        ("Q3 2024", "2024-07-01"),
        ("2024-Q4", "2024-10-01"),
        ("31.12.2024", "2024-12-31"),
        ("2025", "2025-01-01"),
        (dt.datetime(2025, 6, 30, 14, 5), "2025-06-30"),
        (45000, "2023-03-15"),  # an Excel serial number
    ],
)
def test_date_spellings(cell, expected):
    parsed = values.parse_dates(_obj([cell]))
    assert parsed.values.iloc[0] == pd.Timestamp(expected)
    assert not parsed.invalid.iloc[0]


def test_dates_month_first_unless_a_day_is_above_12():
    us = values.parse_dates(_obj(["03/04/2025", "12/31/2024"]))
    assert us.values.tolist() == [pd.Timestamp("2025-03-04"), pd.Timestamp("2024-12-31")]
    eu = values.parse_dates(_obj(["03/04/2025", "31/12/2024"]))
    assert eu.values.tolist() == [pd.Timestamp("2025-04-03"), pd.Timestamp("2024-12-31")]


def test_unreadable_and_implausible_dates_are_flagged():
    parsed = values.parse_dates(_obj(["garbage", "1850-01-01", "", None, "tbd", "2024-02-30"]))
    assert parsed.values.isna().all()
    assert parsed.invalid.tolist() == [True, True, False, False, False, True]


@settings(max_examples=60, deadline=None)
@given(
    day=st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2099, 12, 31)),
    fmt=st.sampled_from(["%Y-%m-%d", "%m/%d/%Y", "%d %b %Y", "%d %B %Y", "%B %d, %Y", "%d.%m.%Y"]),
)
def test_date_formats_round_trip(day, fmt):
    """A date written in any common unambiguous format reads back as that day."""
    parsed = values.parse_dates(_obj([day.strftime(fmt)]))
    assert parsed.values.iloc[0] == pd.Timestamp(day)


@settings(max_examples=60, deadline=None)
@given(days=st.lists(st.dates(dt.date(1971, 1, 1), dt.date(2099, 12, 31)), min_size=1, max_size=30))
def test_excel_serials_round_trip(days):
    serials = [(d - dt.date(1899, 12, 30)).days for d in days]
    parsed = values.parse_dates(pd.Series(serials, dtype="float64"))
    assert parsed.values.tolist() == [pd.Timestamp(d) for d in days]


# Counts, scores, answers, text ---------------------------------------------------------------


def test_counts():
    parsed = values.parse_count(
        _obj(["250", "1,200", "1.2k", "yes", "none", "2.5", "-4", None, "lots"])
    )
    assert parsed.values.tolist()[:5] == [250, 1200, 1200, 1, 0]
    assert parsed.invalid.tolist() == [False] * 5 + [True, False, False, True]
    assert parsed.negative.tolist()[6]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["0.8", "0.25", "1"], [80, 25, 100]),  # shares
        (["1", "3", "5"], [0, 50, 100]),  # a five-point scale
        (["80%", "45", "100"], [80, 45, 100]),
    ],
)
def test_scores_on_a_0_to_100_scale(cells, expected):
    assert values.parse_scores(_obj(cells)).values.tolist() == expected


def test_scores_out_of_scale_are_invalid():
    parsed = values.parse_scores(_obj(["50", "140"]))
    assert parsed.invalid.tolist() == [False, True]
    assert np.isnan(parsed.values.iloc[1])


def test_answers():
    parsed = values.parse_answers(
        _obj(["Yes", "a) No", "Partly", "Don't know", "N/A", "maybe", None])
    )
    assert parsed.values.tolist()[:5] == ["yes", "no", "partly", "dont_know", "na"]
    assert parsed.invalid.tolist() == [False] * 5 + [True, False]


def test_as_text_whole_numbers_and_placeholders():
    text = values.as_text(_obj([12.0, " Finance ", "n/a", "", None, 3.5]))
    assert text.tolist()[:2] == ["12", "Finance"]
    assert text.iloc[2:5].isna().all()
    assert text.iloc[5] == "3.5"


@pytest.mark.parametrize(
    "parse", [values.parse_money, values.parse_count, values.parse_dates, values.parse_scores]
)
def test_long_columns_read_the_same_as_short_ones(parse):
    """Columns of 1,000+ rows are parsed per distinct value (or row by row when their first
    rows all differ); either way each row reads as it does in a short column."""
    cells = ["$1.2M", "", "n/a", "120.000", 5.0, None, "abc", "(500)", "2024-03-01", "45352"]
    cells += ["Q3 2024", "1,5", "yes", "80%", 0.5, float("nan"), "31/12/2024"]
    ids = [f"AI-{i}" for i in range(1_200)]  # a first stretch where every row differs
    for rows in (cells * 120, ids + cells * 120):
        long = pd.Series(rows, dtype=object)
        whole = parse(long)
        parts = [parse(long.iloc[i : i + 400]) for i in range(0, len(long), 400)]
        for name in ("values", "invalid", "negative"):
            joined = pd.concat([getattr(p, name) for p in parts])
            pd.testing.assert_series_equal(
                getattr(whole, name), joined, check_dtype=False, obj=name
            )
