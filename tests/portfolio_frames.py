"""Canonical portfolio frames built by hand, the shape `portfolio_import` produces.

Tests of storage and aggregates use these, so they do not depend on the importer and every
expected number can be worked out from the rows written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.portfolio.fields import CANONICAL_COLUMNS, DATE_FIELDS, NUMBER_FIELDS, TEXT_FIELDS
from diagnostics.portfolio.stages import STAGE_DTYPE

TEXT = TEXT_FIELDS
DATES = DATE_FIELDS
NUMBERS = NUMBER_FIELDS
CANONICAL = CANONICAL_COLUMNS


def canonical_frame(rows: Sequence[dict[str, Any]], extra: Sequence[str] = ()) -> pd.DataFrame:
    """A canonical frame from row dicts; absent fields are NA, as for an unmapped column."""
    n = len(rows)
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for name in TEXT:
        values = [r.get(name) for r in rows]
        if name == "pilot_id":
            values = [v if v is not None else f"row-{i + 1}" for i, v in enumerate(values)]
        frame[name] = pd.Series(values, dtype="str", index=frame.index)
    stages = [r.get("stage", "unknown") for r in rows]
    frame["stage"] = pd.Categorical(stages, dtype=STAGE_DTYPE)
    frame["stage_raw"] = pd.Series(
        [r.get("stage_raw", r.get("stage")) for r in rows], dtype="str", index=frame.index
    )
    for name in DATES:
        frame[name] = pd.to_datetime(pd.Series([r.get(name) for r in rows], dtype=object)).astype(
            "datetime64[ns]"
        )
    for name in NUMBERS:
        frame[name] = pd.Series(
            [np.nan if r.get(name) is None else float(r[name]) for r in rows], dtype="float64"
        )
    for name in extra:
        values = [r.get(name) for r in rows]
        if name.startswith("score_"):
            frame[name] = pd.Series(
                [np.nan if v is None else float(v) for v in values], dtype="float64"
            )
        else:
            frame[name] = pd.Series(values, dtype="str", index=frame.index)
    return frame


@dataclass
class HandImport:
    """What `save_portfolio` reads from a `PortfolioImport`."""

    frame: pd.DataFrame
    mapping: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sheet: str | None = "Pilots"
    header_row: int = 1
    rows_read: int = 0
    source_hash: str = "0" * 64
    filename: str = "pilots.xlsx"


def random_canonical(n: int, seed: int = 1, with_scores: bool = True) -> pd.DataFrame:
    """A large canonical frame with every field filled in plausibly (for speed and round trips)."""
    rng = np.random.default_rng(seed)
    stages = np.array(["idea", "development", "pilot", "decision", "production", "retired"])
    stages = np.append(stages, "unknown")
    picked = rng.choice(stages, size=n, p=[0.08, 0.22, 0.25, 0.08, 0.2, 0.1, 0.07])
    start = pd.Timestamp("2026-11-01") - pd.to_timedelta(rng.integers(1, 900, n), unit="D")
    start = pd.Series(start).where(rng.random(n) > 0.05)
    decided = start + pd.to_timedelta(rng.integers(30, 300, n), unit="D")
    decided = decided.where(np.isin(picked, ["production", "retired"]))
    frame = pd.DataFrame(
        {
            "pilot_id": [f"AI-{i:06d}" for i in range(n)],
            "name": [f"Pilot {i}" for i in range(n)],
            "business_unit": rng.choice([f"Unit {k}" for k in range(12)], size=n),
            "business_subunit": rng.choice([f"Office {k}" for k in range(40)], size=n),
            "owner": rng.choice([f"Owner {k}" for k in range(50)], size=n),
            "technology": rng.choice([f"Vendor {k}" for k in range(9)], size=n),
        }
    ).astype("str")
    frame["stage"] = pd.Categorical(picked, dtype=STAGE_DTYPE)
    frame["stage_raw"] = pd.Series(picked).str.title().astype("str")
    frame["start_date"] = start.astype("datetime64[ns]").to_numpy()
    frame["decision_date"] = decided.astype("datetime64[ns]").to_numpy()
    stopped = decided + pd.to_timedelta(rng.integers(30, 400, n), unit="D")
    frame["stop_date"] = stopped.where(picked == "retired").astype("datetime64[ns]").to_numpy()
    frame["pilot_budget"] = rng.lognormal(11.5, 0.7, n).round(-3)
    frame["production_estimate"] = frame["pilot_budget"] * 2.5
    frame["expected_annual_value"] = np.where(
        rng.random(n) < 0.2, np.nan, rng.lognormal(12.5, 0.8, n).round(-3)
    )
    frame["live_users"] = np.where(picked == "production", rng.integers(0, 900, n), 0).astype(
        "float64"
    )
    frame["data_sources"] = rng.integers(1, 9, n).astype("float64")
    if with_scores:
        for key in ("business_problem", "data_readiness", "production_readiness"):
            scores = rng.uniform(0, 100, n).round()
            scores[rng.random(n) < 0.3] = np.nan
            frame[f"score_{key}"] = scores
    return frame
