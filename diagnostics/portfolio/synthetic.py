"""Deterministic synthetic portfolios, messy the way real ones are, for demos and benchmarks.

The same seed always gives the same rows. Values are deliberately untidy: stage texts in many
spellings (including the US federal inventory's long answers), money as "$1.2M" or
"1,200,000", dates in several formats, blank cells. The words written in the cells (stage
texts, business units, vendors, project names) live in `data/synthetic_portfolio.yaml`.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from diagnostics.framework.content import DATA_DIR, REASON_KEYS, read_data_file
from diagnostics.portfolio.stages import CANONICAL_STAGES

SYNTHETIC_WORDS_PATH = DATA_DIR / "synthetic_portfolio.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageText(_Model):
    """One way a sheet writes a stage, the stage it means and how often it is drawn."""

    text: str
    stage: str
    weight: int = Field(gt=0)

    @field_validator("stage")
    @classmethod
    def _canonical(cls, stage: str) -> str:
        if stage not in CANONICAL_STAGES:
            raise ValueError(f"{stage!r} is not a stage; use one of {', '.join(CANONICAL_STAGES)}")
        return stage


class SyntheticWords(_Model):
    """What a synthetic portfolio writes in its cells (`data/synthetic_portfolio.yaml`)."""

    version: int
    stage_texts: tuple[StageText, ...] = Field(min_length=1)
    business_units: tuple[str, ...] = Field(min_length=1)
    vendors: tuple[str, ...] = Field(min_length=1)
    name_parts: tuple[Annotated[tuple[str, ...], Field(min_length=1)], ...] = Field(min_length=1)


@lru_cache(maxsize=4)
def synthetic_words(path: str | Path = SYNTHETIC_WORDS_PATH) -> SyntheticWords:
    """The words of the data file (a ContentError names a bad entry)."""
    return read_data_file(path, SyntheticWords)


def stage_of_text() -> dict[str, str]:
    """Each stage text a synthetic portfolio writes -> the canonical stage it means."""
    return {t.text: t.stage for t in synthetic_words().stage_texts}


COLUMNS = (
    "Project ID",
    "Project name",
    "Business unit",
    "Sponsor",
    "Status",
    "Kick-off",
    "Decision / go-live date",
    "Vendor / technology",
    "Pilot budget",
    "Production estimate",
    "Expected annual value",
    "Live users",
    "Data sources",
)
# One score column per reason of the framework, named by its key.
REASON_SCORE_COLUMNS = REASON_KEYS


def _money_text(values: np.ndarray, styles: np.ndarray) -> list[str]:
    out: list[str] = []
    for value, style in zip(values, styles, strict=True):
        if np.isnan(value):
            out.append("")
        elif style == 0:
            out.append(f"{value:,.0f}")
        elif style == 1:
            out.append(f"${value / 1e6:.1f}M" if value >= 1e6 else f"${value / 1e3:.0f}k")
        elif style == 2:
            out.append(f"€ {value / 1e3:.0f}k")
        elif style == 3:
            out.append(f"{value / 1e6:.2f} m")
        else:
            out.append(f"{value:.0f}")
    return out


def _date_text(values: list[date | None], styles: np.ndarray) -> list[str]:
    out: list[str] = []
    for value, style in zip(values, styles, strict=True):
        if value is None:
            out.append("")
        elif style == 0:
            out.append(value.isoformat())
        elif style == 1:
            out.append(value.strftime("%m/%d/%Y"))
        elif style == 2:
            out.append(value.strftime("%d %b %Y"))
        else:
            out.append(value.strftime("%Y-%m-%d"))
    return out


def synthetic_portfolio(
    rows: int,
    seed: int = 7,
    as_of: date | None = None,
    with_scores: bool = True,
) -> pd.DataFrame:
    """A portfolio of `rows` pilots as an organisation might keep it (all cells text)."""
    words = synthetic_words()
    rng = np.random.default_rng(seed)
    as_of = as_of or date(2026, 11, 1)
    texts = [t.text for t in words.stage_texts]
    canon = [t.stage for t in words.stage_texts]
    weights = np.array([t.weight for t in words.stage_texts], dtype=float)
    stage_idx = rng.choice(len(texts), size=rows, p=weights / weights.sum())

    weeks_ago = rng.integers(2, 150, size=rows)
    starts: list[date | None] = [as_of - timedelta(weeks=int(w)) for w in weeks_ago]
    blank_start = rng.random(rows) < 0.06
    starts = [None if b else s for s, b in zip(starts, blank_start, strict=True)]
    decision: list[date | None] = []
    for i, start in enumerate(starts):
        stage = canon[stage_idx[i]]
        if start is None or stage not in ("production", "retired", "decision"):
            decision.append(None)
            continue
        weeks = int(rng.integers(8, max(9, int(weeks_ago[i]))))
        decision.append(min(as_of, start + timedelta(weeks=weeks)))

    budget = rng.lognormal(mean=11.6, sigma=0.7, size=rows).round(-3)
    budget[rng.random(rows) < 0.15] = np.nan
    production = (budget * rng.uniform(1.5, 4, size=rows)).round(-3)
    production[rng.random(rows) < 0.35] = np.nan
    value = rng.lognormal(mean=12.6, sigma=0.8, size=rows).round(-3)
    value[rng.random(rows) < 0.2] = np.nan
    is_live = np.array([canon[i] == "production" for i in stage_idx])
    live_users = np.where(is_live, rng.integers(5, 2000, size=rows), 0).astype(object)
    live_users[rng.random(rows) < 0.1] = ""

    frame = pd.DataFrame(
        {
            "Project ID": [f"AI-{i + 1:05d}" for i in range(rows)],
            "Project name": [
                " ".join(part[rng.integers(len(part))] for part in words.name_parts) + f" {i + 1}"
                for i in range(rows)
            ],
            "Business unit": [
                words.business_units[i] for i in rng.integers(len(words.business_units), size=rows)
            ],
            "Sponsor": [f"Sponsor {i}" for i in rng.integers(1, 60, size=rows)],
            "Status": [texts[i] for i in stage_idx],
            "Kick-off": _date_text(starts, rng.integers(0, 4, size=rows)),
            "Decision / go-live date": _date_text(decision, rng.integers(0, 4, size=rows)),
            "Vendor / technology": [
                words.vendors[i] for i in rng.integers(len(words.vendors), size=rows)
            ],
            "Pilot budget": _money_text(budget, rng.integers(0, 5, size=rows)),
            "Production estimate": _money_text(production, rng.integers(0, 5, size=rows)),
            "Expected annual value": _money_text(value, rng.integers(0, 5, size=rows)),
            "Live users": [str(v) for v in live_users],
            "Data sources": [str(v) for v in rng.integers(1, 9, size=rows)],
        }
    )
    if with_scores:
        base = np.where(is_live, 70, 45)
        for key in REASON_SCORE_COLUMNS:
            scores = np.clip(base + rng.normal(0, 18, size=rows), 0, 100).round()
            scores[rng.random(rows) < 0.3] = np.nan
            frame[key] = ["" if np.isnan(s) else f"{s:.0f}" for s in scores]
    return frame


def canonical_stage_counts(frame: pd.DataFrame) -> dict[str, int]:
    """The stage counts a correct importer must find in a synthetic portfolio."""
    return frame["Status"].map(stage_of_text()).value_counts().to_dict()
