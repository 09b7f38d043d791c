"""What a portfolio is missing for the dashboard to answer its first questions.

A portfolio owner asks first where pilots are stuck (the business unit), since when (the
dates) and how far they got (the stage). When the sheet has no such column, or it was not
found, every figure built on it would read as a confident zero; instead the import and the
dashboard say up front what is missing and how to fix it, and a figure that cannot be
computed shows a dash with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from diagnostics.portfolio.fields import STAGE_RAW


@dataclass(frozen=True)
class Gap:
    """Something the portfolio lacks: which part, a short title, and what to do about it."""

    key: str  # "business_unit", "start_date" or "stage"
    title: str
    message: str

    def to_dict(self) -> dict:
        return {"key": self.key, "title": self.title, "message": self.message}


_FIX = "Choose the column in the mapping when you import the sheet (or add one to the sheet)."


def _blank(frame: pd.DataFrame, column: str) -> bool:
    """True when the column is missing or holds nothing on any row."""
    if column not in frame or not len(frame):
        return True
    return not has_values(frame[column])


def has_values(values: pd.Series) -> bool:
    """True when some cell holds something (text that is not only spaces). Looks at the
    first thousand filled cells before the rest: a dashboard rerun stays cheap."""
    present = values.dropna()
    if present.empty:
        return False
    if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return True
    for part in (present.iloc[:1000], present.iloc[1000:]):
        if len(part) and bool((part.astype("str").str.strip() != "").any()):
            return True
    return False


def portfolio_gaps(frame: pd.DataFrame) -> list[Gap]:
    """The unit, dates and stage the portfolio lacks, most important first."""
    gaps: list[Gap] = []
    if _blank(frame, STAGE_RAW):
        gaps.append(
            Gap(
                "stage",
                "No stage",
                "No column gives the pilots' stage or status, so every pilot counts as "
                f"unknown: the funnel and the production rate say nothing yet. {_FIX}",
            )
        )
    if _blank(frame, "business_unit"):
        gaps.append(
            Gap(
                "business_unit",
                "No business unit",
                "No column names the unit that owns each pilot (business unit, department, "
                "bureau, office…), so every pilot sits under “Unassigned” and the unit charts "
                f"cannot show where pilots are stuck. {_FIX}",
            )
        )
    if _blank(frame, "start_date"):
        gaps.append(
            Gap(
                "start_date",
                "No start dates",
                "No column gives when each pilot started, so time in pilot, the pilots past "
                "the decision point and the cost of the trap over time cannot be computed. " + _FIX,
            )
        )
    return gaps


def kpi_reasons(frame: pd.DataFrame) -> dict[str, str]:
    """Why a headline figure cannot be computed, per figure ("" never appears): the
    dashboard shows a dash with this reason instead of a zero."""
    reasons: dict[str, str] = {}
    if _blank(frame, STAGE_RAW):
        reasons["production_rate"] = "Cannot tell: the portfolio has no stage column."
    if _blank(frame, "start_date"):
        reason = "Cannot tell: the portfolio has no start dates."
        reasons["past_decision_point"] = reason
        reasons["median_weeks_in_pilot"] = reason
    return reasons
