"""The fields of the canonical portfolio frame: one row per pilot, the same columns always.

Every part of the product that reads a portfolio (dashboard, cost of the trap, storage,
exports) relies on these names, so they are defined once here. Each field says what kind of
values it holds, which decides how a column is parsed and stored. Everything else (the
canonical column order, the columns per kind, storage, test frames) is derived from this
list. The header words that name each field in an organisation's own spreadsheet are
content, kept in `data/column_synonyms.yaml` (see `mapping.load_column_synonyms`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["id", "text", "stage", "date", "money", "count"]


@dataclass(frozen=True)
class PortfolioField:
    """One canonical field: its key, label, help text and the kind of values it holds."""

    key: str
    label: str
    help: str
    kind: FieldKind


FIELDS: tuple[PortfolioField, ...] = (
    PortfolioField(
        "pilot_id",
        "ID",
        "A reference that identifies the pilot; generated as row-<n> when the sheet has none.",
        "id",
    ),
    PortfolioField(
        "name",
        "Name",
        "What the pilot is called.",
        "text",
    ),
    PortfolioField(
        "business_unit",
        "Business unit",
        "The part of the organisation that owns the pilot (department, division, agency).",
        "text",
    ),
    PortfolioField(
        "business_subunit",
        "Sub-unit",
        "The part of the business unit that owns the pilot (bureau, office, component), when "
        "the sheet has both; the dashboard lets you drill from a unit into its sub-units.",
        "text",
    ),
    PortfolioField(
        "owner",
        "Owner / sponsor",
        "The person accountable for the pilot.",
        "text",
    ),
    PortfolioField(
        "technology",
        "Technology / vendor",
        "The vendor, platform or technology the pilot is built on.",
        "text",
    ),
    PortfolioField(
        "stage",
        "Stage",
        "Where the pilot stands: idea, development, pilot, decision, production or retired.",
        "stage",
    ),
    PortfolioField(
        "start_date",
        "Start date",
        "When the pilot (or its development) started.",
        "date",
    ),
    PortfolioField(
        "decision_date",
        "Decision / go-live date",
        "When the go / no-go decision was taken or the pilot went live.",
        "date",
    ),
    PortfolioField(
        "stop_date",
        "Stop / retirement date",
        "When the pilot was stopped, cancelled or decommissioned.",
        "date",
    ),
    PortfolioField(
        "pilot_budget",
        "Pilot budget",
        "Money spent or budgeted on the pilot, in one currency.",
        "money",
    ),
    PortfolioField(
        "production_estimate",
        "Production budget estimate",
        "What taking the pilot into production is estimated to cost.",
        "money",
    ),
    PortfolioField(
        "expected_annual_value",
        "Expected annual value",
        "The value per year the pilot is expected to bring once in production.",
        "money",
    ),
    PortfolioField(
        "live_users",
        "Live users",
        "How many people use the pilot's output in their real work today.",
        "count",
    ),
    PortfolioField(
        "data_sources",
        "Data sources",
        "How many data sources or systems the pilot draws on.",
        "count",
    ),
)

FIELDS_BY_KEY: dict[str, PortfolioField] = {f.key: f for f in FIELDS}
FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)


def keys_of_kind(*kinds: FieldKind) -> tuple[str, ...]:
    """The keys of the fields holding these kinds of values, in canonical order."""
    return tuple(f.key for f in FIELDS if f.kind in kinds)


# Text columns: the pilot id is text too (generated as row-<n> when missing).
TEXT_FIELDS: tuple[str, ...] = keys_of_kind("id", "text")
DATE_FIELDS: tuple[str, ...] = keys_of_kind("date")
MONEY_FIELDS: tuple[str, ...] = keys_of_kind("money")
COUNT_FIELDS: tuple[str, ...] = keys_of_kind("count")
# Numbers as stored: amounts and counts, both floats with NaN for a blank.
NUMBER_FIELDS: tuple[str, ...] = keys_of_kind("money", "count")
SCORE_PREFIX = "score_"
ANSWER_PREFIX = "answer_"


def kind_of(key: str) -> str:
    """The kind of values a column holds; framework columns are scores or answers."""
    if key.startswith(SCORE_PREFIX):
        return "score"
    if key.startswith(ANSWER_PREFIX):
        return "answer"
    return FIELDS_BY_KEY[key].kind


# The stage as written in the sheet, kept beside the canonical stage.
STAGE_RAW = "stage_raw"

# The fixed columns of the canonical frame, in order: every field, with the stage as written
# right after the stage; `score_<reason>` and `answer_<question>` columns follow when the file
# has them.
CANONICAL_COLUMNS: tuple[str, ...] = tuple(
    column for f in FIELDS for column in ((f.key, STAGE_RAW) if f.kind == "stage" else (f.key,))
)
