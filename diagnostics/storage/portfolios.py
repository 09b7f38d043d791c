"""Saved portfolios: each upload is a named version, stored row by row in canonical form.

A save is one transaction with bulk inserts, so a failure half-way leaves nothing behind. A
new upload under an existing name becomes that portfolio's next version; older versions stay,
so two of them can be compared for pilots that vanished without being marked retired.
Loading gives back the canonical frame the importer produced (see `portfolio_import`).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from diagnostics.errors import DiagnosticError, NotFoundError, StorageError
from diagnostics.formats import count_of
from diagnostics.portfolio.currency import single_currency
from diagnostics.portfolio.fields import (
    CANONICAL_COLUMNS,
    DATE_FIELDS,
    NUMBER_FIELDS,
    STAGE_RAW,
    TEXT_FIELDS,
)
from diagnostics.portfolio.stages import STAGE_DTYPE
from diagnostics.sheets.reader import paused_gc
from diagnostics.storage.models import Portfolio, PortfolioPilot, utcnow
from diagnostics.storage.rows import record_from

TEXT_COLUMNS = TEXT_FIELDS
DATE_COLUMNS = DATE_FIELDS
NUMBER_COLUMNS = NUMBER_FIELDS
CORE_COLUMNS = CANONICAL_COLUMNS
EXTRA_PREFIXES = ("score_", "answer_")
MAX_NAME_LENGTH = 200
CHUNK_ROWS = 5_000  # rows per INSERT round trip: bounds memory, keeps PostgreSQL fast
DEMO_NAME = "Demo portfolio"
DEMO_ROWS = 260
DEMO_DROPPED_EVERY = 19  # every 19th open pilot of the older demo version vanishes later
DEMO_STRONG_EVERY = 7  # every 7th open demo pilot is well prepared
DEMO_WEAK_LINK_EVERY = 3  # ... and every 3rd of those has one weak reason
DEMO_WEAK_LINK_SCORE = "30"


@dataclass(frozen=True)
class PortfolioRecord:
    """A saved portfolio version, without its rows."""

    id: int
    name: str
    version: int
    source_filename: str | None
    source_hash: str | None
    sheet: str | None
    created_at: datetime
    row_count: int
    is_demo: bool

    @property
    def label(self) -> str:
        """How pickers show it: name, version, size and date."""
        when = self.created_at.strftime("%d %b %Y %H:%M") if self.created_at else ""
        return f"{self.name} · v{self.version} · {count_of(self.row_count, 'pilot')} · {when}"


def extra_columns(frame: pd.DataFrame) -> list[str]:
    """The per-reason score and per-question answer columns of a canonical frame."""
    return [c for c in frame.columns if str(c).startswith(EXTRA_PREFIXES)]


def _plain(value: Any) -> Any:
    """Something JSON can hold, from the importer's mapping objects."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain(dataclasses.asdict(value))
    if hasattr(value, "model_dump"):
        return _plain(value.model_dump())
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, np.generic):
        return _plain(value.item())
    return str(value)


def _clean_name(name: str) -> str:
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise DiagnosticError("Give the portfolio a name, for example “AI pilots 2026”.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise DiagnosticError(
            f"The portfolio name is {len(cleaned)} characters long; keep it to "
            f"{MAX_NAME_LENGTH} or fewer."
        )
    return cleaned


# Words a file name picks up on its way (exports, copies, downloads), not part of the name.
_NAME_DEBRIS = re.compile(
    r"(?i)^(?:copy of\s+)+|\s*\(\d+\)\s*$"
    r"|(?<![a-z0-9])(?:raw|copy|final|export(?:ed)?|download(?:ed)?)(?![a-z0-9])"
)


def default_portfolio_name(filename: str) -> str:
    """A clean name from an uploaded file's name: "raw_AI-inventory__2025 (1).xlsx" →
    "AI inventory 2025". Underscores and runs of spaces or dashes become one space."""
    stem = PurePath(str(filename or "").replace("\\", "/")).stem
    words = re.sub(r"[_\s]+|(?<=\s)-+|-+(?=\s)|-{2,}", " ", stem)
    words = re.sub(r"(?<=[A-Za-z])-(?=[A-Za-z]{3,})", " ", words)
    cleaned = " ".join(_NAME_DEBRIS.sub(" ", words).split()).strip(" -.")
    return (cleaned or "Portfolio")[:MAX_NAME_LENGTH]


def versions_named(engine: Engine, name: str) -> list[PortfolioRecord]:
    """The saved versions under a name (compared as a save would clean it), newest first."""
    try:
        cleaned = _clean_name(name)
    except DiagnosticError:
        return []
    return [r for r in list_portfolios(engine) if r.name == cleaned]


def _objects(series: pd.Series) -> list:
    """Column values as Python objects, None where missing (what the driver wants)."""
    return series.astype(object).where(series.notna(), None).tolist()


def _dates(series: pd.Series) -> list:
    """ISO dates ("2026-05-04"), None where missing: the text SQLAlchemy's SQLite DATE type
    stores, and what PostgreSQL reads with a cast. Written once per distinct day."""
    values = pd.to_datetime(series, errors="coerce")
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    codes, uniques = pd.factorize(days, use_na_sentinel=True)
    text = np.datetime_as_string(np.asarray(uniques, dtype="datetime64[D]"), unit="D").tolist()
    return np.array([*text, None], dtype=object)[codes].tolist()


def _extra_json(sub: pd.DataFrame) -> list[str]:
    """Each row's scores and answers as JSON text, exactly as `json.dumps` writes the dict of
    the row's non-missing values ("null" when it has none).

    Only the distinct values of a column are serialised; each row's pieces are then joined
    in one `str.join`, instead of one `json.dumps` call per row.
    """
    pieces_by_column = []
    for name in sub.columns:
        codes, uniques = pd.factorize(sub[name], use_na_sentinel=True)
        key = json.dumps(str(name))
        pieces = [f", {key}: {json.dumps(value)}" for value in uniques.tolist()]
        # code -1 (a missing value) takes the last piece, "": nothing is written for it
        pieces_by_column.append(np.array([*pieces, ""], dtype=object)[codes].tolist())
    if not pieces_by_column:
        return ["null"] * len(sub)
    rows = map("".join, zip(*pieces_by_column, strict=True))
    return [f"{{{text[2:]}}}" if text else "null" for text in rows]


INSERT_COLUMNS = (
    "portfolio_id",
    "row_number",
    *CORE_COLUMNS,
    "extra",
)


def _columns(frame: pd.DataFrame, portfolio_id: int) -> list[list]:
    """The frame as one list of driver-ready values per `INSERT_COLUMNS` entry, built
    column by column (no per-cell pandas calls): text, ISO dates, floats, JSON text."""
    n = len(frame)
    missing = [None] * n
    columns: dict[str, list] = {
        "portfolio_id": [portfolio_id] * n,
        "row_number": list(range(1, n + 1)),
    }
    for name in (*TEXT_COLUMNS, STAGE_RAW):
        columns[name] = _objects(frame[name].astype("str")) if name in frame else missing
    if "stage" in frame:
        stage = frame["stage"].astype(STAGE_DTYPE).astype(object)
        columns["stage"] = stage.where(stage.notna(), "unknown").tolist()
    else:
        columns["stage"] = ["unknown"] * n
    for name in DATE_COLUMNS:
        columns[name] = _dates(frame[name]) if name in frame else missing
    for name in NUMBER_COLUMNS:
        columns[name] = (
            _objects(pd.to_numeric(frame[name], errors="coerce").astype("float64"))
            if name in frame
            else missing
        )
    extras = extra_columns(frame)
    sub = frame[extras]
    scores = [c for c in extras if c.startswith("score_")]
    if scores:
        sub = sub.assign(**{c: pd.to_numeric(sub[c], errors="coerce") for c in scores})
    columns["extra"] = _extra_json(sub)
    return [columns[name] for name in INSERT_COLUMNS]


def _insert_sql(dialect: Any) -> str:
    """A plain INSERT of `INSERT_COLUMNS` with positional parameters, for the driver's own
    executemany. Outside SQLite, dates and JSON arrive as text and are cast in SQL."""
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if mark is None:
        raise StorageError(
            f"Saving portfolios is not supported on this database driver ({dialect.driver})."
        )
    casts = {"start_date": "DATE", "decision_date": "DATE", "extra": "JSON"}
    if dialect.name == "sqlite":
        casts = {}
    marks = [f"CAST({mark} AS {casts[c]})" if c in casts else mark for c in INSERT_COLUMNS]
    values = ", ".join(marks)
    names = ", ".join(INSERT_COLUMNS)
    # Built from the constants above only; every value travels as a bound parameter.
    return f"INSERT INTO {PortfolioPilot.__tablename__} ({names}) VALUES ({values})"  # noqa: S608


def save_portfolio(
    engine: Engine,
    imported: Any,
    name: str,
    *,
    source_filename: str | None = None,
    is_demo: bool = False,
    created_at: datetime | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> int:
    """Save an import (a `PortfolioImport`) as a new portfolio version; all or nothing.

    Returns the new portfolio's id. Nothing is stored if any row fails.
    """
    frame: pd.DataFrame = imported.frame
    cleaned = _clean_name(name)
    if len(frame) == 0:
        raise DiagnosticError("The spreadsheet holds no pilots, so there is nothing to save.")
    extras = extra_columns(frame)
    details = {
        "mapping": _plain(getattr(imported, "mapping", None)),
        "header_row": _plain(getattr(imported, "header_row", None)),
        "rows_read": _plain(getattr(imported, "rows_read", None)),
        "warnings": _plain(list(getattr(imported, "warnings", None) or [])[:200]),
        "extra_columns": extras,
        # the currencies the sheet's amounts name; one of them: the portfolio's currency
        "currencies": _plain(list(getattr(imported, "currencies", ()) or ())),
    }
    filename = source_filename or getattr(imported, "filename", None)
    header = {
        "name": cleaned,
        "source_filename": None if filename is None else str(filename)[:500],
        "source_hash": getattr(imported, "source_hash", None),
        "sheet": _plain(getattr(imported, "sheet", None)),
        "mapping_json": details,
        "created_at": created_at or utcnow(),
        "row_count": len(frame),
        "is_demo": bool(is_demo),
    }
    try:
        with paused_gc(), engine.begin() as connection:
            result = connection.execute(insert(Portfolio.__table__).values(**header))
            portfolio_id = int(result.inserted_primary_key[0])
            # The driver's executemany with plain tuples: SQLAlchemy's per-row parameter
            # handling cost several times the insert itself at 100,000 rows.
            sql = _insert_sql(connection.dialect)
            rows = zip(*_columns(frame, portfolio_id), strict=True)
            while chunk := list(itertools.islice(rows, max(1, chunk_rows))):
                connection.exec_driver_sql(sql, chunk)
    except OperationalError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise StorageError(
            f"The portfolio could not be saved: the database at {where} did not accept it "
            f"({type(exc).__name__}). Nothing was stored; check the database and try again."
        ) from None
    except SQLAlchemyError as exc:
        raise StorageError(
            f"The portfolio could not be saved ({type(exc).__name__}); nothing was stored. "
            "Try again; if it keeps failing, tell your administrator."
        ) from None
    return portfolio_id


def portfolio_currency(engine: Engine, portfolio_id: int) -> str | None:
    """The currency a saved portfolio's amounts are written in, as its sheet names it; None
    when the sheet names none or several (or was saved before currencies were read)."""
    with engine.connect() as connection:
        details = connection.execute(
            select(Portfolio.mapping_json).where(Portfolio.id == portfolio_id)
        ).scalar_one_or_none()
    return single_currency((details or {}).get("currencies") or ())


def portfolio_cost(
    engine: Engine,
    content: Any,
    portfolio_id: int,
    today: date,
    frame: pd.DataFrame | None = None,
):
    """The cost of the trap of a saved portfolio as the organisation report shows it: the
    default assumptions, the amounts in the currency the portfolio's own sheet names (not
    whatever the cost page was set to); `frame` saves loading the rows again."""
    from diagnostics.cost import CostAssumptions, compute_cost

    frame = load_portfolio_frame(engine, portfolio_id) if frame is None else frame
    assumptions = CostAssumptions.from_content(
        content, as_of=today, currency=portfolio_currency(engine, portfolio_id)
    )
    return compute_cost(frame, assumptions)


def list_portfolios(engine: Engine) -> list[PortfolioRecord]:
    """Every saved version, newest first, each numbered within its name (v1 is the oldest)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                Portfolio.id,
                Portfolio.name,
                Portfolio.source_filename,
                Portfolio.source_hash,
                Portfolio.sheet,
                Portfolio.created_at,
                Portfolio.row_count,
                Portfolio.is_demo,
            ).order_by(Portfolio.created_at, Portfolio.id)
        ).all()
    seen: dict[str, int] = {}
    records = []
    for row in rows:
        seen[row.name] = seen.get(row.name, 0) + 1
        records.append(
            record_from(PortfolioRecord, row, version=seen[row.name], is_demo=bool(row.is_demo))
        )
    return records[::-1]


def previous_version(engine: Engine, portfolio_id: int) -> PortfolioRecord | None:
    """The version saved just before this one under the same name, if any."""
    records = list_portfolios(engine)
    current = next((p for p in records if p.id == portfolio_id), None)
    if current is None:
        return None
    older = [p for p in records if p.name == current.name and p.version == current.version - 1]
    return older[0] if older else None


def portfolio_details(engine: Engine, portfolio_id: int) -> dict[str, Any]:
    """The stored mapping, header row, warnings and extra columns of a version."""
    with engine.connect() as connection:
        details = connection.execute(
            select(Portfolio.mapping_json).where(Portfolio.id == portfolio_id)
        ).scalar_one_or_none()
    if isinstance(details, str):  # some drivers hand JSON back as text
        details = json.loads(details)
    return details or {}


def load_portfolio_frame(engine: Engine, portfolio_id: int) -> pd.DataFrame:
    """The canonical frame of a saved version, in the order it was imported."""
    details = portfolio_details(engine, portfolio_id)
    columns = [getattr(PortfolioPilot, c) for c in CORE_COLUMNS] + [PortfolioPilot.extra]
    with engine.connect() as connection:
        exists = connection.execute(
            select(func.count()).select_from(Portfolio).where(Portfolio.id == portfolio_id)
        ).scalar_one()
        if not exists:
            raise NotFoundError(
                f"No saved portfolio with id {portfolio_id}; pick one from the list."
            )
        rows = connection.execute(
            select(*columns)
            .where(PortfolioPilot.portfolio_id == portfolio_id)
            .order_by(PortfolioPilot.row_number)
        ).all()
    raw = pd.DataFrame(rows, columns=[*CORE_COLUMNS, "extra"])
    frame = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for name in CORE_COLUMNS:
        values = raw[name]
        if name == "stage":
            frame[name] = pd.Categorical(values.fillna("unknown"), dtype=STAGE_DTYPE)
        elif name in DATE_COLUMNS:
            frame[name] = pd.to_datetime(values, errors="coerce").astype("datetime64[ns]")
        elif name in NUMBER_COLUMNS:
            frame[name] = pd.to_numeric(values, errors="coerce").astype("float64")
        else:
            frame[name] = values.astype("str")
    extras = list(details.get("extra_columns") or [])
    if extras:
        parsed = [(json.loads(e) if isinstance(e, str) else e) or {} for e in raw["extra"].tolist()]
        expanded = pd.DataFrame.from_records(parsed, columns=extras, index=frame.index)
        for name in extras:
            if name.startswith("score_"):
                frame[name] = pd.to_numeric(expanded[name], errors="coerce").astype("float64")
            else:
                frame[name] = expanded[name].astype("str").where(expanded[name].notna())
    return frame


def delete_portfolio(engine: Engine, portfolio_id: int) -> None:
    """Remove one version and its rows (other versions of the same name stay)."""
    try:
        with engine.begin() as connection:
            connection.execute(
                delete(PortfolioPilot).where(PortfolioPilot.portfolio_id == portfolio_id)
            )
            gone = connection.execute(delete(Portfolio).where(Portfolio.id == portfolio_id))
            if gone.rowcount == 0:
                raise NotFoundError(f"No saved portfolio with id {portfolio_id}.")
    except OperationalError as exc:
        raise StorageError(
            f"The portfolio could not be deleted ({type(exc).__name__}); nothing was changed."
        ) from None


def silently_dropped_between(engine: Engine, older_id: int, newer_id: int) -> pd.DataFrame:
    """Pilots of the older version missing from the newer one without being retired."""
    from diagnostics.portfolio.analysis import silently_dropped

    return silently_dropped(
        load_portfolio_frame(engine, older_id), load_portfolio_frame(engine, newer_id)
    )


# Demo ----------------------------------------------------------------------------------


def _demo_sheet(sheet: pd.DataFrame) -> pd.DataFrame:
    """The synthetic sheet with a few well-prepared open pilots, so that every kind of
    recommendation shows in the demo (synthetic open pilots are mostly weak); a few of them
    are held back by one weak reason, ready on the average only."""
    from diagnostics.portfolio.synthetic import REASON_SCORE_COLUMNS, stage_of_text

    is_open = sheet["Status"].map(stage_of_text()).isin(["development", "pilot", "decision"])
    strong = sheet.index[is_open][::DEMO_STRONG_EVERY]
    columns = [c for c in REASON_SCORE_COLUMNS if c in sheet]
    for i, column in enumerate(columns):
        sheet.loc[strong, column] = str(78 + 3 * i)
    if len(columns) > 1:
        sheet.loc[strong[1::DEMO_WEAK_LINK_EVERY], columns[1]] = DEMO_WEAK_LINK_SCORE
    return sheet


def seed_demo_portfolio(engine: Engine, content: Any, today: date | None = None) -> bool:
    """Two versions of a demo portfolio (the older one holding pilots the newer one lost).

    Built from `synthetic.synthetic_portfolio` through the real importer, with dates relative
    to today. Does nothing when a demo portfolio exists or the importer is unavailable;
    returns True when it added one.
    """
    try:
        from diagnostics.portfolio.importer import import_portfolio
    except ImportError:
        return False
    from diagnostics.portfolio.synthetic import synthetic_portfolio

    if any(p.is_demo for p in list_portfolios(engine)):
        return False
    today = today or date.today()
    sheet = _demo_sheet(synthetic_portfolio(DEMO_ROWS, seed=7, as_of=today))
    try:
        older = import_portfolio(
            sheet.to_csv(index=False).encode("utf-8"), "ai-pilots-last-year.csv"
        )
    except NotImplementedError:  # the importer is not built yet: no demo portfolio
        return False
    open_rows = older.frame.index[
        older.frame["stage"].astype(str).isin(["development", "pilot", "decision"])
    ]
    dropped = open_rows[::DEMO_DROPPED_EVERY]
    newer_sheet = sheet.drop(index=dropped)
    newer = import_portfolio(newer_sheet.to_csv(index=False).encode("utf-8"), "ai-pilots.csv")
    earlier = utcnow() - timedelta(days=182)
    save_portfolio(engine, older, DEMO_NAME, is_demo=True, created_at=earlier)
    save_portfolio(engine, newer, DEMO_NAME, is_demo=True)
    return True


def assess_portfolio_pilot(engine: Engine, content: Any, row: Mapping[str, Any]):
    """Open a self-assessment of one portfolio row, pre-filled with what the sheet knows.

    Creates the pilot (name, unit, owner, start, value, budget, the sheet's id as reference),
    starts an assessment at the position its stage suggests, and saves the row's answers to
    questions the content file knows. Returns the assessment record (its token resumes it).
    """
    from diagnostics.framework.timeline import STAGE_TO_POSITION
    from diagnostics.storage import store

    def text(key: str) -> str | None:
        value = row.get(key)
        return None if value is None or pd.isna(value) else " ".join(str(value).split())[:300]

    def number(key: str) -> float | None:
        value = pd.to_numeric(row.get(key), errors="coerce")
        return None if pd.isna(value) else float(value)

    start = pd.to_datetime(row.get("start_date"), errors="coerce")
    name = text("name") or text("pilot_id") or "Pilot from the portfolio"
    pilot = store.create_pilot(
        engine,
        name,
        business_unit=text("business_unit"),
        owner=text("owner"),
        start_date=None if pd.isna(start) else start.date(),
        expected_annual_value=number("expected_annual_value"),
        pilot_budget=number("pilot_budget"),
        portfolio_ref=text("pilot_id"),
    )
    position = STAGE_TO_POSITION.get(str(row.get("stage")))
    if position not in content.positions_by_key:
        position = content.positions[0].key
        if "decision_point" in content.positions_by_key:
            position = "decision_point"
    record = store.start_assessment(engine, pilot.id, content.version, position=position)
    valid = {a.key for a in content.answer_scale}
    answers = {
        key.removeprefix("answer_"): str(value)
        for key, value in row.items()
        if str(key).startswith("answer_")
        and key.removeprefix("answer_") in content.questions_by_id
        and value is not None
        and not pd.isna(value)
        and str(value) in valid
    }
    store.save_answers(engine, record.id, answers)
    return record
