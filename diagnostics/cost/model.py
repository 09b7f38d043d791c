"""The cost of the PoC trap for a portfolio: spend on pilots that overran, value not delivered.

Three parts, after the framework: the direct cost of pilots that never reached production and
ran past their decision point; the opportunity cost, the value a pilot run on the recommended
path would have delivered by now; and trust erosion, which is not priced but shown as signals
per business unit. Every assumption is data (`ASSUMPTIONS`: default, unit, one-line help),
so the page, the command line and the exports show the same numbers with the same words.

Formulas (t = the "as of" date; months are days ÷ 30.4375, the mean calendar month):

- Decision point D = start + `decision_point_weeks`; recommended go-live G = start +
  `recommended_path_weeks`.
- Planned spend P = the pilot budget, or, without one, `monthly_team_cost` × the months
  from start to the decision point.
- A pilot's *end* is t while it is open (development, pilot, decision), and its stop date
  once retired (the stop / retirement date, or its decision date when the sheet has no stop
  date), but never later than t.
- Direct cost = P + `monthly_team_cost` × months(end − D), when end is past D; else 0.
  Only open and retired pilots carry it: spend on a pilot that reached production is an
  investment, not trap cost.
- Value ramp: a pilot worth V a year delivers m = V / 12 a month at full speed, reached
  linearly over `value_ramp_months` (R) after go-live. The value delivered x months after
  go-live is F(x) = m·x² / (2R) while x ≤ R, then m·(x − R/2) (m·x when R = 0; 0 for x ≤ 0).
- Opportunity cost = F(months(t − G)) for an open pilot; F(months(stop − G)) for a retired
  one (once stopped, nobody waits for its value any more); F(months(t − G)) −
  F(months(t − go-live)) for a pilot that went live late (the value it delivered late). Never
  below 0; left out (not guessed) when the pilot has no expected annual value.

Both costs never decrease as t moves later, and are 0 for every pilot that reached
production within the recommended path. Missing data is never silent: `CostResult.missing`
says how many pilots lacked a budget, a value, a date or a recognised stage, and what the
model did with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.cost.assumptions import CostAssumptions
from diagnostics.errors import DiagnosticError
from diagnostics.formats import DAYS_PER_MONTH, DAYS_PER_WEEK, UNASSIGNED, count_of, format_money
from diagnostics.portfolio.stages import CANONICAL_STAGES, OPEN_STAGES, STAGE_DTYPE

TRUST_WINDOW_DAYS = 365  # "in the last 12 months" for the trust-erosion signals
MAX_HISTORY_MONTHS = 60  # the month-by-month view goes back at most five years

REQUIRED_COLUMNS = (
    "pilot_id",
    "name",
    "business_unit",
    "stage",
    "start_date",
    "decision_date",
    "pilot_budget",
    "expected_annual_value",
)

# Where a pilot stands for the cost model, with the words shown to users.
STATUS_LABELS: dict[str, str] = {
    "stuck": "Open past its decision point",
    "stopped_late": "Stopped after its decision point",
    "live_late": "Went live later than the recommended path",
    "on_track": "Open, decision not yet due",
    "stopped_on_time": "Stopped on time",
    "live_on_time": "Live within the recommended path",
    "live_undated": "Live; dates missing, counted as on time",
    "not_started": "Idea, not started",
    "left_out": "Left out",
}
TRAPPED_STATUSES = ("stuck", "stopped_late", "live_late")


# The model ---------------------------------------------------------------------------

_KIND_NONE, _KIND_OPEN, _KIND_RETIRED, _KIND_LIVE = 0, 1, 2, 3


_STAGE = {name: code for code, name in enumerate(CANONICAL_STAGES)}
_UNKNOWN = _STAGE["unknown"]
_OPEN_CODES = [_STAGE[s] for s in OPEN_STAGES]
_STATUS = {key: code for code, key in enumerate(STATUS_LABELS)}
_LEFT_OUT_NOTES = {
    "unknown_stage": "stage not recognised",
    "no_start_date": "no start date",
    "no_stop_date": "stopped, but no stop date",
    "dates_reversed": "decision or stop date before start date",
}
_LEFT_OUT = {key: code for code, key in enumerate(_LEFT_OUT_NOTES, start=1)}  # 0: counted
NOTE_ESTIMATED = "no budget: team cost estimate used"
NOTE_NO_VALUE = "no expected value: opportunity cost left out"
NOTE_BOTH = "no budget (estimated) and no value (left out)"
_NOTES = ("", *_LEFT_OUT_NOTES.values(), NOTE_ESTIMATED, NOTE_NO_VALUE, NOTE_BOTH)


@dataclass(frozen=True)
class _Prepared:
    """The portfolio as plain arrays (days since 1970 as floats, NaN when missing)."""

    kind: np.ndarray
    stage: np.ndarray  # canonical stage codes (index into CANONICAL_STAGES)
    start: np.ndarray
    decision: np.ndarray
    stopped_on: np.ndarray  # a retired pilot's stop day (stop date, else decision date)
    stop: np.ndarray  # the stop day of the retired pilots the model costs
    go_live: np.ndarray
    planned: np.ndarray
    monthly_value: np.ndarray
    budget_missing: np.ndarray
    value_missing: np.ndarray
    status_base: np.ndarray  # status codes fixed by the data; -1 where the date decides
    left_out: np.ndarray  # _LEFT_OUT code, 0 when the pilot is counted
    decision_point_days: float
    path_days: float


def _days(series: pd.Series) -> np.ndarray:
    values = pd.to_datetime(series, errors="coerce").to_numpy(dtype="datetime64[ns]")
    days = values.astype("datetime64[D]").astype("int64").astype(float)
    days[np.isnat(values)] = np.nan
    return days


def _day_number(day: date) -> float:
    return float(np.datetime64(day, "D").astype("int64"))


def _money(series: pd.Series) -> np.ndarray:
    values = pd.to_numeric(series, errors="coerce").to_numpy(
        dtype=float, na_value=np.nan, copy=True
    )
    values[~np.isfinite(values) | (values < 0)] = np.nan
    return values


def _stage_codes(series: pd.Series) -> np.ndarray:
    """Canonical stage codes; blank or unrecognised values are `unknown`."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes, names = series.cat.codes.to_numpy(), series.cat.categories
    else:
        codes, names = pd.factorize(series, use_na_sentinel=True)
    lookup = np.array([_STAGE.get(str(n), _UNKNOWN) for n in names] + [_UNKNOWN], dtype=np.int8)
    return lookup[np.where(codes >= 0, codes, len(lookup) - 1)]


def _text(series: pd.Series, missing: str | None = None) -> pd.Series:
    text = series.astype("string")
    return text.fillna(missing) if missing is not None else text


def _check_columns(frame: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DiagnosticError(
            f"The portfolio lacks the column(s) {', '.join(missing)} the cost model needs. "
            "Import the spreadsheet through the portfolio importer, which adds every column."
        )


def _prepare(frame: pd.DataFrame, a: CostAssumptions) -> _Prepared:
    _check_columns(frame)
    stage = _stage_codes(frame["stage"])
    start, decision = _days(frame["start_date"]), _days(frame["decision_date"])
    stop_date = _days(frame["stop_date"]) if "stop_date" in frame else np.full(len(frame), np.nan)
    budget, value = _money(frame["pilot_budget"]), _money(frame["expected_annual_value"])
    is_open = np.isin(stage, _OPEN_CODES)
    is_retired, is_live = stage == _STAGE["retired"], stage == _STAGE["production"]
    # A retired pilot stops costing on its stop date; a sheet without one gives its decision.
    stopped_on = np.where(is_retired, np.where(np.isnan(stop_date), decision, stop_date), np.nan)
    ended = np.where(is_retired, stopped_on, decision)  # the date that closes a closed pilot
    no_start, no_end = np.isnan(start), np.isnan(ended)
    reversed_dates = ~no_start & ~no_end & (ended < start)

    left_out = np.zeros(len(frame), dtype=np.int8)
    left_out[stage == _UNKNOWN] = _LEFT_OUT["unknown_stage"]
    left_out[(is_open | is_retired) & no_start] = _LEFT_OUT["no_start_date"]
    left_out[is_retired & ~no_start & no_end] = _LEFT_OUT["no_stop_date"]
    left_out[(is_retired | is_live) & reversed_dates] = _LEFT_OUT["dates_reversed"]
    status = np.full(len(frame), -1, dtype=np.int8)
    status[stage == _STAGE["idea"]] = _STATUS["not_started"]
    undated = is_live & (no_start | np.isnan(decision))
    status[undated] = _STATUS["live_undated"]
    status[left_out > 0] = _STATUS["left_out"]

    kind = np.full(len(frame), _KIND_NONE, dtype=np.int8)
    usable = left_out == 0
    kind[usable & is_open] = _KIND_OPEN
    kind[usable & is_retired] = _KIND_RETIRED
    kind[usable & is_live & ~undated] = _KIND_LIVE

    decision_point_days = a.decision_point_weeks * DAYS_PER_WEEK
    planned = np.where(
        np.isnan(budget), a.monthly_team_cost * decision_point_days / DAYS_PER_MONTH, budget
    )
    return _Prepared(
        kind=kind,
        stage=stage,
        start=start,
        decision=decision,
        stopped_on=stopped_on,
        stop=np.where(kind == _KIND_RETIRED, stopped_on, np.nan),
        go_live=np.where(kind == _KIND_LIVE, decision, np.nan),
        planned=planned,
        monthly_value=np.where(np.isnan(value), 0.0, value / 12),
        budget_missing=np.isnan(budget),
        value_missing=np.isnan(value),
        status_base=status,
        left_out=left_out,
        decision_point_days=decision_point_days,
        path_days=a.recommended_path_weeks * DAYS_PER_WEEK,
    )


def _ramp_value(months: np.ndarray, monthly_value: np.ndarray, ramp_months: float) -> np.ndarray:
    """F(x): value delivered x months after go-live with a linear ramp of `ramp_months`.

    NaN months stay NaN (the pilot is not costed), negative months give 0.
    """
    x = np.maximum(months, 0.0)
    if ramp_months <= 0:
        return monthly_value * x
    # min(x, R)² / 2R + max(x − R, 0): the same F, without overflow for a tiny R.
    ramping = np.minimum(x, ramp_months)
    ramped = ramping * (ramping / (2 * ramp_months)) + np.maximum(x - ramp_months, 0.0)
    return monthly_value * ramped


@dataclass(frozen=True)
class _Clock:
    """Per-pilot day numbers the cost at any date is read from (NaN: never costed).

    `spend_until`: +inf while open, the stop day once retired; `value_until`: +inf while open
    or live, the stop day once retired; `delivering_from`: the go-live day of live pilots,
    +inf otherwise.
    """

    decision_due: np.ndarray
    go_live_due: np.ndarray
    spend_until: np.ndarray
    value_until: np.ndarray
    delivering_from: np.ndarray
    planned: np.ndarray
    monthly_value: np.ndarray


def _clock(p: _Prepared) -> _Clock:
    open_ = p.kind == _KIND_OPEN
    retired = p.kind == _KIND_RETIRED
    live = p.kind == _KIND_LIVE
    costed = open_ | retired | live
    start = np.where(costed, p.start, np.nan)
    return _Clock(
        decision_due=np.where(open_ | retired, start + p.decision_point_days, np.nan),
        go_live_due=start + p.path_days,
        spend_until=np.where(open_, np.inf, np.where(retired, p.stop, np.nan)),
        value_until=np.where(open_ | live, np.inf, np.where(retired, p.stop, np.nan)),
        delivering_from=np.where(live, p.go_live, np.inf),
        planned=p.planned,
        monthly_value=p.monthly_value,
    )


def _costs_at(c: _Clock, a: CostAssumptions, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Direct and opportunity cost of every pilot as of day number `t` (see module doc)."""
    over = (np.minimum(c.spend_until, t) - c.decision_due) / DAYS_PER_MONTH
    direct = np.where(over > 0, c.planned + a.monthly_team_cost * over, 0.0)
    ramp = a.value_ramp_months
    due = _ramp_value(
        (np.minimum(c.value_until, t) - c.go_live_due) / DAYS_PER_MONTH, c.monthly_value, ramp
    )
    delivered = _ramp_value((t - c.delivering_from) / DAYS_PER_MONTH, c.monthly_value, ramp)
    # fmax turns the NaN of pilots that are never costed into 0.
    opportunity = np.fmax(due - delivered, 0.0)
    return direct, opportunity


def _statuses(p: _Prepared, t: float) -> np.ndarray:
    """Status codes as of day `t` (see STATUS_LABELS)."""
    status = p.status_base.copy()
    undecided = status < 0
    end = np.where(p.kind == _KIND_OPEN, t, np.fmin(p.stop, t))
    late = (end - p.start) > p.decision_point_days
    for kind, when_late, when_not in (
        (_KIND_OPEN, "stuck", "on_track"),
        (_KIND_RETIRED, "stopped_late", "stopped_on_time"),
    ):
        rows = undecided & (p.kind == kind)
        status[rows] = np.where(late[rows], _STATUS[when_late], _STATUS[when_not])
    rows = undecided & (p.kind == _KIND_LIVE)
    live_late = (p.go_live - p.start) > p.path_days
    status[rows] = np.where(live_late[rows], _STATUS["live_late"], _STATUS["live_on_time"])
    return status


def _is(status: np.ndarray, *keys: str) -> np.ndarray:
    return np.isin(status, [_STATUS[k] for k in keys])


# Results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MissingItem:
    """One gap in the data, how many pilots it touches, and what the model did about it."""

    key: str
    count: int
    treatment: str  # "estimated", "left out", "assumed on time"
    message: str


@dataclass(frozen=True)
class CostResult:
    """The cost of the trap for one portfolio under one set of assumptions."""

    assumptions: CostAssumptions
    pilots: pd.DataFrame  # one row per pilot, in the frame's order
    by_unit: pd.DataFrame  # one row per business unit, most expensive first
    monthly: pd.DataFrame  # month, direct, opportunity, total (cumulative cost to date)
    missing: tuple[MissingItem, ...]
    totals: dict[str, float] = field(default_factory=dict)

    def top_pilots(self, n: int = 10) -> pd.DataFrame:
        """The `n` most expensive pilots with a cost above 0."""
        costly = self.pilots[self.pilots["total_cost"] > 0]
        return costly.nlargest(n, "total_cost")

    def missing_statement(self) -> list[str]:
        """Plain sentences on the data gaps; one sentence even when there are none."""
        if not self.missing:
            return ["Every pilot has the stage, dates, budget and value the model needs."]
        return [item.message for item in self.missing]

    def caveats(self) -> list[str]:
        """The few data gaps that change how the totals must be read, in plain words."""
        t, a = self.totals, self.assumptions
        out: list[str] = []
        if t["direct"] > 0 and t["pilots_with_budget"] == 0:
            out.append(
                f"No pilot in this portfolio has a budget: the whole direct cost of "
                f"{format_money(t['direct'])} is an estimate at "
                f"{format_money(a.monthly_team_cost)} a month per pilot team. Add budgets to "
                "the sheet, or set the team cost your organisation really pays."
            )
        elif t["direct"] > 0 and t["direct_from_estimates"] > 0.5 * t["direct"]:
            share = t["direct_from_estimates"] / t["direct"]
            out.append(
                f"{share:.0%} of the direct cost is estimated from the monthly team cost, "
                "because those pilots have no budget."
            )
        if t["pilots"] and t["pilots_with_value"] == 0:
            out.append(
                "No pilot has an expected annual value, so the opportunity cost cannot be "
                "computed and shows 0. Add expected values to see what the delay costs."
            )
        left = t["pilots_left_out"]
        if t["pilots"] and left > 0.25 * t["pilots"]:
            reasons = self.left_out_counts()
            main = max(reasons, key=reasons.get)
            out.append(
                f"{left:,} of {t['pilots']:,} pilots ({left / t['pilots']:.0%}) are left out, "
                f"most for this reason: {main} ({reasons[main]:,}). The totals cover the rest."
            )
        return out

    def left_out_counts(self) -> dict[str, int]:
        """Pilots left out of the cost, by reason (plain words)."""
        left = self.pilots.loc[self.pilots["status"] == "left_out", "note"]
        return {str(k): int(v) for k, v in left.value_counts().items() if v > 0}

    def to_dict(self, include_pilots: bool = True) -> dict[str, Any]:
        """JSON-ready: totals, units, counted and left-out pilots, missing data, assumptions."""
        data: dict[str, Any] = {
            "as_of": self.assumptions.as_of.isoformat(),
            "totals": self.totals,
            "by_business_unit": _records(self.by_unit),
            "left_out": self.left_out_counts(),
            "missing_data": [
                {"key": m.key, "count": m.count, "treatment": m.treatment, "message": m.message}
                for m in self.missing
            ],
            "assumptions": self.assumptions.model_dump(mode="json"),
        }
        if include_pilots:
            counted = self.pilots[self.pilots["total_cost"] > 0]
            data["pilots_counted"] = _records(
                counted[
                    [
                        "pilot_id",
                        "name",
                        "business_unit",
                        "status",
                        "direct_cost",
                        "opportunity_cost",
                        "total_cost",
                        "note",
                    ]
                ]
            )
            left = self.pilots[self.pilots["status"] == "left_out"]
            data["pilots_left_out"] = _records(left[["pilot_id", "name", "note"]])
        return data


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(frame.notna(), None)
    return [
        {k: (round(v, 2) if isinstance(v, float) else v) for k, v in row.items()}
        for row in out.to_dict(orient="records")
    ]


def compute_cost(frame: pd.DataFrame, assumptions: CostAssumptions) -> CostResult:
    """The cost of the trap for a canonical portfolio frame (one row per pilot)."""
    a = assumptions
    p = _prepare(frame, a)
    clock = _clock(p)
    t = _day_number(a.as_of)
    direct, opportunity = _costs_at(clock, a, t)
    status = _statuses(p, t)
    spent_late = _is(status, "stuck", "stopped_late")
    uses_estimate = spent_late & p.budget_missing
    value_unknown = p.value_missing & _is(status, *TRAPPED_STATUSES)
    note = p.left_out.astype(np.int8)  # codes 1-4 are the left-out notes
    note[uses_estimate] = _NOTES.index(NOTE_ESTIMATED)
    note[value_unknown & ~uses_estimate] = _NOTES.index(NOTE_NO_VALUE)
    note[value_unknown & uses_estimate] = _NOTES.index(NOTE_BOTH)
    end = np.where(p.kind == _KIND_OPEN, t, np.fmin(p.stop, t))

    pilots = pd.DataFrame(
        {
            "pilot_id": _text(frame["pilot_id"]).array,
            "name": _text(frame["name"]).array,
            "business_unit": _text(frame["business_unit"], UNASSIGNED).array,
            "stage": pd.Categorical.from_codes(p.stage, dtype=STAGE_DTYPE),
            "status": pd.Categorical.from_codes(status, categories=list(STATUS_LABELS)),
            "start_date": pd.to_datetime(frame["start_date"], errors="coerce").array,
            "stopped_on": pd.to_datetime(p.stopped_on, unit="D").array,
            "months_past_decision_point": np.where(
                spent_late, (end - p.start - p.decision_point_days) / DAYS_PER_MONTH, np.nan
            ),
            "direct_cost": direct,
            "opportunity_cost": opportunity,
            "total_cost": direct + opportunity,
            "budget_estimated": uses_estimate,
            "note": pd.Categorical.from_codes(note, categories=list(_NOTES)),
        },
        index=frame.index,
    )
    totals = {
        "direct": float(direct.sum()),
        "opportunity": float(opportunity.sum()),
        "total": float(direct.sum() + opportunity.sum()),
        "pilots": len(frame),
        "pilots_counted": int((status != _STATUS["left_out"]).sum()),
        "pilots_left_out": int((status == _STATUS["left_out"]).sum()),
        "pilots_with_cost": int(((direct + opportunity) > 0).sum()),
        "pilots_stuck": int((status == _STATUS["stuck"]).sum()),
        "pilots_stopped_late": int((status == _STATUS["stopped_late"]).sum()),
        "pilots_live_late": int((status == _STATUS["live_late"]).sum()),
        "direct_from_estimates": float(direct[uses_estimate].sum()),
        "pilots_with_budget": int((~p.budget_missing).sum()),
        "pilots_with_value": int((~p.value_missing).sum()),
    }
    return CostResult(
        assumptions=a,
        pilots=pilots,
        by_unit=_by_unit(pilots, p, status, t),
        monthly=_monthly(p, clock, a, t),
        missing=_missing(p, status, a),
        totals=totals,
    )


def _by_unit(pilots: pd.DataFrame, p: _Prepared, status: np.ndarray, t: float) -> pd.DataFrame:
    """Cost per business unit next to its trust-erosion signals (not priced)."""
    window_start = t - TRUST_WINDOW_DAYS
    closed_on = np.where(p.stage == _STAGE["retired"], p.stopped_on, p.decision)
    recent = (closed_on > window_start) & (closed_on <= t)
    parts = pd.DataFrame(
        {
            "business_unit": pilots["business_unit"],
            "pilots": np.ones(len(pilots), dtype=np.int64),
            "direct_cost": pilots["direct_cost"],
            "opportunity_cost": pilots["opportunity_cost"],
            "total_cost": pilots["total_cost"],
            "stuck_now": status == _STATUS["stuck"],
            "stopped_12m": (p.stage == _STAGE["retired"]) & recent,
            "live_12m": (p.stage == _STAGE["production"]) & recent,
            "started_12m": (p.start > window_start)
            & (p.start <= t)
            & (p.stage != _STAGE["idea"])
            & (p.stage != _UNKNOWN),
            "live_undated": status == _STATUS["live_undated"],
            "left_out": status == _STATUS["left_out"],
        },
        index=pilots.index,
    )
    grouped = parts.groupby("business_unit", sort=False).sum()
    counts = ("stuck_now", "stopped_12m", "live_12m", "live_undated", "started_12m", "left_out")
    grouped = grouped.astype(dict.fromkeys(counts, "int64"))
    failing = grouped["stuck_now"] + grouped["stopped_12m"]
    # A live pilot without a go-live date may have gone live this year: no "Strong" then.
    nothing_live = (grouped["live_12m"] == 0) & (grouped["live_undated"] == 0)
    grouped["trust_signal"] = np.select(
        [(failing >= 3) & nothing_live, failing > grouped["live_12m"]],
        ["Strong", "Some"],
        default="Low",
    )
    grouped.index = grouped.index.astype(object)
    grouped = grouped.reset_index().sort_values(
        ["total_cost", "business_unit"], ascending=[False, True], kind="stable"
    )
    return grouped.reset_index(drop=True)


def _month_points(p: _Prepared, t: float) -> np.ndarray:
    counted = p.kind != _KIND_NONE
    first = np.nanmin(p.start[counted]) if counted.any() else t
    as_of = pd.Timestamp(np.datetime64(int(t), "D"))
    earliest = as_of - pd.DateOffset(months=MAX_HISTORY_MONTHS)
    first_day = max(pd.Timestamp(np.datetime64(int(min(first, t)), "D")), earliest)
    ends = pd.date_range(first_day, as_of, freq="ME")
    epoch = pd.Timestamp("1970-01-01")
    days = [float((d - epoch).days) for d in ends if d < as_of] + [t]
    return np.array(days)


def _monthly(p: _Prepared, clock: _Clock, a: CostAssumptions, t: float) -> pd.DataFrame:
    """The cost to date at each month end up to the as-of date (the last point is as of)."""
    points = _month_points(p, t)
    costed = p.kind != _KIND_NONE
    clock = _Clock(**{k: v[costed] for k, v in clock.__dict__.items()})
    direct = np.empty(len(points))
    opportunity = np.empty(len(points))
    for i, day in enumerate(points):
        d, o = _costs_at(clock, a, day)
        direct[i], opportunity[i] = d.sum(), o.sum()
    return pd.DataFrame(
        {
            "month": pd.to_datetime(points.astype("int64"), unit="D"),
            "direct": direct,
            "opportunity": opportunity,
            "total": direct + opportunity,
        }
    )


def _missing(p: _Prepared, status: np.ndarray, a: CostAssumptions) -> tuple[MissingItem, ...]:
    n = len(status)
    items: list[MissingItem] = []

    def add(key: str, count: int, treatment: str, message: str) -> None:
        if count:
            items.append(MissingItem(key, int(count), treatment, message))

    no_budget = int(p.budget_missing.sum())
    estimated = int((_is(status, "stuck", "stopped_late") & p.budget_missing).sum())
    planned_estimate = format_money(a.monthly_team_cost * a.decision_point_months)
    if a.monthly_team_cost > 0:
        what = (
            f"{estimated:,} of them count as direct cost, estimated from the monthly team cost "
            f"({planned_estimate} up to the decision point, then "
            f"{format_money(a.monthly_team_cost)} for each further month)."
        )
    else:
        what = (
            f"{estimated:,} of them are late, but the monthly team cost is set to 0, so they "
            "add nothing to the direct cost."
        )
    add(
        "pilot_budget",
        no_budget,
        "estimated",
        f"{no_budget:,} of {n:,} pilots have no pilot "
        f"budget. {what if estimated else 'None of them is late, so nothing was estimated.'}",
    )

    no_value = int(p.value_missing.sum())
    late = _is(status, *TRAPPED_STATUSES)
    late_no_value = int((late & p.value_missing).sum())
    add(
        "expected_annual_value",
        no_value,
        "left out",
        f"{no_value:,} of {n:,} pilots have no expected annual value: no value is guessed for "
        f"them, so no opportunity cost is counted for the {count_of(late_no_value, 'late pilot')} "
        "among them (the opportunity cost shown is a lower bound).",
    )
    for key, treatment, text in (
        (
            "unknown_stage",
            "left out",
            "with a stage that was not recognised: left out. Map "
            "their stage texts when importing to include them.",
        ),
        (
            "no_start_date",
            "left out",
            "open or stopped without a start date: they cannot "
            "be placed on the recommended path and are left out.",
        ),
        (
            "no_stop_date",
            "left out",
            "stopped without a stop date or a decision date: whether "
            "they were stopped late is unknown, so they are left out.",
        ),
        (
            "dates_reversed",
            "left out",
            "with a decision, go-live or stop date before the start date: left out; check "
            "those dates.",
        ),
    ):
        count = int((p.left_out == _LEFT_OUT[key]).sum())
        add(key, count, treatment, f"{count_of(count, 'pilot')} {text}")
    undated = int((p.status_base == _STATUS["live_undated"]).sum())
    add(
        "go_live_date",
        undated,
        "assumed on time",
        f"{count_of(undated, 'pilot')} in production without a "
        "start or go-live date: counted as live on time, with no delay cost.",
    )
    return tuple(items)
