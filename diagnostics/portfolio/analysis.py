"""What a portfolio of pilots says: the funnel, the production rate, time in pilot, the
computable symptoms per business unit, the technology spread, the readiness × value matrix,
and a push / fix / stop recommendation for every pilot (the rules: `recommendations`).

Input is the canonical frame (see `importer`); everything is vectorised pandas, so
100,000 pilots take a fraction of a second. Thresholds come from the content file: the
recommended timeframes and the readiness at which a single assessment would say proceed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from diagnostics.formats import DAYS_PER_WEEK, UNASSIGNED
from diagnostics.framework.content import Content

if TYPE_CHECKING:
    from diagnostics.portfolio.assessed import PortfolioReadiness
from diagnostics.portfolio.recommendations import (
    ACTION_ORDER,
    QUADRANTS,
    RECOMMENDATIONS,
    quadrants,
    recommend,
)
from diagnostics.portfolio.stages import (
    CANONICAL_STAGES,
    OPEN_STAGES,
    STAGE_DTYPE,
    STAGE_LABELS,
    STARTED_STAGES,
)
from diagnostics.portfolio.symptoms import count as _count
from diagnostics.portfolio.symptoms import dates as _dates
from diagnostics.portfolio.symptoms import distinct_codes as _distinct_codes
from diagnostics.portfolio.symptoms import numbers as _numbers
from diagnostics.portfolio.symptoms import symptom_table, technology_codes

STUCK_WEEKS = 26  # half a year in pilot: well past any recommended plan
SHEET_SOURCE = "Portfolio sheet"  # readiness from the sheet's own scores or answers
CLOSED_STAGES = ("production", "retired")

TIME_BUCKETS: dict[str, str] = {
    "on_plan": "Within the pilot timeframe",
    "decision_due": "Decision due now",
    "overdue": "Past the decision point",
    "stuck": "Stuck for half a year or more",
    "no_start": "No start date",
}
# Which risk band colours each time bucket (figures look the colour up in the content file).
TIME_BUCKET_BANDS: dict[str, str | None] = {
    "on_plan": "low",
    "decision_due": "medium",
    "overdue": "high",
    "stuck": "high",
    "no_start": None,
}


@dataclass(frozen=True)
class PortfolioKpis:
    pilots: int
    started: int
    in_production: int
    production_rate: float | None  # production ÷ started; None when nothing started
    open_pilots: int
    past_decision_point: int  # open pilots past the recommended decision point
    median_weeks_in_pilot: float | None  # over open pilots with a start date
    decision_point_weeks: float


@dataclass(frozen=True)
class MatrixThresholds:
    readiness: float  # the content file's proceed threshold for the overall readiness
    value: float | None  # the median expected annual value of the pilots in the matrix
    weakest: float  # ... and for its weakest reason (proceed_min_weakest)


@dataclass(frozen=True)
class PortfolioAnalysis:
    as_of: date
    kpis: PortfolioKpis
    funnel: pd.DataFrame  # stage, label, pilots, share (every canonical stage, in order)
    units: pd.DataFrame  # one row per business unit: counts, rate, the symptoms
    technologies: pd.DataFrame  # one row per technology / vendor
    time_in_pilot: pd.DataFrame  # bucket, label, band, pilots (open pilots)
    pilots: pd.DataFrame  # the canonical frame plus every per-pilot finding
    thresholds: MatrixThresholds
    has_readiness: bool
    has_value: bool

    @cached_property
    def pilots_by_action(self) -> pd.DataFrame:
        """The pilots, those needing a decision first (stop, push, fix, then no action),
        longest in pilot first within each."""
        rank = self.pilots["recommendation"].cat.codes.to_numpy()
        order_of = np.array([ACTION_ORDER.index(k) for k in RECOMMENDATIONS])
        weeks = self.pilots["weeks_in_pilot"].fillna(-1).to_numpy()
        return self.pilots.iloc[np.lexsort((-weeks, order_of[rank]))]


# Pieces ---------------------------------------------------------------------------------


def stage_codes(frame: pd.DataFrame) -> pd.Series:
    """The stage column as a canonical categorical, `unknown` for anything missing.

    Comparisons on a categorical work on its integer codes, which keeps 100,000 rows cheap.
    """
    if "stage" not in frame:
        return pd.Series(
            pd.Categorical.from_codes(
                np.full(len(frame), CANONICAL_STAGES.index("unknown")), dtype=STAGE_DTYPE
            ),
            index=frame.index,
        )
    stage = frame["stage"]
    if stage.dtype != STAGE_DTYPE:
        stage = stage.astype(object).astype(STAGE_DTYPE)
    return stage.fillna("unknown")


def funnel(frame: pd.DataFrame) -> pd.DataFrame:
    """Pilots per canonical stage, unknown included, so the counts always add up to the rows."""
    counts = stage_codes(frame).value_counts()
    pilots = [int(counts.get(stage, 0)) for stage in CANONICAL_STAGES]
    total = max(len(frame), 1)
    return pd.DataFrame(
        {
            "stage": list(CANONICAL_STAGES),
            "label": [STAGE_LABELS[s] for s in CANONICAL_STAGES],
            "pilots": pilots,
            "share": [p / total for p in pilots],
        }
    )


def production_rate(frame: pd.DataFrame) -> float | None:
    """Pilots in production ÷ pilots that started (development to retired); None if none did."""
    stages = stage_codes(frame)
    started = int(stages.isin(STARTED_STAGES).sum())
    if started == 0:
        return None
    return int((stages == "production").sum()) / started


def weeks_in_pilot(frame: pd.DataFrame, as_of: date) -> pd.Series:
    """Weeks from the start to today for open pilots, to the go-live for live ones and to
    the stop date for retired ones (their decision date when the sheet has no stop date), as
    the cost model counts them.

    Missing dates, or a start still in the future, give NaN.
    """
    stages = stage_codes(frame)
    start = _dates(frame, "start_date")
    stopped = _dates(frame, "stop_date")
    end = _dates(frame, "decision_date").mask((stages == "retired") & stopped.notna(), stopped)
    today = pd.Timestamp(as_of)
    is_open = stages.isin(OPEN_STAGES)
    is_closed = stages.isin(CLOSED_STAGES)
    until = end.where(is_closed).mask(is_open, today)
    weeks = (until - start).dt.days / DAYS_PER_WEEK
    return weeks.where(weeks >= 0).astype("float64")


def time_buckets(weeks: pd.Series, stages: pd.Series, content: Content) -> pd.Series:
    """Where each open pilot stands against the recommended timeframe (NA when not open)."""
    pilot_weeks = content.timeframes.pilot.upper_weeks
    decision_weeks = content.timeframes.decision_point_weeks
    is_open = stages.isin(OPEN_STAGES).to_numpy()
    w = weeks.to_numpy(dtype="float64")
    with np.errstate(invalid="ignore"):
        code = np.select(
            [
                is_open & np.isnan(w),
                is_open & (w <= pilot_weeks),
                is_open & (w <= decision_weeks),
                is_open & (w <= STUCK_WEEKS),
                is_open & (w > STUCK_WEEKS),
            ],
            [list(TIME_BUCKETS).index(b) for b in ("no_start", "on_plan", "decision_due")]
            + [list(TIME_BUCKETS).index(b) for b in ("overdue", "stuck")],
            default=-1,
        )
    return pd.Series(
        pd.Categorical.from_codes(code, categories=list(TIME_BUCKETS)), index=stages.index
    )


def reason_scores(frame: pd.DataFrame, content: Content) -> pd.DataFrame:
    """Readiness 0–100 per reason and pilot, from `score_<reason>` columns or, where those are
    blank, from the `answer_<question>` columns scored as the questionnaire scores them."""
    scale = {a.key: a.score for a in content.answer_scale}
    out = pd.DataFrame(index=frame.index)
    for reason in content.reasons:
        given = _numbers(frame, f"score_{reason.key}")
        questions = [
            q for q in content.questions_for(reason.key) if f"answer_{q.id}" in frame.columns
        ]
        if questions:
            weights = np.array([q.weight for q in questions], dtype="float64")
            points = np.column_stack(
                [_answer_points(frame[f"answer_{q.id}"], scale) for q in questions]
            )
            answered = ~np.isnan(points)
            total = (np.nan_to_num(points) * weights).sum(axis=1)
            weight_sum = (answered * weights).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                from_answers = np.where(weight_sum > 0, total / weight_sum * 100, np.nan)
            given = given.fillna(pd.Series(from_answers, index=frame.index))
        out[reason.key] = given.clip(0, 100)
    return out


def _answer_points(series: pd.Series, scale: dict[str, float | None]) -> np.ndarray:
    """Answer keys to their points (NaN for N/A, blanks and unknown keys), per distinct value."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    points = np.array([_points(scale.get(str(u))) for u in uniques] + [np.nan], dtype="float64")
    return points[codes]


def _points(value: float | None) -> float:
    return np.nan if value is None else float(value)


def readiness(scores: pd.DataFrame, content: Content) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Overall readiness (weighted mean of the reasons scored), the weakest reason's key and
    its score; NaN and no key where no reason is scored."""
    keys = list(scores.columns)
    if scores.shape[1] == 0:
        nothing = pd.Series(np.nan, index=scores.index)
        codes = np.full(len(scores), -1)
        weakest = pd.Series(pd.Categorical.from_codes(codes, keys), index=scores.index)
        return nothing, weakest, nothing.copy()
    weights = np.array([content.reasons_by_key[k].weight for k in scores.columns])
    values = scores.to_numpy(dtype="float64")
    known = ~np.isnan(values)
    weight_sum = (known * weights).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        overall = np.where(
            weight_sum > 0, (np.nan_to_num(values) * weights).sum(axis=1) / weight_sum, np.nan
        )
    weakest_pos, lowest = _weakest(values)
    weakest = pd.Series(pd.Categorical.from_codes(weakest_pos, keys), index=scores.index)
    return (
        pd.Series(overall, index=scores.index),
        weakest,
        pd.Series(lowest, index=scores.index),
    )


def _weakest(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the position of the lowest known value (-1 when none) and that value (NaN)."""
    known = ~np.isnan(values)
    filled = np.where(known, values, np.inf)
    pos = filled.argmin(axis=1)
    lowest = np.take_along_axis(filled, pos[:, None], axis=1)[:, 0]
    any_known = known.any(axis=1)
    return np.where(any_known, pos, -1), np.where(any_known, lowest, np.nan)


def _unit_name(text: str) -> str | None:
    return " ".join(text.split()) or None


def unit_codes(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Each pilot's business unit as a code into a list of names; blanks are "Unassigned"."""
    if "business_unit" not in frame:
        return np.zeros(len(frame), dtype="int64"), [UNASSIGNED]
    codes, names = _distinct_codes(frame["business_unit"], _unit_name)
    if (codes < 0).any():
        if UNASSIGNED in names:
            codes = np.where(codes < 0, names.index(UNASSIGNED), codes)
        else:
            codes = np.where(codes < 0, len(names), codes)
            names = [*names, UNASSIGNED]
    return codes, names


def unit_table(
    frame: pd.DataFrame,
    stages: pd.Series,
    as_of: date,
    units: tuple[np.ndarray, list[str]] | None = None,
    content: Content | None = None,
) -> pd.DataFrame:
    """Per business unit: pilots, production rate and the three computable symptoms.

    A symptom is True (present), False (absent) or NA (the sheet cannot tell: the column is
    missing or too few pilots carry it); the rules live in `portfolio.symptoms`.
    """
    from diagnostics.framework.content import load_content

    codes, names = unit_codes(frame) if units is None else units
    table = symptom_table(frame, stages, content or load_content(), as_of, (codes, names))
    table = table.rename(columns={"group": "business_unit"})
    table["production_rate"] = (
        table["production"] / table["started"].where(table["started"] > 0)
    ).astype("float64")
    table = table.sort_values(["pilots", "production"], ascending=[False, False], kind="stable")
    return table.reset_index(drop=True)


def technology_table(frame: pd.DataFrame, stages: pd.Series) -> pd.DataFrame:
    """Pilots and production rate per technology or vendor, most used first."""
    codes, names = technology_codes(frame)
    columns = ["technology", "pilots", "production", "production_rate", "share"]
    if not names:
        return pd.DataFrame(columns=columns)
    n = len(names)
    pilots = _count(codes, n)
    started = _count(codes, n, stages.isin(STARTED_STAGES).to_numpy())
    production = _count(codes, n, (stages == "production").to_numpy())
    table = pd.DataFrame({"technology": names, "pilots": pilots, "production": production})
    with np.errstate(invalid="ignore", divide="ignore"):
        table["production_rate"] = np.where(
            started > 0, production / np.maximum(started, 1), np.nan
        )
    table["share"] = pilots / pilots.sum()
    table = table.sort_values(["pilots", "technology"], ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)[columns]


# The whole picture ------------------------------------------------------------------------


def analyse_portfolio(
    frame: pd.DataFrame,
    content: Content,
    as_of: date | None = None,
    value_threshold: float | None = None,
    assessed: PortfolioReadiness | None = None,
) -> PortfolioAnalysis:
    """Every aggregate and per-pilot finding the dashboard shows, in one pass.

    `assessed` (see `portfolio.assessed`) carries the latest assessment standing for each
    row: its readiness replaces the sheet's, and its proceed / fix first / stop decides.
    """
    as_of = as_of or date.today()
    stages = stage_codes(frame)
    weeks = weeks_in_pilot(frame, as_of)
    buckets = time_buckets(weeks, stages, content)
    scores = reason_scores(frame, content)
    ready, weakest, weakest_score = readiness(scores, content)
    source = pd.Series(
        np.where(ready.notna(), SHEET_SOURCE, None), index=frame.index, dtype="object"
    )
    decided = decided_why = None
    if assessed is not None:
        ready, weakest, weakest_score, source = _overlay_assessed(
            assessed, scores, ready, weakest, weakest_score, source
        )
        decided, decided_why = assessed.overlay["decision"], assessed.overlay["why"]
    value = _numbers(frame, "expected_annual_value")
    in_matrix = ~stages.isin(CLOSED_STAGES)
    thresholds = _matrix_thresholds(value[in_matrix & value.notna()], value_threshold, content)
    quadrant = quadrants(ready, value, in_matrix, thresholds, decided, weakest_score)
    codes, reasons = recommend(
        stages, ready, weakest, quadrant, weeks, content, decided, decided_why, weakest_score
    )
    unit_index, unit_names = unit_codes(frame)

    pilots = frame.copy()
    pilots["business_unit_shown"] = pd.Categorical.from_codes(unit_index, unit_names)
    pilots["stage_label"] = stages.cat.rename_categories(STAGE_LABELS)
    pilots["weeks_in_pilot"] = weeks.round(1)
    pilots["time_status"] = buckets
    pilots["past_decision_point"] = buckets.isin(["overdue", "stuck"])
    for key in scores.columns:
        pilots[f"readiness_{key}"] = scores[key]
    pilots["readiness"] = ready.round(1)
    pilots["readiness_source"] = source
    pilots["readiness_date"] = _assessed_column(assessed, "readiness_date", frame.index)
    pilots["assessed_pilot"] = _assessed_column(assessed, "pilot_key", frame.index)
    pilots["weakest_reason"] = weakest
    pilots["weakest_readiness"] = weakest_score.round(1)
    pilots["quadrant"] = quadrant
    pilots["recommendation"] = codes
    pilots["recommendation_reason"] = reasons

    return PortfolioAnalysis(
        as_of=as_of,
        kpis=_kpis(stages, weeks, pilots["past_decision_point"], content),
        funnel=funnel(frame),
        units=unit_table(frame, stages, as_of, (unit_index, unit_names), content),
        technologies=technology_table(frame, stages),
        time_in_pilot=_time_table(buckets),
        pilots=pilots,
        thresholds=thresholds,
        has_readiness=bool(ready.notna().any()),
        has_value=bool(value.notna().any()),
    )


def _matrix_thresholds(
    matrix_values: pd.Series, value_threshold: float | None, content: Content
) -> MatrixThresholds:
    """Proceed's readiness (overall and weakest reason), and the value given or else the
    median of the matrix's pilots."""
    if value_threshold is None and len(matrix_values):
        value_threshold = float(matrix_values.median())
    rules = content.decision_rules
    return MatrixThresholds(
        readiness=float(rules.proceed_min_overall),
        value=value_threshold,
        weakest=float(rules.proceed_min_weakest),
    )


def _assessed_column(assessed: PortfolioReadiness | None, key: str, index: pd.Index) -> pd.Series:
    """One column of the assessments' overlay; blank for every row when none is given."""
    if assessed is None:
        return pd.Series(None, index=index, dtype="object")
    return assessed.overlay[key]


def _time_table(buckets: pd.Series) -> pd.DataFrame:
    """How many pilots stand in each time bucket, with its label and colour band."""
    bucket_counts = buckets.value_counts()
    return pd.DataFrame(
        {
            "bucket": list(TIME_BUCKETS),
            "label": list(TIME_BUCKETS.values()),
            "band": [TIME_BUCKET_BANDS[b] for b in TIME_BUCKETS],
            "pilots": [int(bucket_counts.get(b, 0)) for b in TIME_BUCKETS],
        }
    )


def _overlay_assessed(
    assessed: PortfolioReadiness,
    scores: pd.DataFrame,
    ready: pd.Series,
    weakest: pd.Series,
    weakest_score: pd.Series,
    source: pd.Series,
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """The latest saved assessment's readiness (per reason, overall, weakest and its score)
    and its source in place of the sheet's, on the rows it stands for; `scores` is updated in
    place."""
    overlay = assessed.overlay
    has = overlay["decision"].notna()
    for key in scores.columns:
        scores[key] = scores[key].mask(has, overlay[f"readiness_{key}"])
    ready = ready.mask(has, overlay["readiness"])
    codes_w = weakest.cat.codes.to_numpy().copy()
    keys_w = list(weakest.cat.categories)
    new_w = overlay["weakest"].map({k: i for i, k in enumerate(keys_w)}).fillna(-1)
    codes_w[has.to_numpy()] = new_w[has].to_numpy(dtype="int64")
    weakest = pd.Series(pd.Categorical.from_codes(codes_w, keys_w), index=ready.index)
    if len(scores.columns):
        _, lowest = _weakest(scores.to_numpy(dtype="float64"))
        weakest_score = weakest_score.mask(has, pd.Series(lowest, index=ready.index))
    return ready, weakest, weakest_score, source.mask(has, overlay["readiness_source"])


def _kpis(
    stages: pd.Series, weeks: pd.Series, past_decision_point: pd.Series, content: Content
) -> PortfolioKpis:
    is_open = stages.isin(OPEN_STAGES)
    open_weeks = weeks[is_open].dropna()
    started = int(stages.isin(STARTED_STAGES).sum())
    in_production = int((stages == "production").sum())
    return PortfolioKpis(
        pilots=len(stages),
        started=started,
        in_production=in_production,
        production_rate=in_production / started if started else None,
        open_pilots=int(is_open.sum()),
        past_decision_point=int(past_decision_point.sum()),
        median_weeks_in_pilot=float(open_weeks.median()) if len(open_weeks) else None,
        decision_point_weeks=content.timeframes.decision_point_weeks,
    )


# Versions and exports ---------------------------------------------------------------------


def _match_keys(frame: pd.DataFrame) -> pd.Series:
    """How a pilot is recognised across versions: its id from the file, else its name."""
    ids = frame["pilot_id"].astype("str") if "pilot_id" in frame else None
    names = (
        frame["name"].astype("str").str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
        if "name" in frame
        else pd.Series(pd.NA, index=frame.index, dtype="str")
    )
    if ids is None:
        return "name:" + names
    generated = ids.isna() | ids.str.fullmatch(r"row-\d+").fillna(True)
    return ("id:" + ids.str.strip()).where(~generated, "name:" + names)


def silently_dropped(older: pd.DataFrame, newer: pd.DataFrame) -> pd.DataFrame:
    """Pilots of the older version that are missing from the newer one and were not retired.

    Pilots are matched by their id from the file, or by name when the file had no ids.
    """
    older_keys = _match_keys(older)
    newer_keys = set(_match_keys(newer).dropna())
    vanished = ~older_keys.isin(newer_keys) & older_keys.notna()
    not_retired = stage_codes(older) != "retired"
    columns = [
        c for c in ("pilot_id", "name", "business_unit", "stage", "start_date") if c in older
    ]
    dropped = older.loc[vanished & not_retired, columns].copy()
    return dropped.reset_index(drop=True)


EXPORT_COLUMNS: dict[str, str] = {
    "pilot_id": "Pilot id",
    "name": "Name",
    "business_unit": "Business unit",
    "business_subunit": "Sub-unit",
    "owner": "Owner / sponsor",
    "technology": "Technology / vendor",
    "stage_raw": "Stage as written",
    "stage_label": "Stage",
    "start_date": "Start date",
    "decision_date": "Decision / go-live date",
    "stop_date": "Stop / retirement date",
    "pilot_budget": "Pilot budget",
    "production_estimate": "Production estimate",
    "expected_annual_value": "Expected annual value",
    "live_users": "Live users",
    "data_sources": "Data sources",
    "weeks_in_pilot": "Weeks in pilot",
    "time_status": "Against the timeframe",
    "past_decision_point": "Past the decision point",
    "readiness": "Readiness (0-100)",
    "readiness_source": "Readiness from",
    "readiness_date": "Assessed on",
    "weakest_reason": "Weakest reason",
    "weakest_readiness": "Weakest reason readiness (0-100)",
    "quadrant": "Readiness × value",
    "recommendation": "Recommendation",
    "recommendation_reason": "Why",
}


def export_frame(analysis: PortfolioAnalysis, content: Content) -> pd.DataFrame:
    """The enriched portfolio for download: the pilots' fields, findings and recommendation."""
    pilots = analysis.pilots
    out = pd.DataFrame(index=pilots.index)
    reason_titles = {r.key: r.title for r in content.reasons}
    for column, header in EXPORT_COLUMNS.items():
        if column not in pilots:
            continue
        values = pilots[column]
        if column == "time_status":
            values = values.map(TIME_BUCKETS)
        elif column == "weakest_reason":
            values = values.map(reason_titles)
        elif column == "quadrant":
            values = values.map(QUADRANTS)
        elif column == "recommendation":
            values = values.map(RECOMMENDATIONS)
        elif column in ("start_date", "decision_date", "stop_date"):
            values = pd.to_datetime(values, errors="coerce").dt.date
        out[header] = values
    extras = [c for c in pilots.columns if str(c).startswith(("score_", "answer_"))]
    for column in extras:
        out[column] = pilots[column]
    return out.reset_index(drop=True)


def filter_pilots(
    pilots: pd.DataFrame,
    *,
    recommendations: list[str] | None = None,
    units: list[str] | None = None,
    stages: list[str] | None = None,
    technologies: list[str] | None = None,
    text: str = "",
) -> pd.DataFrame:
    """The pilots matching every filter given (an empty filter keeps everything).

    `text` is looked for, ignoring case, in the id, name, owner, unit and technology.
    """
    keep = pd.Series(True, index=pilots.index)
    if recommendations:
        keep &= pilots["recommendation"].isin(recommendations)
    if units:
        keep &= pilots["business_unit_shown"].isin(units)
    if stages:
        keep &= stage_codes(pilots).isin(stages)
    if technologies:
        keep &= pilots["technology"].astype(object).isin(technologies)
    needle = " ".join(str(text or "").split()).lower()
    if needle:
        found = pd.Series(False, index=pilots.index)
        for column in (
            "pilot_id",
            "name",
            "owner",
            "business_unit",
            "business_subunit",
            "technology",
        ):
            if column in pilots:
                values = pilots[column].astype("str").str.lower()
                found |= values.str.contains(needle, regex=False).fillna(False).astype(bool)
        keep &= found
    return pilots[keep]
