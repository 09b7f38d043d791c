"""The fields of the canonical portfolio frame: one row per pilot, the same columns always.

Every part of the product that reads a portfolio (dashboard, cost of the trap, storage,
exports) relies on these names, so they are defined once here. Each field says what kind of
values it holds (which decides how a column is parsed) and the header words that usually
name it in an organisation's own spreadsheet (which drive the automatic mapping).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldKind = Literal["id", "text", "stage", "date", "money", "count"]


@dataclass(frozen=True)
class PortfolioField:
    """One canonical field: its key, label, help text, value kind and header synonyms."""

    key: str
    label: str
    help: str
    kind: FieldKind
    synonyms: tuple[str, ...]


FIELDS: tuple[PortfolioField, ...] = (
    PortfolioField(
        "pilot_id",
        "ID",
        "A reference that identifies the pilot; generated as row-<n> when the sheet has none.",
        "id",
        (
            "id",
            "pilot id",
            "project id",
            "use case id",
            "initiative id",
            "reference",
            "ref",
            "ref no",
            "key",
            "code",
            "project code",
            "project number",
            "number",
            "no",
        ),
    ),
    PortfolioField(
        "name",
        "Name",
        "What the pilot is called.",
        "text",
        (
            "name",
            "pilot name",
            "project name",
            "use case name",
            "use case",
            "initiative",
            "initiative name",
            "project",
            "pilot",
            "title",
            "project title",
            "ai use case",
            "solution name",
        ),
    ),
    PortfolioField(
        "business_unit",
        "Business unit",
        "The part of the organisation that owns the pilot (department, division, agency).",
        "text",
        (
            "business unit",
            "bu",
            "department",
            "dept",
            "division",
            "unit",
            "agency",
            "agency abbreviation",
            "organisation",
            "organization",
            "org",
            "business area",
            "line of business",
            "lob",
            "function",
            "directorate",
            "segment",
            "entity",
        ),
    ),
    PortfolioField(
        "owner",
        "Owner / sponsor",
        "The person accountable for the pilot.",
        "text",
        (
            "owner",
            "sponsor",
            "executive sponsor",
            "business owner",
            "project owner",
            "product owner",
            "pilot owner",
            "lead",
            "project lead",
            "project manager",
            "manager",
            "responsible",
            "accountable",
            "champion",
        ),
    ),
    PortfolioField(
        "technology",
        "Technology / vendor",
        "The vendor, platform or technology the pilot is built on.",
        "text",
        (
            "technology",
            "tech",
            "vendor",
            "vendors",
            "vendor name",
            "vendor / technology",
            "technology / vendor",
            "platform",
            "tool",
            "tooling",
            "supplier",
            "provider",
            "tech stack",
            "stack",
            "solution",
            "model",
        ),
    ),
    PortfolioField(
        "stage",
        "Stage",
        "Where the pilot stands: idea, development, pilot, decision, production or retired.",
        "stage",
        (
            "stage",
            "status",
            "phase",
            "state",
            "lifecycle",
            "lifecycle stage",
            "life cycle stage",
            "development stage",
            "stage of development",
            "project status",
            "pilot status",
            "current stage",
            "current status",
            "maturity",
        ),
    ),
    PortfolioField(
        "start_date",
        "Start date",
        "When the pilot (or its development) started.",
        "date",
        (
            "start date",
            "start",
            "started",
            "date started",
            "kick-off",
            "kick off",
            "kickoff",
            "kick-off date",
            "launch date",
            "pilot start",
            "pilot start date",
            "project start",
            "begin date",
            "created",
            "date created",
            "initiation date",
        ),
    ),
    PortfolioField(
        "decision_date",
        "Decision / go-live date",
        "When the go / no-go decision was taken or the pilot went live.",
        "date",
        (
            "decision date",
            "decision",
            "go-live",
            "go live",
            "go-live date",
            "go live date",
            "decision / go-live date",
            "production date",
            "deployment date",
            "operational date",
            "date operational",
            "live date",
            "end date",
            "completion date",
            "pilot end",
            "pilot end date",
        ),
    ),
    PortfolioField(
        "pilot_budget",
        "Pilot budget",
        "Money spent or budgeted on the pilot, in one currency.",
        "money",
        (
            "pilot budget",
            "budget",
            "pilot cost",
            "poc budget",
            "poc cost",
            "cost",
            "costs",
            "spend",
            "spent",
            "cost to date",
            "actual cost",
            "investment",
            "pilot spend",
        ),
    ),
    PortfolioField(
        "production_estimate",
        "Production budget estimate",
        "What taking the pilot into production is estimated to cost.",
        "money",
        (
            "production estimate",
            "production budget",
            "production cost",
            "estimated production cost",
            "production budget estimate",
            "scale-up budget",
            "scale up cost",
            "rollout budget",
            "rollout cost",
            "budget to scale",
            "implementation cost",
        ),
    ),
    PortfolioField(
        "expected_annual_value",
        "Expected annual value",
        "The value per year the pilot is expected to bring once in production.",
        "money",
        (
            "expected annual value",
            "annual value",
            "expected value",
            "value",
            "business value",
            "annual benefit",
            "expected benefit",
            "benefit",
            "benefits",
            "savings",
            "annual savings",
            "expected savings",
            "value per year",
        ),
    ),
    PortfolioField(
        "live_users",
        "Live users",
        "How many people use the pilot's output in their real work today.",
        "count",
        (
            "live users",
            "users",
            "active users",
            "number of users",
            "user count",
            "end users",
            "no of users",
        ),
    ),
    PortfolioField(
        "data_sources",
        "Data sources",
        "How many data sources or systems the pilot draws on.",
        "count",
        (
            "data sources",
            "number of data sources",
            "sources",
            "source systems",
            "systems",
            "no of data sources",
        ),
    ),
)

FIELDS_BY_KEY: dict[str, PortfolioField] = {f.key: f for f in FIELDS}
FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
TEXT_FIELDS: tuple[str, ...] = ("pilot_id", "name", "business_unit", "owner", "technology")
DATE_FIELDS: tuple[str, ...] = ("start_date", "decision_date")
MONEY_FIELDS: tuple[str, ...] = ("pilot_budget", "production_estimate", "expected_annual_value")
COUNT_FIELDS: tuple[str, ...] = ("live_users", "data_sources")
SCORE_PREFIX = "score_"
ANSWER_PREFIX = "answer_"

# The fixed columns of the canonical frame, in order; `score_<reason>` and
# `answer_<question>` columns follow when the file has them.
CANONICAL_COLUMNS: tuple[str, ...] = (
    "pilot_id",
    "name",
    "business_unit",
    "owner",
    "technology",
    "stage",
    "stage_raw",
    "start_date",
    "decision_date",
    "pilot_budget",
    "production_estimate",
    "expected_annual_value",
    "live_users",
    "data_sources",
)
