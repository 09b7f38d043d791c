"""Drilling from a business unit into its sub-units (an agency into its bureaus).

When a sheet has two nested unit columns, the dashboard shows units by the outer one; this
gives the same per-unit table (pilots, production rate, the computable symptoms) for the
sub-units of one unit, from the same rules as the units themselves.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from diagnostics.portfolio.analysis import stage_codes, unit_codes, unit_table
from diagnostics.portfolio.coverage import has_values


def has_subunits(frame: pd.DataFrame) -> bool:
    """True when the portfolio names a sub-unit for at least one pilot."""
    return "business_subunit" in frame and has_values(frame["business_subunit"])


def units_with_subunits(frame: pd.DataFrame) -> list[str]:
    """The units (as the dashboard names them) holding pilots with a sub-unit, largest first."""
    if not has_subunits(frame):
        return []
    codes, names = unit_codes(frame)
    sub = frame["business_subunit"].astype("str")
    named = sub.str.strip().fillna("").ne("").to_numpy(dtype=bool)
    counts = np.bincount(codes[named], minlength=len(names))
    order = np.argsort(-counts, kind="stable")
    return [names[i] for i in order if counts[i]]


def subunit_table(frame: pd.DataFrame, unit: str, as_of: date) -> pd.DataFrame:
    """The unit table of one unit's pilots, by sub-unit (blank ones "Unassigned")."""
    codes, names = unit_codes(frame)
    if unit not in names:
        return unit_table(frame.iloc[0:0], stage_codes(frame.iloc[0:0]), as_of)
    rows = frame.loc[codes == names.index(unit)].reset_index(drop=True)
    inner = rows.assign(business_unit=rows["business_subunit"])
    return unit_table(inner, stage_codes(inner), as_of)
