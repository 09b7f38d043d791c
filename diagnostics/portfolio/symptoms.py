"""The three symptoms of the trap a portfolio can show, computed in one place.

Many pilots started in the past year with none live; each pilot on its own technology;
results presented with nobody using them. The dashboard (per business unit), the trap check
(the whole organisation, with the pilots behind each finding), the reports and the command
line all call `symptom_table`, so they cannot contradict each other. Thresholds and
sentences come from the content file's `symptom_rules`.

One set of rules: a pilot counts as started when its stage is development to retired (a
pilot of unknown stage is not counted, as in the production rate); technologies differing
only in case or spacing are one; a symptom the sheet cannot judge is NA (unknown), never
absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from diagnostics.formats import UNASSIGNED
from diagnostics.framework.content import Content
from diagnostics.portfolio.stages import STARTED_STAGES

COMPUTABLE_SYMPTOMS = ("many_pilots_none_live", "fragmented_technology", "results_without_users")
RESULT_STAGES = ("decision", "production")  # pilots that have presented results
Status = Literal["present", "absent", "unknown"]


def dates(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[column], errors="coerce")


def numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[column], errors="coerce").astype("float64")


def distinct_codes(series: pd.Series, clean) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 for blank) and names, after `clean` (text -> text or None).

    `clean` runs on each distinct value only: a column of 100,000 cells holds a few dozen
    distinct units or vendors. Values that clean to the same name share a code.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    names: list[str] = []
    position: dict[str, int] = {}
    remap = np.empty(len(uniques) + 1, dtype="int64")
    for i, value in enumerate(uniques):
        cleaned = clean(str(value))
        if cleaned is None:
            remap[i] = -1
            continue
        if cleaned not in position:
            position[cleaned] = len(names)
            names.append(cleaned)
        remap[i] = position[cleaned]
    remap[-1] = -1
    return remap[codes], names


def technology_codes(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Each pilot's technology as a code (-1 when blank), spellings differing only in case
    or spaces counted as one; names are the first spelling met."""
    if "technology" not in frame:
        return np.full(len(frame), -1, dtype="int64"), []
    shown: dict[str, str] = {}

    def clean(text: str) -> str | None:
        tidy = " ".join(text.split())
        if not tidy or tidy.lower() in ("nan", "<na>", "none"):
            return None
        return shown.setdefault(tidy.casefold(), tidy)

    return distinct_codes(frame["technology"], clean)


def count(codes: np.ndarray, size: int, mask: np.ndarray | None = None) -> np.ndarray:
    """How many rows of each code (optionally only rows where `mask`)."""
    valid = codes >= 0 if mask is None else (codes >= 0) & mask
    return np.bincount(codes[valid], minlength=size).astype("int64")


@dataclass(frozen=True)
class _Rows:
    """Per-row facts every symptom is counted from."""

    started: np.ndarray
    live: np.ndarray
    recent: np.ndarray
    undated: np.ndarray
    unknown_stage: np.ndarray
    tech: np.ndarray
    tech_known: np.ndarray
    alone: np.ndarray
    with_results: np.ndarray
    users_known: np.ndarray
    no_users: np.ndarray
    has_dates: bool
    has_stages: bool
    has_tech: bool
    has_users: bool
    since: date


def _rows(
    frame: pd.DataFrame, stages: pd.Series, codes: np.ndarray, today: date, content: Content
) -> _Rows:
    rules = content.symptom_rules
    start = dates(frame, "start_date")
    now = pd.Timestamp(today)
    since = now - pd.Timedelta(days=rules.window_days)
    stage = stages.astype(object).fillna("unknown")
    started = stage.isin(STARTED_STAGES).to_numpy()
    live = (stage == "production").to_numpy()
    in_window = ((start > since) & (start <= now)).to_numpy()
    tech, _ = technology_codes(frame)
    tech_known = started & (tech >= 0)
    # pilots alone on their technology within their group (unit, or the whole portfolio)
    alone = np.zeros(len(frame), dtype=bool)
    if tech_known.any():
        width = int(tech.max()) + 1
        pair = np.where(tech_known, codes * width + tech, -1)
        _, inverse, counts = np.unique(pair, return_inverse=True, return_counts=True)
        alone = tech_known & (counts[inverse.reshape(-1)] == 1)
    users = numbers(frame, "live_users").to_numpy()
    with_results = stage.isin(RESULT_STAGES).to_numpy()
    return _Rows(
        started=started,
        live=live,
        recent=started & in_window,
        undated=started & start.isna().to_numpy(),
        unknown_stage=(stage == "unknown").to_numpy(),
        tech=tech,
        tech_known=tech_known,
        alone=alone,
        with_results=with_results,
        users_known=with_results & ~np.isnan(users),
        no_users=with_results & (users <= 0),
        has_dates=bool(start.notna().any()),
        has_stages=bool((stage != "unknown").any()),
        has_tech=bool((tech >= 0).any()),
        has_users=bool(~np.isnan(users).all()) if len(users) else False,
        since=since.date(),
    )


def symptom_table(
    frame: pd.DataFrame,
    stages: pd.Series,
    content: Content,
    today: date,
    groups: tuple[np.ndarray, list[str]] | None = None,
) -> pd.DataFrame:
    """Per group (a business unit; one group when `groups` is None): the counts behind the
    three symptoms, each symptom as True / False / NA (cannot tell), and its evidence."""
    rules = content.symptom_rules
    if groups is None:
        groups = (np.zeros(len(frame), dtype="int64"), ["All pilots"])
    codes, names = groups
    n = len(names)
    r = _rows(frame, stages, codes, today, content)
    table = pd.DataFrame(
        {
            "group": names,
            "pilots": count(codes, n),
            "started": count(codes, n, r.started),
            "production": count(codes, n, r.live),
            "recent": count(codes, n, r.recent),
            "recent_live": count(codes, n, r.recent & r.live),
            "undated": count(codes, n, r.undated),
            "unknown_stage": count(codes, n, r.unknown_stage),
            "tech_known": count(codes, n, r.tech_known),
            "alone": count(codes, n, r.alone),
            "with_results": count(codes, n, r.with_results),
            "results_users_known": count(codes, n, r.users_known),
            "results_no_users": count(codes, n, r.no_users),
        }
    )
    technologies = np.zeros(n, dtype="int64")
    if r.tech_known.any():
        width = int(r.tech.max()) + 1
        pairs = np.unique(codes[r.tech_known] * width + r.tech[r.tech_known])
        technologies = np.bincount(pairs // width, minlength=n).astype("int64")
    table["technologies"] = technologies

    many = pd.array((table["recent"] >= rules.min_recent_pilots) & (table["recent_live"] == 0))
    many = many.astype("boolean")
    if not (r.has_dates and r.has_stages):
        many[:] = pd.NA
    table["many_pilots_none_live"] = many

    with np.errstate(invalid="ignore", divide="ignore"):
        spread = table["technologies"] / table["tech_known"].where(table["tech_known"] > 0)
    fragmented = pd.array(spread >= rules.fragmented_share, dtype="boolean")
    too_few = (table["tech_known"] < rules.min_pilots_for_technology).to_numpy()
    fragmented[too_few | (not r.has_tech)] = pd.NA
    table["fragmented_technology"] = fragmented

    known = table["results_users_known"]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = table["results_no_users"] / known.where(known > 0)
    no_users = pd.array(
        (table["results_no_users"] > 0) & (share >= rules.no_users_share), dtype="boolean"
    )
    cannot_tell = ((table["with_results"] > 0) & (known == 0)).to_numpy()
    no_users[cannot_tell | (not r.has_users)] = pd.NA
    table["results_without_users"] = no_users

    table["evidence_many_pilots_none_live"] = [
        _many_text(row, r, content) for row in table.itertuples(index=False)
    ]
    table["evidence_fragmented_technology"] = [
        _tech_text(row, r, content) for row in table.itertuples(index=False)
    ]
    table["evidence_results_without_users"] = [
        _users_text(row, r, content) for row in table.itertuples(index=False)
    ]
    return table


def _shows(value: object) -> bool:
    return False if pd.isna(value) else bool(value)


def _many_text(row, r: _Rows, content: Content) -> str:
    s = content.symptom_rules.sentences
    if not (r.has_dates and r.has_stages):
        return s.many_unknown
    not_counted = ""
    if row.undated or row.unknown_stage:
        not_counted = s.many_not_counted.format(
            undated=row.undated, unknown_stage=row.unknown_stage
        )
    since = r.since.isoformat()
    if _shows(row.many_pilots_none_live):
        return s.many_present.format(recent=row.recent, since=since, not_counted=not_counted)
    if row.recent == 0:
        return s.many_none_started.format(since=since, not_counted=not_counted)
    return s.many_absent.format(
        recent=row.recent, live=row.recent_live, since=since, not_counted=not_counted
    )


def _tech_text(row, r: _Rows, content: Content) -> str:
    s = content.symptom_rules.sentences
    if not r.has_tech:
        return s.tech_unknown
    if row.tech_known < content.symptom_rules.min_pilots_for_technology:
        return s.tech_too_few.format(
            known=row.tech_known, minimum=content.symptom_rules.min_pilots_for_technology
        )
    template = s.tech_present if _shows(row.fragmented_technology) else s.tech_absent
    return template.format(known=row.tech_known, distinct=row.technologies, alone=row.alone)


def _users_text(row, r: _Rows, content: Content) -> str:
    s = content.symptom_rules.sentences
    if not r.has_users:
        return s.users_unknown
    if row.with_results == 0:
        return s.users_no_results
    if row.results_users_known == 0:
        return s.users_not_reported
    template = s.users_present if _shows(row.results_without_users) else s.users_absent
    return template.format(none=row.results_no_users, known=row.results_users_known)


# The whole portfolio, with the pilots and units behind each finding ------------------------


@dataclass(frozen=True)
class PortfolioSymptom:
    id: str
    status: Status
    evidence: str
    pilots: list[str] = field(default_factory=list)
    units: list[str] = field(default_factory=list)


def _names(frame: pd.DataFrame, mask: np.ndarray, limit: int = 50) -> list[str]:
    rows = frame.loc[mask]
    names = rows["name"].astype("string") if "name" in rows else pd.Series(pd.NA, index=rows.index)
    if "pilot_id" in rows:
        names = names.fillna(rows["pilot_id"].astype("string"))
    values = names.fillna("(unnamed)").tolist()
    return values[:limit] + ([f"and {len(values) - limit} more"] if len(values) > limit else [])


def _units(frame: pd.DataFrame, mask: np.ndarray) -> list[str]:
    """Business units of these rows, most pilots first, as "Finance (4)"."""
    if "business_unit" not in frame:
        return [f"{UNASSIGNED} ({int(mask.sum())})"] if mask.any() else []
    units = frame.loc[mask, "business_unit"].astype("string").str.split().str.join(" ")
    counts = units.replace("", pd.NA).fillna(UNASSIGNED).value_counts()
    return [f"{unit} ({n})" for unit, n in counts.items()]


def portfolio_symptoms(
    frame: pd.DataFrame, content: Content, today: date
) -> dict[str, PortfolioSymptom]:
    """The three symptoms over the whole portfolio, each naming the pilots behind it."""
    from diagnostics.portfolio.analysis import stage_codes

    stages = stage_codes(frame)
    row = symptom_table(frame, stages, content, today).iloc[0]
    r = _rows(frame, stages, np.zeros(len(frame), dtype="int64"), today, content)
    behind = {
        "many_pilots_none_live": r.recent,
        "fragmented_technology": r.alone,
        "results_without_users": r.no_users,
    }
    out = {}
    for key in COMPUTABLE_SYMPTOMS:
        value = row[key]
        status: Status = "unknown" if pd.isna(value) else ("present" if value else "absent")
        mask = behind[key] if status == "present" else np.zeros(len(frame), dtype=bool)
        out[key] = PortfolioSymptom(
            id=key,
            status=status,
            evidence=str(row[f"evidence_{key}"]),
            pilots=_names(frame, mask),
            units=_units(frame, mask),
        )
    return out
