"""The stop-now scenario: what stopping chosen pilots today saves by the end of a horizon.

It runs the cost model twice on the same prepared portfolio (every pilot kept, the chosen
open ones stopped today), so the saving follows exactly the formulas in `model`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from diagnostics.cost.assumptions import CostAssumptions
from diagnostics.cost.model import (
    _KIND_OPEN,
    _KIND_RETIRED,
    _clock,
    _costs_at,
    _day_number,
    _prepare,
    _Prepared,
    _text,
)
from diagnostics.errors import DiagnosticError
from diagnostics.formats import DAYS_PER_MONTH, UNASSIGNED
from diagnostics.framework.content import Content


@dataclass(frozen=True)
class StopNowScenario:
    """What stopping chosen pilots today changes by the end of the horizon.

    `keep_*` is the projected cost at the horizon if every pilot runs on; `stop_*` the
    projected cost if the chosen open pilots are stopped on the as-of date (treated from then
    on as retired that day: their spend and wait stop growing, and one stopped before its
    decision point counts as stopped on time). Saving = keep − stop, never below 0 and never
    above the projected cost.
    """

    horizon_end: date
    selected: int
    stopped: int
    not_stoppable: int
    cost_today: float
    keep_direct: float
    keep_opportunity: float
    stop_direct: float
    stop_opportunity: float
    pilots: pd.DataFrame  # the stopped pilots and what stopping each saves

    @property
    def keep_total(self) -> float:
        return self.keep_direct + self.keep_opportunity

    @property
    def stop_total(self) -> float:
        return self.stop_direct + self.stop_opportunity

    @property
    def saving_direct(self) -> float:
        return self.keep_direct - self.stop_direct

    @property
    def saving_opportunity(self) -> float:
        return self.keep_opportunity - self.stop_opportunity

    @property
    def saving(self) -> float:
        return self.keep_total - self.stop_total

    def to_dict(self) -> dict[str, Any]:
        return {
            "horizon_end": self.horizon_end.isoformat(),
            "pilots_selected": self.selected,
            "pilots_stopped": self.stopped,
            "pilots_not_stoppable": self.not_stoppable,
            "cost_today": round(self.cost_today, 2),
            "cost_at_horizon_if_kept": round(self.keep_total, 2),
            "cost_at_horizon_if_stopped": round(self.stop_total, 2),
            "saving": round(self.saving, 2),
            "saving_direct": round(self.saving_direct, 2),
            "saving_opportunity": round(self.saving_opportunity, 2),
        }


def _selection(frame: pd.DataFrame, stop: pd.Series | Iterable[str] | None) -> np.ndarray:
    if stop is None:
        return np.zeros(len(frame), dtype=bool)
    if isinstance(stop, pd.Series) and pd.api.types.is_bool_dtype(stop.dtype):
        return stop.reindex(frame.index, fill_value=False).fillna(False).to_numpy(dtype=bool)
    ids = {str(i) for i in stop}
    return frame["pilot_id"].astype("string").isin(ids).fillna(False).to_numpy(dtype=bool)


def stop_now(
    frame: pd.DataFrame,
    assumptions: CostAssumptions,
    stop: pd.Series | Iterable[str] | None,
) -> StopNowScenario:
    """Stopping the chosen pilots today (a boolean Series on the frame's index, or pilot ids)."""
    a = assumptions
    p = _prepare(frame, a)
    t = _day_number(a.as_of)
    horizon_days = a.stop_horizon_months * DAYS_PER_MONTH
    horizon = t + horizon_days
    chosen = _selection(frame, stop)
    stoppable = chosen & (p.kind == _KIND_OPEN) & (p.start <= t)
    clock = _clock(p)
    today_direct, today_opportunity = _costs_at(clock, a, t)
    keep_direct, keep_opportunity = _costs_at(clock, a, horizon)
    kind = p.kind.copy()
    kind[stoppable] = _KIND_RETIRED
    stopped = _Prepared(**{**p.__dict__, "kind": kind, "stop": np.where(stoppable, t, p.stop)})
    stop_direct, stop_opportunity = _costs_at(_clock(stopped), a, horizon)
    saving = (keep_direct + keep_opportunity) - (stop_direct + stop_opportunity)
    per_pilot = pd.DataFrame(
        {
            "pilot_id": _text(frame["pilot_id"]).array,
            "name": _text(frame["name"]).array,
            "business_unit": _text(frame["business_unit"], UNASSIGNED).array,
            "cost_today": today_direct + today_opportunity,
            "saving": saving,
        },
        index=frame.index,
    )[stoppable].sort_values("saving", ascending=False, kind="stable")
    return StopNowScenario(
        horizon_end=a.as_of + timedelta(days=round(horizon_days)),
        selected=int(chosen.sum()),
        stopped=int(stoppable.sum()),
        not_stoppable=int((chosen & ~stoppable).sum()),
        cost_today=float(today_direct.sum() + today_opportunity.sum()),
        keep_direct=float(keep_direct.sum()),
        keep_opportunity=float(keep_opportunity.sum()),
        stop_direct=float(stop_direct.sum()),
        stop_opportunity=float(stop_opportunity.sum()),
        pilots=per_pilot,
    )


def overdue_open_pilots(frame: pd.DataFrame, assumptions: CostAssumptions) -> pd.Series:
    """Open pilots already past the whole recommended path without going live."""
    p = _prepare(frame, assumptions)
    t = _day_number(assumptions.as_of)
    overdue = (p.kind == _KIND_OPEN) & ((t - p.start) > p.path_days)
    return pd.Series(overdue, index=frame.index)


STOP_SELECTIONS: dict[str, str] = {
    "recommended": "Pilots the portfolio review recommends to stop",
    "overdue": "Every open pilot past the recommended path",
}


def stop_selection(
    frame: pd.DataFrame,
    assumptions: CostAssumptions,
    content: Content,
    rule: str,
    *,
    analysis=None,
) -> pd.Series:
    """Which pilots the stop-now scenario stops: the portfolio review's "stop"
    recommendations, or every open pilot past the recommended path.

    `analysis` is the portfolio's own analysis (with its saved assessments): the pilots it
    says to stop are the ones stopped, so the cost page and the dashboard agree pilot by
    pilot. Without it, the frame is analysed on its own.
    """
    if rule == "overdue":
        return overdue_open_pilots(frame, assumptions)
    if rule != "recommended":
        raise DiagnosticError(
            f"Unknown stop selection {rule!r}; use one of {list(STOP_SELECTIONS)}."
        )
    if analysis is None:  # the frame alone: its own answer columns still count
        from diagnostics.portfolio.analysis import analyse_portfolio
        from diagnostics.portfolio.assessed import portfolio_readiness

        analysis = analyse_portfolio(
            frame, content, as_of=assumptions.as_of, assessed=portfolio_readiness(frame, content)
        )
    return (analysis.pilots["recommendation"] == "stop").reindex(frame.index, fill_value=False)
