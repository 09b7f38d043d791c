"""Reading the values people type into pilot spreadsheets: money, dates, counts, scores, text.

Every parser takes a whole column (a pandas Series of whatever the file held: numbers, text,
datetimes, blanks) and works on it as a whole, so 100,000 rows cost a handful of vectorised
passes rather than a Python loop. Each returns the parsed values plus boolean masks saying
which rows held something that could not be read, so the importer can keep the row and warn.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Texts that mean "nothing given" rather than "something unreadable".
PLACEHOLDERS = frozenset(
    {"", "-", "--", "–", "—", "n/a", "na", "n.a.", "none", "nil", "null", "tbd", "tbc", "?"}
    | {"unknown", "not known", "not available", "not applicable", "#n/a", "nan", "nat"}
)
# Plausible years for a pilot's dates; outside them a value is more likely a typo or a number.
MIN_YEAR = 1970
MAX_YEAR = 2100
# Excel stores dates as days since 1899-12-30; these serials cover MIN_YEAR..MAX_YEAR.
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
MIN_SERIAL = 25569  # 1970-01-01
MAX_SERIAL = 73415  # 2100-12-31

_MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "thousands": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mm": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
}
_CURRENCY = r"[$€£¥]|\b(?:usd|eur|gbp|chf|cad|aud|us\$|dollars?|euros?|pounds?)\b"
_MONEY = re.compile(
    r"^([-+])?\s*([0-9][0-9.,]*)\s*("
    + "|".join(sorted(_MULTIPLIERS, key=len, reverse=True))
    + r")?\.?$"
)
_TIME_SUFFIX = r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?)$"
_QUARTER = re.compile(r"^q([1-4])[\s/-]*((?:19|20)\d{2})$")
_QUARTER_YEAR_FIRST = re.compile(r"^((?:19|20)\d{2})[\s/-]*q([1-4])$")
_DOT_THOUSANDS = r"[1-9]\d{0,2}\.\d{3}"
_SLASH_DATE = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$")


@dataclass(frozen=True)
class Parsed:
    """A parsed column: `values` aligned with the input, and per-row problem masks.

    `invalid` marks rows that held something which could not be read (blank rows and
    placeholders such as "n/a" are missing, not invalid); `negative` marks negative numbers
    where a negative makes no sense (money, counts).
    """

    values: pd.Series
    invalid: pd.Series
    negative: pd.Series

    @property
    def invalid_count(self) -> int:
        return int(self.invalid.sum())


# Helpers ------------------------------------------------------------------------------

# Columns longer than this are parsed once per distinct value, then spread back by code:
# a 100,000-row column of dates or amounts rarely holds more than a few thousand texts.
_DISTINCT_MIN_ROWS = 1000


def _distinct(series: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """Codes and distinct values of a text or mixed column, when that saves work."""
    if len(series) < _DISTINCT_MIN_ROWS or not (
        series.dtype == object or pd.api.types.is_string_dtype(series.dtype)
    ):
        return None
    # A column of IDs or names differs on every row: its first rows say so without hashing
    # all of it (either way the results are the same; this path only saves work).
    head = series.iloc[:_DISTINCT_MIN_ROWS]
    filled = int(head.notna().sum())
    if filled > _DISTINCT_MIN_ROWS // 2 and head.nunique() == filled:
        return None
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) > len(series) // 2:
        return None
    dtype = object if series.dtype == object else series.dtype
    return codes, pd.Series(uniques, dtype=dtype)


def _spread(values: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Per-distinct-value results back onto every row (missing where the cell was blank)."""
    if values.dtype == bool:  # masks: False where the cell was blank, in numpy alone
        flags = values.to_numpy(dtype=bool)
        if not flags.any():
            return pd.Series(np.zeros(len(codes), dtype=bool), index=index)
        return pd.Series(flags[codes] & (codes >= 0), index=index)
    taken = values.array.take(codes, allow_fill=True)
    return pd.Series(taken, index=index)


def _by_distinct_values(parse):
    """Run a column parser on the distinct values only and spread the results back."""

    @functools.wraps(parse)
    def wrapper(series: pd.Series, *args, **kwargs) -> Parsed:
        found = _distinct(series)
        if found is None:
            return parse(series, *args, **kwargs)
        codes, uniques = found
        parsed = parse(uniques, *args, **kwargs)
        index = series.index
        return Parsed(
            _spread(parsed.values, codes, index),
            _spread(parsed.invalid.astype(bool), codes, index),
            _spread(parsed.negative.fillna(False).astype(bool), codes, index),
        )

    return wrapper


def _false(index: pd.Index) -> pd.Series:
    return pd.Series(np.zeros(len(index), dtype=bool), index=index)


def as_text(series: pd.Series) -> pd.Series:
    """The column as stripped text (pandas string dtype); blanks and placeholders become NA.

    Whole numbers stored as floats ("12.0", as spreadsheets hand them over) read as "12".
    """
    found = _distinct(series)
    if found is not None:
        codes, uniques = found
        return _spread(_as_text(uniques), codes, series.index).astype("str")
    return _as_text(series)


def _as_text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(series.dtype):
        text = _whole_numbers_as_text(series, series.astype("str"))
    elif series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) != "string":
        # Mixed cells (numbers, dates and text in one column).
        numbers = pd.to_numeric(series.where(_cell_types(series).isin(_NUMBER_TYPES)))
        text = _whole_numbers_as_text(numbers, series.astype("str"))
    else:
        text = series.astype("str")
    text = text.str.strip()
    missing = series.isna() | text.str.lower().isin(PLACEHOLDERS)
    return text.where(~missing)


_NUMBER_TYPES = (float, int, np.float64, np.int64)
_DATETIME_TYPES = (_dt.datetime, _dt.date, pd.Timestamp)


def _cell_types(series: pd.Series) -> pd.Series:
    """The Python type of each cell of an object column (one C-level pass, no Python loop)."""
    return series.map(type, na_action="ignore")


def _whole_numbers_as_text(numbers: pd.Series, text: pd.Series) -> pd.Series:
    numbers = numbers.astype("float64")
    whole = numbers.notna() & (numbers == np.floor(numbers.fillna(0))) & (numbers.abs() < 2**53)
    if not whole.any():
        return text
    return text.where(~whole, numbers.where(whole).astype("Int64").astype("str"))


def blank(series: pd.Series) -> pd.Series:
    """True where a cell is empty, whitespace or a placeholder such as "n/a"."""
    return as_text(series).isna()


# Money --------------------------------------------------------------------------------


@_by_distinct_values
def parse_money(series: pd.Series) -> Parsed:
    """Amounts such as 1200000, "1,200,000", "$1.2M", "1.2 m", "€ 900k", "(500)", "1.200,50".

    Thousands and decimal separators are told apart per value: the last of "," and "." is the
    decimal mark when both appear; a lone "," or "." followed by exactly three digits groups
    thousands ("120.000" is 120000; "0.125" stays a fraction), otherwise it is a decimal
    mark. Accounting brackets and a minus sign give a negative amount, kept and flagged.
    """
    index = series.index
    if pd.api.types.is_bool_dtype(series.dtype):
        return Parsed(pd.Series(np.nan, index=index), series.notna(), _false(index))
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("float64")
        return Parsed(values, _false(index), values < 0)
    text = as_text(series)
    present = text.notna()
    values = pd.Series(np.nan, index=index, dtype="float64")
    if not present.any():
        return Parsed(values, _false(index), _false(index))
    sub = text[present]
    # "120.000" is a European thousands grouping (money with three decimals is unheard of),
    # so it must not take the plain-number path that would read it as 120.
    grouped = sub.str.fullmatch(_DOT_THOUSANDS).fillna(False).astype(bool)
    direct = pd.to_numeric(sub.where(~grouped), errors="coerce")
    values.loc[direct.index] = direct.to_numpy(dtype="float64", na_value=np.nan)
    rest = sub[direct.isna()]
    if len(rest):
        values.loc[rest.index] = _parse_money_text(rest).to_numpy()
    values = values.where(np.isfinite(values))
    invalid = present & values.isna()
    return Parsed(values, invalid, values < 0)


def _parse_money_text(text: pd.Series) -> pd.Series:
    s = text.str.lower()
    brackets = s.str.startswith("(") & s.str.endswith(")")
    s = s.str.replace(r"^\(|\)$", "", regex=True)
    s = s.str.replace(_CURRENCY, " ", regex=True)
    s = s.str.replace("−", "-", regex=False)  # the Unicode minus sign
    s = s.str.replace(r"(?<=\d)[\s'\u00a0\u202f](?=\d)", "", regex=True)  # 1 200 000, 1'200
    s = s.str.replace(r"\s+", " ", regex=True).str.strip()
    parts = s.str.extract(_MONEY)
    sign, number, unit = parts[0], parts[1].astype("str"), parts[2]
    number = number.str.rstrip(".,")
    n_comma = number.str.count(",")
    n_dot = number.str.count(r"\.")
    last_comma = number.str.rfind(",")
    last_dot = number.str.rfind(".")
    after_comma = number.str.len() - last_comma - 1
    european = (n_comma > 0) & (n_dot > 0) & (last_comma > last_dot)
    decimal_comma = (n_comma == 1) & (n_dot == 0) & (after_comma != 3)
    dots_group = ((n_dot > 1) & (n_comma == 0)) | number.str.fullmatch(_DOT_THOUSANDS)
    plain = number.str.replace(",", "", regex=False)
    swapped = number.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    dotless = number.str.replace(".", "", regex=False)
    chosen = plain.where(~(european | decimal_comma), swapped).where(~dots_group, dotless)
    amount = pd.to_numeric(chosen, errors="coerce").astype("float64")
    factor = unit.map(_MULTIPLIERS).astype("float64").fillna(1.0)
    negative = (sign == "-").fillna(False).astype(bool) | brackets.fillna(False).astype(bool)
    amount = amount * factor
    return amount.where(~negative, -amount)


# Counts -------------------------------------------------------------------------------

_YES = frozenset({"yes", "y", "true", "x", "✓", "✔"})
_NO = frozenset({"no", "n", "false", "none", "nobody", "zero"})


@_by_distinct_values
def parse_count(series: pd.Series) -> Parsed:
    """Whole non-negative numbers such as live users: 250, "1,200", "1.2k".

    A yes/no column reads as 1/0 (someone uses it / nobody does); "none" and "nobody" are a
    real zero here, not a blank. Fractions are invalid, negative numbers flagged.
    """
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        money = parse_money(series)
        values, invalid = money.values, money.invalid
    else:
        raw = series.astype("str").str.strip().str.lower().where(series.notna())
        yes = raw.isin(_YES).fillna(False).astype(bool)
        no = raw.isin(_NO).fillna(False).astype(bool)
        money = parse_money(series.where(~(yes | no)))
        values = money.values.mask(yes, 1.0).mask(no, 0.0)
        invalid = money.invalid & ~(yes | no)
    fractional = values.notna() & (values != np.floor(values.fillna(0)))
    invalid = invalid | fractional
    values = values.where(~fractional)
    return Parsed(values.round().astype("Int64"), invalid, values < 0)


# Scores -------------------------------------------------------------------------------


@_by_distinct_values
def parse_scores(series: pd.Series) -> Parsed:
    """Per-reason scores on a 0–100 scale.

    A column whose numbers all lie in 0–1 is read as shares (0.8 → 80); one whose numbers are
    all whole numbers from 1 to 5 as a five-point scale (1 → 0, 5 → 100); otherwise as 0–100.
    Percent signs are accepted. Values outside the scale are invalid.
    """
    if not pd.api.types.is_numeric_dtype(series.dtype):
        series = as_text(series).str.rstrip("%").str.strip()
    money = parse_money(series)
    values = money.values
    known = values.dropna()
    if len(known) and known.between(0, 1).all() and (known < 1).any():
        values = values * 100
    elif len(known) and known.between(1, 5).all() and (known == known.round()).all():
        values = (values - 1) * 25
    out_of_scale = values.notna() & ~values.between(0, 100)
    values = values.where(~out_of_scale)
    return Parsed(values, money.invalid | out_of_scale, _false(series.index))


# Answers ------------------------------------------------------------------------------

ANSWER_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(["yes", "y", "true", "1", "done", "✓", "✔", "x"], "yes"),
    **dict.fromkeys(["partly", "partially", "partial", "some", "in part", "0.5"], "partly"),
    **dict.fromkeys(["in progress", "in-progress", "ongoing"], "partly"),
    **dict.fromkeys(["no", "n", "false", "0", "not yet"], "no"),
    **dict.fromkeys(["don't know", "dont know", "dont_know", "do not know", "dk"], "dont_know"),
    **dict.fromkeys(["unknown", "not sure", "unsure"], "dont_know"),
    **dict.fromkeys(["n/a", "na", "not applicable", "does not apply"], "na"),
}


def parse_answers(series: pd.Series) -> Parsed:
    """Checklist answers to the keys yes / partly / no / dont_know / na.

    Only the distinct values are looked at, then mapped back onto the column.
    """
    index = series.index
    raw = series.astype("str").str.strip().str.lower().str.replace("’", "'", regex=False)
    raw = raw.str.replace(r"^[a-e]\)\s*", "", regex=True)
    given = series.notna() & (raw != "") & (raw != "nan")
    codes, uniques = pd.factorize(raw.where(given))
    mapped_uniques = np.array([ANSWER_SYNONYMS.get(u) for u in uniques], dtype=object)
    values = pd.Series(np.full(len(index), None, dtype=object), index=index)
    has_code = codes >= 0
    values[has_code] = mapped_uniques[codes[has_code]]
    invalid = given & values.isna()
    return Parsed(values, invalid, _false(index))


# Dates --------------------------------------------------------------------------------


@_by_distinct_values
def parse_dates(series: pd.Series, dayfirst: bool | None = None) -> Parsed:
    """Dates as datetimes (day precision): datetime cells, Excel serial numbers, ISO texts,
    US and European day/month orders, "01/2024", "Jul-25", "July 2025", "Q3 2024", "2025".

    `dayfirst=None` decides the order of "03/04/2025" for the whole column from its values
    (month first, as in the US, unless some first part is above 12); "31.12.2024" with dots
    is always day first.
    Years outside 1970–2100 are flagged as invalid.
    """
    index = series.index
    result = pd.Series(pd.NaT, index=index, dtype="datetime64[us]")
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = series.dt.tz_localize(None) if series.dt.tz is not None else series
        values = values.astype("datetime64[us]").dt.normalize()
        return _date_result(values, series.notna())
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return _date_result(_from_serial(series.astype("float64")), series.notna())
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) != "string":
        # Datetime cells pass through unchanged; everything else is read as text below.
        kinds = _cell_types(series)
        cells = pd.to_datetime(series.where(kinds.isin(_DATETIME_TYPES)), errors="coerce")
        result = cells.astype("datetime64[us]").dt.normalize()
    text = as_text(series)
    present = text.notna()
    todo = text[present & result.isna()].str.lower()
    if len(todo):
        parsed = _parse_date_text(todo, dayfirst)
        result.loc[parsed.index] = parsed.to_numpy()
    return _date_result(result, present)


def _date_result(values: pd.Series, present: pd.Series) -> Parsed:
    years = values.dt.year
    implausible = values.notna() & ((years < MIN_YEAR) | (years > MAX_YEAR))
    values = values.where(~implausible)
    invalid = (present & values.isna()).fillna(False).astype(bool)
    return Parsed(values, invalid, _false(values.index))


def _from_serial(numbers: pd.Series) -> pd.Series:
    ok = numbers.between(MIN_SERIAL, MAX_SERIAL)
    days = numbers.where(ok).fillna(0).astype("int64")
    values = EXCEL_EPOCH + pd.to_timedelta(days, unit="D")
    return values.where(ok).astype("datetime64[us]")


def _choose_dayfirst(text: pd.Series) -> bool:
    """Day first only when some slash date cannot be month first (its first part is over 12)."""
    parts = text.str.extract(_SLASH_DATE)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    return bool((first > 12).any() and not (second > 12).any())


def _parse_date_text(text: pd.Series, dayfirst: bool | None) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    with_digit = text.str.contains(r"\d", regex=True)
    text = text[with_digit]
    if not len(text):
        return out
    iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
    out.loc[iso.index] = iso.astype("datetime64[us]").dt.normalize().to_numpy()
    rest = text[iso.isna()].str.replace(_TIME_SUFFIX, "", regex=True).str.strip()
    rest = rest.str.replace(r"\s*([/.,-])\s*", r"\1", regex=True).str.replace(",", " ")
    rest = rest.str.replace(r"\s+", " ", regex=True).str.replace(r"\bsept\b", "sep", regex=True)
    if not len(rest):
        return out
    if dayfirst is None:
        dayfirst = _choose_dayfirst(rest)
    dm, md = ("%d", "%m"), ("%m", "%d")
    first, second = dm if dayfirst else md
    formats = [
        f"{first}/{second}/%Y",
        f"{first}/{second}/%y",
        f"{first}-{second}-%Y",
        "%d.%m.%Y",
        "%d.%m.%y",
        "%m/%Y",
        "%m-%Y",
        "%m.%Y",
        "%Y/%m/%d",
        "%Y/%m",
        "%b-%y",
        "%b-%Y",
        "%b %Y",
        "%B %Y",
        "%b %y",
        "%d %b %Y",
        "%d %B %Y",
        "%d-%b-%Y",
        "%d-%b-%y",
        "%b %d %Y",
        "%B %d %Y",
        "%Y%m%d",
    ]
    for fmt in formats:
        if not len(rest):
            break
        got = pd.to_datetime(rest, format=fmt, errors="coerce")
        hit = got.notna()
        if hit.any():
            out.loc[got.index[hit]] = got[hit].astype("datetime64[us]").to_numpy()
            rest = rest[~hit]
    if len(rest):
        rest = _parse_quarters(rest, out)
    if len(rest):
        serial = pd.to_numeric(rest, errors="coerce")
        found = _from_serial(serial)
        hit = found.notna()
        out.loc[found.index[hit]] = found[hit].to_numpy()
    return out


def _parse_quarters(rest: pd.Series, out: pd.Series) -> pd.Series:
    """Fill quarters such as "Q3 2024" or "2024-Q3" (first day of the quarter) into `out`."""
    for pattern, q_group, y_group in ((_QUARTER, 0, 1), (_QUARTER_YEAR_FIRST, 1, 0)):
        parts = rest.str.extract(pattern)
        hit = parts[0].notna()
        if hit.any():
            quarter = parts.loc[hit, q_group].astype(int)
            year = parts.loc[hit, y_group].astype(int)
            starts = pd.to_datetime(
                pd.DataFrame({"year": year, "month": (quarter - 1) * 3 + 1, "day": 1})
            )
            out.loc[starts.index] = starts.astype("datetime64[us]").to_numpy()
            rest = rest[~hit]
    return rest


# The parser for each kind of field that is not plain text (ids and text are read with as_text).
PARSERS = {
    "date": parse_dates,
    "money": parse_money,
    "count": parse_count,
    "score": parse_scores,
    "answer": parse_answers,
}
