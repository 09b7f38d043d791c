"""The cost of the trap.

- `assumptions`: the editable assumptions, each with its default, unit and help.
- `model`: direct and opportunity cost per pilot, by unit and month by month, and what is missing.
- `stop_now`: what stopping chosen pilots today saves by the end of a horizon.
- `export`: the result as tables with readable names, one workbook sheet each.
- `delay`: what a further month of delay costs one pilot.
- `figures`: the charts.
"""

from diagnostics.cost.assumptions import (
    ASSUMPTIONS,
    AssumptionSpec,
    CostAssumptions,
    make_assumptions,
)
from diagnostics.cost.export import (
    cost_sheets,
    export_filename,
    pilot_table,
    stop_table,
    unit_table,
)
from diagnostics.cost.model import STATUS_LABELS, CostResult, MissingItem, compute_cost
from diagnostics.cost.stop_now import (
    STOP_SELECTIONS,
    StopNowScenario,
    overdue_open_pilots,
    stop_now,
    stop_selection,
)

__all__ = [
    "ASSUMPTIONS",
    "STATUS_LABELS",
    "STOP_SELECTIONS",
    "AssumptionSpec",
    "CostAssumptions",
    "CostResult",
    "MissingItem",
    "StopNowScenario",
    "compute_cost",
    "cost_sheets",
    "export_filename",
    "make_assumptions",
    "overdue_open_pilots",
    "pilot_table",
    "stop_now",
    "stop_selection",
    "stop_table",
    "unit_table",
]
