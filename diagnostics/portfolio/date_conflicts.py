"""Dates that contradict each other or the pilot's stage: a decision taken before the start,
a stop date passed while the stage is still open. They are read as written and said, in the
warnings and the row report, so that the owner can put the sheet right; nothing is guessed
(the cost of an open pilot runs to today, whatever its stop date says).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from diagnostics.formats import count_of
from diagnostics.portfolio.mapping import ColumnMatch
from diagnostics.portfolio.stages import OPEN_STAGES

# One problem: the field, the sheet's column, the rows it touches and what is wrong.
Problem = tuple[str, str, pd.Series, str]


def date_conflicts(
    frame: Mapping[str, pd.Series], matches: Mapping[str, ColumnMatch], warnings: list[str]
) -> list[Problem]:
    """The rows whose dates contradict each other or the stage; a warning for each kind
    found is added to `warnings`."""
    problems: list[Problem] = []
    if matches["start_date"].column and matches["decision_date"].column:
        backwards = frame["decision_date"] < frame["start_date"]
        if backwards.any():
            column = matches["decision_date"].column
            problems.append(("decision_date", column, backwards, "before the start date"))
            warnings.append(
                f"Decision date before the start date in {count_of(int(backwards.sum()), 'row')}."
            )
    if matches["stop_date"].column and matches["stage"].column:
        stopped = frame["stop_date"] < pd.Timestamp.today().normalize()
        still_open = stopped & frame["stage"].isin(OPEN_STAGES).to_numpy()
        if still_open.any():
            column = matches["stop_date"].column
            problems.append(("stop_date", column, still_open, "stopped, but the stage is open"))
            warnings.append(
                "A stop date in the past but a stage still open in "
                f"{count_of(int(still_open.sum()), 'row')}; counted as open, so their cost runs "
                "to today. Set their stage to retired if they stopped."
            )
    return problems
