"""Importing an organisation's spreadsheet of pilots into the canonical portfolio frame.

One call does it all: read the file safely (`spreadsheet`), find the table, map its columns to
our fields (`mapping`), parse every column as a whole (`values`, `stages`) and collect, per
row, what could not be read. Rows are never dropped: a row with an unreadable date or an
unknown stage is kept with a warning, so the counts always match the file.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from diagnostics.errors import DiagnosticError, ImportFileError
from diagnostics.formats import count_of
from diagnostics.portfolio.coverage import Gap, portfolio_gaps
from diagnostics.portfolio.currency import (
    mixed_currency_warning,
    sheet_currencies,
    single_currency,
)
from diagnostics.portfolio.date_conflicts import date_conflicts
from diagnostics.portfolio.fields import (
    ANSWER_PREFIX,
    CANONICAL_COLUMNS,
    DATE_FIELDS,
    FIELD_KEYS,
    FIELDS_BY_KEY,
    SCORE_PREFIX,
    STAGE_RAW,
    kind_of,
)
from diagnostics.portfolio.header_check import check_header
from diagnostics.portfolio.mapping import (
    ColumnMatch,
    MappingProfile,
    auto_map,
    detect_profile,
    header_hint,
    load_profile,
    resolve_mapping,
)
from diagnostics.portfolio.stages import (
    CANONICAL_STAGES,
    STAGE_DTYPE,
    STARTED_STAGES,
    StageText,
    normalise_stages,
    stage_counts,
)
from diagnostics.portfolio.stray_rows import drop_stray_rows, left_out_warning
from diagnostics.portfolio.values import (
    Parsed,
    as_text,
    parse_answers,
    parse_count,
    parse_dates,
    parse_money,
    parse_scores,
)
from diagnostics.sheets.limits import MAX_CELL_CHARS
from diagnostics.sheets.reader import Table, paused_gc, read_table


@dataclass
class PortfolioImport:
    """A portfolio read from a file: the canonical frame and everything the user should see.

    `source` holds the table's own columns (deduplicated headers), aligned row for row with
    `frame`, for exports that keep the original columns. `row_problems` lists, per row and
    field, what could not be read (`row` is the row number in the sheet, 1-based).
    """

    frame: pd.DataFrame
    mapping: dict[str, ColumnMatch]
    warnings: list[str]
    sheet: str | None
    header_row: int
    rows_read: int
    source_hash: str
    filename: str = ""
    sheets: list[str] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    source: pd.DataFrame = field(default_factory=pd.DataFrame)
    row_problems: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmapped_stage_values: dict[str, int] = field(default_factory=dict)
    profile: str | None = None
    stage_texts: tuple[StageText, ...] = ()  # every distinct stage text and what it became
    rows_left_out: int = 0  # rows holding only a stray mark below blank rows: not pilots
    currencies: tuple[str, ...] = ()  # the currencies the money columns name (see currency)

    @property
    def currency(self) -> str | None:
        """The one currency the amounts are written in, or None (none named, or several)."""
        return single_currency(self.currencies)

    def column_of(self, key: str) -> str | None:
        """The sheet's column that feeds a field, or None."""
        match = self.mapping.get(key)
        return match.column if match else None

    def gaps(self) -> list[Gap]:
        """What the portfolio lacks for the first questions (unit, dates, stage)."""
        return portfolio_gaps(self.frame)

    @property
    def rows_imported(self) -> int:
        return len(self.frame)

    @property
    def rows_with_warnings(self) -> int:
        if self.row_problems.empty:
            return 0
        return int(self.row_problems["row"].nunique())

    def stage_counts(self) -> dict[str, int]:
        return stage_counts(self.frame["stage"])

    def production_rate(self) -> float | None:
        """Production ÷ pilots that started (None when none started)."""
        counts = self.stage_counts()
        started = sum(counts[s] for s in STARTED_STAGES)
        return counts["production"] / started if started else None

    def business_units(self) -> dict[str, int]:
        """Pilots per business unit as written in the file (blank ones left out), largest first."""
        counts = self.frame["business_unit"].value_counts()
        return {str(unit): int(n) for unit, n in counts.items()}

    def summary(self) -> dict:
        """What an import found, as plain data (the command line prints it as JSON)."""
        rate = self.production_rate()
        return {
            "file": self.filename,
            "sheet": self.sheet,
            "sheets": self.sheets,
            "hidden_sheets": self.hidden_sheets,
            "header_row": self.header_row,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_with_warnings": self.rows_with_warnings,
            "profile": self.profile,
            "column_mapping": {k: m.to_dict() for k, m in self.mapping.items()},
            "stage_counts": self.stage_counts(),
            "unmapped_stage_values": self.unmapped_stage_values,
            "production_rate": None if rate is None else round(rate, 4),
            "business_unit_column": self.column_of("business_unit"),
            "business_unit_count": int(self.frame["business_unit"].nunique()),
            "business_subunit_column": self.column_of("business_subunit"),
            "business_subunit_count": int(self.frame["business_subunit"].nunique()),
            "date_columns": {key: self.column_of(key) for key in DATE_FIELDS},
            "stage_texts": [t.to_dict() for t in self.stage_texts],
            "rows_left_out": self.rows_left_out,
            "currency": self.currency,
            "currencies": list(self.currencies),
            "missing": [gap.to_dict() for gap in self.gaps()],
            "warnings": self.warnings,
            "source_hash": self.source_hash,
        }


def source_bytes(source: str | Path | bytes) -> bytes:
    """The file's bytes, from a path or bytes as given."""
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise ImportFileError(f"{source}: file not found. Check the path and retry.") from None
    except IsADirectoryError:
        raise ImportFileError(
            f"{source} is a folder, not a file. Give a spreadsheet file."
        ) from None
    except OSError as exc:
        raise ImportFileError(f"{source} cannot be read ({exc.strerror}).") from None


Progress = Callable[[float, str], None]
"""Told the share of the import done (0–1) and the step under way."""


def _silent(_share: float, _step: str) -> None:
    """No progress wanted."""


def import_portfolio(
    source: str | Path | bytes,
    filename: str,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str | None] | None = None,
    stage_overrides: Mapping[str, str] | None = None,
    profile: str | Path | MappingProfile | None = None,
    progress: Progress | None = None,
) -> PortfolioImport:
    """Read a spreadsheet of pilots (path or bytes) into the canonical portfolio frame.

    `filename` gives the file's kind by its extension. `sheet` picks a worksheet (default: the
    one that looks most like a table of pilots); `profile` applies a saved mapping (by name,
    path or object; by default a shipped profile whose headers match applies by itself);
    `mapping` sets field → source column over both (None leaves a field unmapped);
    `stage_overrides` maps stage texts the synonyms table does not know; `progress`, if
    given, is told the share done (0–1) and the step under way as the import moves on, for
    a progress bar on large files. Raises `ImportFileError` with a message saying what is
    wrong and how to fix it.
    """
    data = source_bytes(source)
    name = filename or (Path(source).name if isinstance(source, str | Path) else "the file")
    try:
        with paused_gc():
            return _import(
                data, name, sheet, mapping, stage_overrides, profile, progress or _silent
            )
    except DiagnosticError:
        raise
    except MemoryError:
        raise ImportFileError(
            f"{name} is too large to read in the memory available. Split it into smaller "
            "files, or remove columns you don't need, and upload again."
        ) from None
    except Exception as exc:  # any other failure on hostile input must still read as a message
        raise ImportFileError(
            f"{name} could not be read ({type(exc).__name__}: {str(exc)[:160]}). It may be "
            "damaged or in an unusual layout. Open it in Excel or LibreOffice, save it as "
            ".xlsx or .csv, and upload that."
        ) from exc


# The automatic mapping of the last few sheets read, by the file's bytes, name and the sheet
# read (asked for or picked alike: the import tab asks for the sheet its first read picked
# once a mapping changes): a changed mapping or stage choice reads the same sheet again, and
# the automatic mapping (every column's header and values weighed against every field) was
# 60% of such a read (0.31 of 0.50 s on the 3,611-row federal inventory). Never changed once
# kept.
AUTOMATIC_KEPT = 8
_automatic: OrderedDict[tuple, dict[str, ColumnMatch]] = OrderedDict()
_automatic_lock = threading.Lock()


def _automatic_mapping(key: tuple, table: Table, source: pd.DataFrame) -> dict[str, ColumnMatch]:
    with _automatic_lock:
        kept = _automatic.get(key)
        if kept is not None:
            _automatic.move_to_end(key)
            return kept
    found = auto_map(table.columns, source)
    with _automatic_lock:
        _automatic[key] = found
        while len(_automatic) > AUTOMATIC_KEPT:
            _automatic.popitem(last=False)
    return found


def _import(
    data: bytes,
    name: str,
    sheet: str | None,
    user_mapping: Mapping[str, str | None] | None,
    stage_overrides: Mapping[str, str] | None,
    profile: str | Path | MappingProfile | None,
    progress: Progress,
) -> PortfolioImport:
    # The shares are the steps' measured part of a large xlsx import (docs/scaling.md).
    progress(0.0, "Checking the file and reading its cells")
    table = read_table(data, name, sheet=sheet, header_hint=header_hint)
    source = table.frame()
    row_numbers = pd.Series(table.row_numbers, dtype="int64")
    source, row_numbers, left_out = drop_stray_rows(source, row_numbers, table.header_row)
    progress(0.65, f"Matching the {len(table.columns):,} columns to our fields")
    chosen_profile = _chosen_profile(profile, table.columns)
    automatic = _automatic_mapping(
        (hashlib.sha256(data).digest(), name, table.sheet), table, source
    )
    matches = resolve_mapping(
        table.columns, source, profile=chosen_profile, user=user_mapping, automatic=automatic
    )
    if not user_mapping and chosen_profile is None:  # a matching profile names the header
        check_header(table, matches, name)
    overrides = dict(chosen_profile.stage_overrides) if chosen_profile else {}
    overrides.update(stage_overrides or {})
    progress(0.75, f"Reading stages, dates and amounts of {table.rows:,} rows")
    built = _build_frame(source, matches, overrides, row_numbers)
    warnings = list(table.warnings)
    if chosen_profile is not None and not profile:
        warnings.insert(0, f"Recognised the layout of the {chosen_profile.name}; mapping applied.")
    single_unit = _single_unit(built.frame, matches)
    warnings += _mapping_warnings(matches, skip=("business_unit",) if single_unit else ())
    if single_unit:
        warnings.append(single_unit)
    warnings += built.warnings
    currencies = sheet_currencies(source, {k: m.column for k, m in matches.items()})
    mixed = mixed_currency_warning(currencies)
    if mixed:
        warnings.append(mixed)
    problems = built.problems
    if left_out is not None:
        warnings.append(left_out_warning(left_out))
        problems = pd.concat([problems, left_out], ignore_index=True)
        problems = problems.sort_values(["row", "field"], kind="stable", ignore_index=True)
    progress(1.0, f"Read {_rows(len(built.frame))}")
    return PortfolioImport(
        frame=built.frame,
        mapping=matches,
        warnings=warnings,
        sheet=table.sheet,
        header_row=table.header_row,
        rows_read=table.rows,
        source_hash=hashlib.sha256(data).hexdigest(),
        filename=name,
        sheets=table.sheets,
        hidden_sheets=table.hidden_sheets,
        source=source,
        row_problems=problems,
        unmapped_stage_values=built.unmapped_stages,
        profile=chosen_profile.name if chosen_profile else None,
        stage_texts=built.stage_texts,
        rows_left_out=0 if left_out is None else len(left_out),
        currencies=tuple(currencies),
    )


def _chosen_profile(
    profile: str | Path | MappingProfile | None, columns: list[str]
) -> MappingProfile | None:
    """The mapping profile asked for, or the one whose layout the header matches."""
    if isinstance(profile, MappingProfile):
        return profile
    if profile:
        return load_profile(profile)
    return detect_profile(columns)


def _single_unit(frame: pd.DataFrame, matches: Mapping[str, ColumnMatch]) -> str | None:
    """The warning for a unit column that names one unit on every row (one agency's own
    file), or None: the unit charts would show a single row."""
    column = matches["business_unit"].column
    if not column or len(frame) < 2:
        return None
    units = frame["business_unit"].dropna().unique()
    if len(units) != 1:
        return None
    return (
        f"Every pilot has the same business unit ({str(units[0])[:60]!r}, column "
        f"{column[:60]!r}), so the unit charts show one row. If another column names the "
        "offices, bureaus or departments, choose it as the business unit in the mapping."
    )


def _mapping_warnings(matches: Mapping[str, ColumnMatch], skip: tuple[str, ...] = ()) -> list[str]:
    warnings: list[str] = []
    missing = [
        FIELDS_BY_KEY[k].label.lower()
        for k in ("name", "stage", "business_unit")
        if matches[k].column is None
    ]
    if missing:
        warnings.append(
            f"No column was found for: {', '.join(missing)}. Choose them in the mapping if "
            "the sheet has them."
        )
    for match in matches.values():
        if match.field in skip:
            continue
        if match.column and match.source in ("header", "values") and match.confidence < 0.7:
            label = (
                FIELDS_BY_KEY[match.field].label if match.field in FIELDS_BY_KEY else match.field
            )
            warnings.append(
                f"The column {match.column[:60]!r} was taken as {label.lower()} with low "
                f"confidence ({match.confidence:.2f}); check the mapping."
            )
    return warnings


@dataclass
class _Built:
    frame: pd.DataFrame
    problems: pd.DataFrame
    warnings: list[str]
    unmapped_stages: dict[str, int]
    stage_texts: tuple[StageText, ...] = ()


_PROBLEM_COLUMNS = ["row", "pilot_id", "field", "column", "value", "problem"]


@dataclass(frozen=True)
class _Flag:
    """Rows of one column that could not be read as their field, and why."""

    mask: pd.Series
    problem: str  # as the row report says it
    sentence: str = ""  # the warning after "<n> rows: ", when not "<field> <problem> (e.g. …)"


@dataclass(frozen=True)
class _Read:
    values: pd.Series
    flags: tuple[_Flag, ...] = ()


def _read_text(raw: pd.Series, label: str) -> _Read:
    text, cut = _text_and_cut(raw)
    sentence = f"{label} longer than {MAX_CELL_CHARS:,} characters was cut to that length."
    return _Read(text, (_Flag(cut, "text cut to the cell limit", sentence),))


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
# "03/15", "15.03.", "March 15", "15 Mar", "March": a day or month with no year.
_NO_YEAR = re.compile(
    rf"^(?:\d{{1,2}}[/.-]\d{{1,2}}\.?|\d{{1,2}}(?:st|nd|rd|th)?[\s-]*{_MONTH}|"
    rf"{_MONTH}(?:[\s-]*\d{{1,2}}(?:st|nd|rd|th)?)?)$"
)


def _read_dates(raw: pd.Series, _label: str) -> _Read:
    parsed = parse_dates(raw)
    invalid = parsed.invalid.fillna(False).astype(bool)
    no_year = pd.Series(False, index=invalid.index)
    if invalid.any():
        text = as_text(raw[invalid]).str.strip().str.lower()
        no_year.loc[text.index] = text.str.match(_NO_YEAR).fillna(False).to_numpy(dtype=bool)
    return _Read(
        parsed.values.astype("datetime64[ns]"),
        (
            _Flag(invalid & ~no_year, "not a date"),
            _Flag(no_year, "date without a year (left blank, not guessed)"),
        ),
    )


def _read_money(raw: pd.Series, _label: str) -> _Read:
    return _read_positive(parse_money(raw), "not an amount", "negative amount (left out)")


def _read_count(raw: pd.Series, _label: str) -> _Read:
    return _read_positive(parse_count(raw), "not a whole number", "negative (left out)")


def _read_positive(parsed: Parsed, unreadable: str, negative: str) -> _Read:
    """Numbers as floats; a negative one is flagged and left blank."""
    values = parsed.values.astype("float64")
    values = values.where(~parsed.negative.fillna(False).astype(bool))
    return _Read(values, (_Flag(parsed.invalid, unreadable), _Flag(parsed.negative, negative)))


def _read_scores(raw: pd.Series, _label: str) -> _Read:
    parsed = parse_scores(raw)
    return _Read(parsed.values.astype("float64"), (_Flag(parsed.invalid, "not a score 0-100"),))


def _read_answers(raw: pd.Series, _label: str) -> _Read:
    parsed = parse_answers(raw)
    return _Read(parsed.values.astype("str"), (_Flag(parsed.invalid, "not an answer"),))


# How each kind of field is read from its column, and what it holds when no column feeds it.
_READERS = {
    "id": _read_text,
    "text": _read_text,
    "date": _read_dates,
    "money": _read_money,
    "count": _read_count,
    "score": _read_scores,
    "answer": _read_answers,
}
_EMPTY = {
    "id": (pd.NA, "str"),
    "text": (pd.NA, "str"),
    "date": (pd.NaT, "datetime64[ns]"),
    "money": (np.nan, "float64"),
    "count": (np.nan, "float64"),
}


def _build_frame(
    source: pd.DataFrame,
    matches: Mapping[str, ColumnMatch],
    stage_overrides: Mapping[str, str],
    row_numbers: pd.Series,
) -> _Built:
    """Parse every mapped column as a whole; collect per-row problems as masks."""
    n = len(source)
    index = pd.RangeIndex(n)
    out: dict[str, pd.Series] = {}
    problems: list[tuple[str, str, pd.Series, str]] = []  # field, column, mask, problem
    warnings: list[str] = []
    unmapped: dict[str, int] = {}
    texts: tuple[StageText, ...] = ()
    extra = sorted(k for k in matches if k.startswith((SCORE_PREFIX, ANSWER_PREFIX)))

    for key in (*FIELD_KEYS, *extra):
        match = matches.get(key)
        kind = kind_of(key)
        if match is None or match.column is None:
            if kind in _EMPTY:
                value, dtype = _EMPTY[kind]
                out[key] = pd.Series(value, index=index, dtype=dtype)
            continue
        raw = source[match.column].reset_index(drop=True)
        if kind == "stage":
            unmapped, texts = _read_stage(
                raw, match.column, stage_overrides, out, problems, warnings
            )
            continue
        read = _READERS[kind](raw, _label(key).lower())
        out[key] = read.values
        for flag in read.flags:
            _note(problems, warnings, key, match.column, flag, raw)
    if "stage" not in out:
        out["stage"] = pd.Series(pd.Categorical(["unknown"] * n, dtype=STAGE_DTYPE), index=index)
        out[STAGE_RAW] = pd.Series(pd.NA, index=index, dtype="str")
        warnings.append("No stage column is mapped, so every pilot counts as unknown.")

    ids = out["pilot_id"]
    generated = "row-" + row_numbers.astype("str")
    missing_id = ids.isna()
    out["pilot_id"] = ids.where(~missing_id, generated).astype("str")
    if matches["pilot_id"].column and missing_id.any():
        warnings.append(
            f"No ID in {_rows(int(missing_id.sum()))}; each was given one from its row number "
            "(row-<n>)."
        )
    duplicated = _repeated(out["pilot_id"]) & ~missing_id
    if duplicated.any():
        warnings.append(
            f"The same ID appears on more than one row in {_rows(int(duplicated.sum()))}; all "
            "were kept."
        )
    if matches["name"].column:
        no_name = out["name"].isna()
        problems.append(("name", matches["name"].column, no_name, "no name"))
        if no_name.any():
            warnings.append(f"No name in {_rows(int(no_name.sum()))}; kept, shown by their ID.")
    problems += date_conflicts(out, matches, warnings)

    frame = pd.DataFrame({c: out[c] for c in (*CANONICAL_COLUMNS, *[k for k in extra if k in out])})
    problem_frame = _problem_frame(problems, source, row_numbers, frame["pilot_id"])
    if not problem_frame.empty:
        rows_with = problem_frame["row"].nunique()
        warnings.append(
            f"{_rows(len(frame))} imported, {rows_with:,} with warnings (see the row report)."
        )
    return _Built(frame, problem_frame, warnings, unmapped, texts)


def _read_stage(
    raw: pd.Series,
    column: str,
    overrides: Mapping[str, str],
    out: dict[str, pd.Series],
    problems: list,
    warnings: list[str],
) -> tuple[dict[str, int], tuple[StageText, ...]]:
    """The canonical stage and the stage as written; returns the texts no stage matched and
    every distinct text with the stage it became."""
    # The column read as text once: the stage of text already read is the same.
    stage_text = as_text(raw)
    normalised = normalise_stages(stage_text, overrides=overrides)
    out["stage"] = normalised.stages
    out[STAGE_RAW] = _cut(stage_text)[0]
    unmapped = normalised.unmapped
    if unmapped:
        listed = ", ".join(f"{t[:60]!r} ({c})" for t, c in list(unmapped.items())[:10])
        more = f" and {len(unmapped) - 10} more" if len(unmapped) > 10 else ""
        warnings.append(
            f"Stage texts that match no stage, in {_rows(sum(unmapped.values()))}: "
            f"{listed}{more}. They count as unknown until you map them to a stage."
        )
        known = out[STAGE_RAW].isin(list(unmapped))
        problems.append(("stage", column, known.fillna(False), "stage not recognised"))
    if normalised.blank_count:
        warnings.append(f"No stage in {_rows(normalised.blank_count)}; counted as unknown.")
    return unmapped, normalised.texts


def _repeated(values: pd.Series) -> pd.Series:
    """`values.duplicated(keep=False)` (every row whose value appears more than once), from
    the value codes: a fifth of the time on 100,000 text IDs."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    counts = np.bincount(codes, minlength=len(uniques))
    return pd.Series(counts[codes] > 1, index=values.index)


def _text_and_cut(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The column as text, cut to the cell limit, and which rows were cut."""
    return _cut(as_text(raw))


def _cut(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text cut to the cell limit, and which rows were cut."""
    too_long = (text.str.len() > MAX_CELL_CHARS).fillna(False).astype(bool)
    if too_long.any():
        text = text.where(~too_long, text.str.slice(0, MAX_CELL_CHARS))
    return text.astype("str"), too_long


def _label(key: str) -> str:
    return FIELDS_BY_KEY[key].label if key in FIELDS_BY_KEY else key


def _rows(count: int) -> str:
    return count_of(count, "row")


def _note(
    problems: list,
    warnings: list[str],
    key: str,
    column: str,
    flag: _Flag,
    raw: pd.Series,
) -> None:
    mask = flag.mask.fillna(False).astype(bool).reset_index(drop=True)
    count = int(mask.sum())
    if not count:
        return
    problems.append((key, column, mask, flag.problem))
    example = str(raw[mask].iloc[0])[:40]
    sentence = flag.sentence or f"{_label(key).lower()} {flag.problem} (e.g. {example!r})."
    warnings.append(f"{_rows(count)}: {sentence}")


def _problem_frame(
    problems: list[tuple[str, str, pd.Series, str]],
    source: pd.DataFrame,
    row_numbers: pd.Series,
    pilot_ids: pd.Series,
) -> pd.DataFrame:
    parts = []
    for key, column, mask, problem in problems:
        mask = mask.fillna(False).astype(bool).reset_index(drop=True)
        if not mask.any():
            continue
        where = np.flatnonzero(mask.to_numpy())
        values = (
            source[column].iloc[where].astype("str").str.slice(0, 100).to_numpy()
            if column in source
            else np.full(len(where), "")
        )
        parts.append(
            pd.DataFrame(
                {
                    "row": row_numbers.to_numpy()[where],
                    "pilot_id": pilot_ids.to_numpy()[where],
                    "field": key,
                    "column": column,
                    "value": values,
                    "problem": problem,
                }
            )
        )
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in _PROBLEM_COLUMNS})
    return pd.concat(parts, ignore_index=True).sort_values(["row", "field"], kind="stable")


__all__ = [
    "CANONICAL_COLUMNS",
    "CANONICAL_STAGES",
    "ColumnMatch",
    "PortfolioImport",
    "import_portfolio",
]
