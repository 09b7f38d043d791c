"""The cost model's assumptions: each one data with its default, unit and one-line help.

The page's panel, the command line's help and every export are built from `ASSUMPTIONS`, so
they show the same numbers with the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from diagnostics.errors import DiagnosticError
from diagnostics.formats import DAYS_PER_MONTH, DAYS_PER_WEEK, format_money, normalise_currency
from diagnostics.framework.content import Content


@dataclass(frozen=True)
class AssumptionSpec:
    """One editable assumption: what it is, its unit, and why it matters, in one line."""

    key: str
    label: str
    unit: str
    help: str
    min_value: float | None = 0.0
    max_value: float | None = None
    step: float | None = None
    format: str = "%.0f"  # how an input shows the number (printf style)


ASSUMPTIONS: tuple[AssumptionSpec, ...] = (
    AssumptionSpec(
        "recommended_path_weeks",
        "Recommended path to production",
        "weeks",
        "Start to go-live on the recommended plan (pilot, decision window, production "
        "preparation). Value not delivered after this counts as opportunity cost.",
        min_value=1,
        max_value=520,
        step=1,
    ),
    AssumptionSpec(
        "decision_point_weeks",
        "Decision point",
        "weeks after start",
        "When a go / no-go decision is due (pilot plus decision window). Spend on pilots still "
        "open, or stopped, after this counts as direct cost.",
        min_value=1,
        max_value=520,
        step=1,
    ),
    AssumptionSpec(
        "monthly_team_cost",
        "Monthly team cost",
        "currency per month",
        "What a pilot team costs per month. Estimates the planned spend of pilots without a "
        "budget, and is added for each month a pilot stays open past its decision point. "
        "Set 0 to count recorded budgets only.",
        min_value=0,
        max_value=10_000_000,
        step=1_000,
    ),
    AssumptionSpec(
        "value_ramp_months",
        "Value ramp after go-live",
        "months",
        "How long a pilot takes after go-live to deliver its full expected value; value "
        "grows evenly until then. 0 means full value from the first day.",
        min_value=0,
        max_value=60,
        step=0.5,
        format="%.1f",
    ),
    AssumptionSpec(
        "stop_horizon_months",
        "Stop-now horizon",
        "months",
        "How far ahead the stop-now scenario looks when it compares stopping today with "
        "letting the pilots run on.",
        min_value=1,
        max_value=120,
        step=1,
    ),
    AssumptionSpec(
        "as_of",
        "Cost as of",
        "date",
        "The day the cost is computed at; pilots still open are counted up to this day.",
        min_value=None,
    ),
    AssumptionSpec(
        "currency",
        "Currency of the amounts",
        "three-letter code",
        "The currency the portfolio's budgets and values are in (EUR, USD, TRY...), named "
        "beside every amount; nothing is converted. None by default.",
        min_value=None,
    ),
)
ASSUMPTIONS_BY_KEY = {spec.key: spec for spec in ASSUMPTIONS}
DEFAULT_MONTHLY_TEAM_COST = 20_000.0
DEFAULT_VALUE_RAMP_MONTHS = 3.0
DEFAULT_STOP_HORIZON_MONTHS = 12.0


class CostAssumptions(BaseModel):
    """The numbers the cost model rests on; see `ASSUMPTIONS` for units and help."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    recommended_path_weeks: float = Field(22.0, gt=0, le=520)
    decision_point_weeks: float = Field(10.0, gt=0, le=520)
    monthly_team_cost: float = Field(DEFAULT_MONTHLY_TEAM_COST, ge=0, le=10_000_000)
    value_ramp_months: float = Field(DEFAULT_VALUE_RAMP_MONTHS, ge=0, le=60)
    stop_horizon_months: float = Field(DEFAULT_STOP_HORIZON_MONTHS, gt=0, le=120)
    as_of: date = Field(default_factory=date.today)
    currency: str | None = None

    @field_validator("currency", mode="before")
    @classmethod
    def _currency_code(cls, value: object) -> str | None:
        try:
            return normalise_currency(value)
        except DiagnosticError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _decision_before_go_live(self) -> CostAssumptions:
        if self.decision_point_weeks > self.recommended_path_weeks:
            raise ValueError(
                f"the decision point ({self.decision_point_weeks:g} weeks) must not come after "
                f"the recommended go-live ({self.recommended_path_weeks:g} weeks)"
            )
        return self

    @classmethod
    def from_content(cls, content: Content, **overrides: Any) -> CostAssumptions:
        """Defaults from the framework file's timeframes (10 and 22 weeks), plus overrides."""
        values: dict[str, Any] = {
            "recommended_path_weeks": content.timeframes.recommended_path_weeks,
            "decision_point_weeks": content.timeframes.decision_point_weeks,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return make_assumptions(values)

    @property
    def decision_point_months(self) -> float:
        return self.decision_point_weeks * DAYS_PER_WEEK / DAYS_PER_MONTH

    @property
    def path_months(self) -> float:
        return self.recommended_path_weeks * DAYS_PER_WEEK / DAYS_PER_MONTH

    def rows(self) -> list[dict[str, str]]:
        """One row per assumption (label, value, unit, explanation), for tables and exports."""
        return [
            {
                "assumption": spec.label,
                "value": _format_assumption(getattr(self, spec.key)),
                "unit": spec.unit,
                "explanation": spec.help,
            }
            for spec in ASSUMPTIONS
        ]

    def caption(self) -> str:
        """The assumptions in one line, printed under every chart."""
        return (
            f"As of {self.as_of.isoformat()}; decision point {self.decision_point_weeks:g} "
            f"weeks, recommended path {self.recommended_path_weeks:g} weeks; team cost "
            f"{format_money(self.monthly_team_cost, self.currency)} a month; value ramp "
            f"{self.value_ramp_months:g} months."
        )


def make_assumptions(values: Mapping[str, Any]) -> CostAssumptions:
    """Validated assumptions from plain values, with a message naming the field when wrong."""
    unknown = sorted(set(values) - set(ASSUMPTIONS_BY_KEY))
    if unknown:
        known = ", ".join(ASSUMPTIONS_BY_KEY)
        raise DiagnosticError(f"Unknown cost assumption(s) {', '.join(unknown)}; use: {known}.")
    try:
        return CostAssumptions.model_validate(dict(values))
    except ValidationError as exc:
        details = "; ".join(
            ": ".join(
                part
                for part in (".".join(str(p) for p in e["loc"]), _plain_message(e["msg"]))
                if part
            )
            for e in exc.errors()
        )
        raise DiagnosticError(f"The cost assumptions are not valid: {details}.") from None


def _plain_message(message: str) -> str:
    return message.removeprefix("Value error, ")


def _format_assumption(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int | float) else str(value)
