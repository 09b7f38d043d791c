"""The cost result as tables with readable column names, for the page and the workbook."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from diagnostics.cost.model import STATUS_LABELS, CostResult
from diagnostics.cost.stop_now import StopNowScenario

PILOT_EXPORT_COLUMNS = {
    "pilot_id": "Pilot id",
    "name": "Pilot",
    "business_unit": "Business unit",
    "stage": "Stage",
    "status_label": "Where it stands",
    "start_date": "Start date",
    "stopped_on": "Stopped on",
    "months_past_decision_point": "Months past decision point",
    "direct_cost": "Direct cost",
    "opportunity_cost": "Opportunity cost",
    "total_cost": "Total cost",
    "note": "Note",
}
UNIT_EXPORT_COLUMNS = {
    "business_unit": "Business unit",
    "pilots": "Pilots",
    "direct_cost": "Direct cost",
    "opportunity_cost": "Opportunity cost",
    "total_cost": "Total cost",
    "stuck_now": "Open past decision point",
    "stopped_12m": "Stopped in last 12 months",
    "live_12m": "Went live in last 12 months",
    "live_undated": "Live, go-live date unknown",
    "started_12m": "Started in last 12 months",
    "trust_signal": "Trust erosion signal",
    "left_out": "Left out",
}


def pilot_table(result: CostResult) -> pd.DataFrame:
    """The per-pilot cost with readable column names, most expensive first."""
    pilots = result.pilots.assign(
        status_label=result.pilots["status"].map(STATUS_LABELS).astype(object),
        months_past_decision_point=result.pilots["months_past_decision_point"].round(1),
        direct_cost=result.pilots["direct_cost"].round(0),
        opportunity_cost=result.pilots["opportunity_cost"].round(0),
        total_cost=result.pilots["total_cost"].round(0),
    )
    pilots = pilots.sort_values("total_cost", ascending=False, kind="stable")
    return pilots[list(PILOT_EXPORT_COLUMNS)].rename(columns=PILOT_EXPORT_COLUMNS)


def unit_table(result: CostResult) -> pd.DataFrame:
    units = result.by_unit.assign(
        **{c: result.by_unit[c].round(0) for c in ("direct_cost", "opportunity_cost", "total_cost")}
    )
    return units[list(UNIT_EXPORT_COLUMNS)].rename(columns=UNIT_EXPORT_COLUMNS)


def stop_table(scenario: StopNowScenario) -> pd.DataFrame:
    """The pilots the stop-now scenario stops and what each saves, in whole amounts, with
    readable names."""
    names = {c: PILOT_EXPORT_COLUMNS[c] for c in ("pilot_id", "name", "business_unit")}
    amounts = {c: scenario.pilots[c].round(0) for c in ("cost_today", "saving")}
    return scenario.pilots.assign(**amounts).rename(
        columns={**names, "cost_today": "Cost so far", "saving": "Saving"}
    )


def cost_sheets(
    result: CostResult, scenario: StopNowScenario | None = None
) -> dict[str, pd.DataFrame]:
    """Every table of a cost result, with its assumptions and data gaps, one sheet each."""
    totals = pd.DataFrame(
        [
            {"measure": "Direct cost", "value": round(result.totals["direct"])},
            {"measure": "Opportunity cost", "value": round(result.totals["opportunity"])},
            {"measure": "Total cost of the trap", "value": round(result.totals["total"])},
            {"measure": "Pilots", "value": result.totals["pilots"]},
            {"measure": "Pilots with a cost", "value": result.totals["pilots_with_cost"]},
            {"measure": "Pilots left out", "value": result.totals["pilots_left_out"]},
        ]
    )
    sheets = {
        "Summary": totals,
        "Cost per pilot": pilot_table(result),
        "By business unit": unit_table(result),
        "Month by month": result.monthly.assign(
            month=result.monthly["month"].dt.date,
            direct=result.monthly["direct"].round(0),
            opportunity=result.monthly["opportunity"].round(0),
            total=result.monthly["total"].round(0),
        ),
        "Missing data": pd.DataFrame({"what the model did": result.missing_statement()}),
        "Assumptions": pd.DataFrame(result.assumptions.rows()),
    }
    if scenario is not None:
        summary = pd.DataFrame(
            [{"measure": k.replace("_", " "), "value": v} for k, v in scenario.to_dict().items()]
        )
        pilots = scenario.pilots.assign(
            cost_today=scenario.pilots["cost_today"].round(0),
            saving=scenario.pilots["saving"].round(0),
        )
        sheets["Stop now"] = summary
        sheets["Stop now, per pilot"] = pilots
    return sheets


def export_filename(portfolio_name: str, as_of: date, extension: str = "xlsx") -> str:
    """`poc-trap-cost-<portfolio>-<date>.xlsx`, safe on every file system."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(portfolio_name).lower()).strip("-")[:60] or "portfolio"
    return f"poc-trap-cost-{slug}-{as_of.isoformat()}.{extension}"
